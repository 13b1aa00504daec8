"""Snapshots are immutable: the database itself refuses to change or delete one.

Someone holding the database's keys can still drop these triggers; verification then detects
the change (see server/archive/verify.py). On SQLite, a later batch migration that rebuilds the
``snapshots`` table must create them again.

Revision ID: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SQLITE = {
    "upgrade": [
        f"""CREATE TRIGGER snapshots_no_{action} BEFORE {action.upper()} ON snapshots
        BEGIN SELECT RAISE(ABORT, 'snapshots are immutable'); END"""
        for action in ("update", "delete")
    ],
    "downgrade": [
        "DROP TRIGGER IF EXISTS snapshots_no_update",
        "DROP TRIGGER IF EXISTS snapshots_no_delete",
    ],
}
POSTGRESQL = {
    "upgrade": [
        """CREATE FUNCTION snapshots_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION 'snapshots are immutable'; END $$""",
        """CREATE TRIGGER snapshots_immutable BEFORE UPDATE OR DELETE ON snapshots
        FOR EACH ROW EXECUTE FUNCTION snapshots_immutable()""",
    ],
    "downgrade": [
        "DROP TRIGGER IF EXISTS snapshots_immutable ON snapshots",
        "DROP FUNCTION IF EXISTS snapshots_immutable()",
    ],
}


def _run(step: str) -> None:
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(dialect, {}).get(step, []):
        op.execute(statement)


def upgrade() -> None:
    _run("upgrade")


def downgrade() -> None:
    _run("downgrade")
