"""Rebuild a board's document from storage: latest checkpoint plus the tail of the log."""

from __future__ import annotations

import asyncio
from typing import Any

from pycrdt import Doc
from sqlalchemy import Engine

from server.store import catalog, log
from server.sync.rooms import LoadedBoard, Loader


def load_board(engine: Engine, board_id: str) -> LoadedBoard:
    """Blocking: reads the database and replays the tail; run it in a worker thread."""
    board = catalog.require_board(engine, board_id)
    with engine.connect() as conn:
        stored = log.load(conn, board_id)
    doc: Doc[Any] = Doc()
    if stored.checkpoint is not None:
        doc.apply_update(stored.checkpoint)
    for update in stored.tail:
        doc.apply_update(update)
    return LoadedBoard(
        doc,
        site_id=board.site_id,
        locks=board.locks,
        updates_since_checkpoint=stored.updates_since_checkpoint,
        last_seq=stored.last_seq,
    )


def make_loader(engine: Engine) -> Loader:
    async def loader(board_id: str) -> LoadedBoard:
        return await asyncio.to_thread(load_board, engine, board_id)

    return loader
