"""Read what the server stored, straight from its SQLite file (read-only)."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from tests.support.atelier_server import AtelierServer


def _connect(server: AtelierServer) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{server.data_dir / 'atelier.db'}?mode=ro", uri=True)


def logged_updates(server: AtelierServer, board_id: str) -> list[bytes]:
    with closing(_connect(server)) as conn:
        rows = conn.execute(
            "SELECT data FROM updates WHERE board_id = ? ORDER BY seq", (board_id,)
        ).fetchall()
    return [bytes(row[0]) for row in rows]


def log_rows(server: AtelierServer, board_id: str) -> list[tuple[int, str | None, str | None]]:
    """(seq, author name, party) of every logged update of the board."""
    with closing(_connect(server)) as conn:
        rows = conn.execute(
            "SELECT seq, author_name, party FROM updates WHERE board_id = ? ORDER BY seq",
            (board_id,),
        ).fetchall()
    return [(int(r[0]), r[1], r[2]) for r in rows]


def checkpoint_count(server: AtelierServer, board_id: str) -> int:
    with closing(_connect(server)) as conn:
        row = conn.execute("SELECT count(*) FROM checkpoints WHERE board_id = ?", (board_id,))
        return int(row.fetchone()[0])
