"""First run: a demo site and workshop board, so the printed link opens a real board."""

from __future__ import annotations

from typing import Any

from pycrdt import Doc
from sqlalchemy import Engine, func, select

from server.boards.layout import seed_board
from server.core.auth import Role
from server.store import catalog
from server.store.models import boards

DEMO_SITE = "demo"
DEMO_BOARD = "atelier-demo"


def seed_demo(engine: Engine) -> str | None:
    """Create the demo site, board and a facilitator invite when the database has no board.

    Returns the facilitator's token, or None when boards already exist."""
    with engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(boards)).scalar_one():
            return None
    catalog.create_site(engine, DEMO_SITE, "Site de démonstration")
    doc: Doc[Any] = Doc()
    seed_board(doc, "workshop", "Atelier de démonstration")
    catalog.create_board(
        engine, DEMO_BOARD, "Atelier de démonstration", "workshop", doc.get_update(), DEMO_SITE
    )
    _, token = catalog.create_invite(
        engine,
        board_id=DEMO_BOARD,
        site_id=None,
        role=Role.FACILITATOR,
        label="Animateur (démonstration)",
        expires_in=None,
    )
    return token
