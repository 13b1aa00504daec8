"""Boards as a server of layout 1 created them, for the layout upgrade's tests: the seed is
built by today's code asked for version 1 (``seed_board(..., version=1)``), which writes
exactly the containers layout 1 had, and stored as a board created before the upgrade."""

from __future__ import annotations

from typing import Any

from pycrdt import Doc

from server.boards import layout
from server.store import catalog
from server.store.db import open_engine


def v1_seed(template: str = "workshop", title: str = "Atelier de 2025") -> bytes:
    doc: Doc[Any] = Doc()
    layout.seed_board(doc, template, title, version=1)
    return doc.get_update()


def store_v1_board(database_url: str, board_id: str, template: str = "workshop") -> None:
    """Create the board in a server's database (SQLite or PostgreSQL) with a layout 1 seed."""
    engine = open_engine(database_url)
    try:
        catalog.create_board(engine, board_id, "Atelier de 2025", template, v1_seed(template), None)
    finally:
        engine.dispose()
