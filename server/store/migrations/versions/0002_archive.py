"""Workshop archive: sessions, immutable snapshots and replay checkpoints.

Revision ID: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("board_id", sa.String(64), sa.ForeignKey("boards.id"), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("started_at", sa.Float, nullable=False),
        sa.Column("started_by", sa.String(32), nullable=True),
        sa.Column("started_by_label", sa.Text, nullable=True),
        sa.Column("ended_at", sa.Float, nullable=True),
        sa.Column("ended_by", sa.String(32), nullable=True),
        sa.Column("open_board", sa.String(64), nullable=True, unique=True),
    )
    op.create_index("ix_sessions_board", "sessions", ["board_id", "started_at"])
    op.create_table(
        "snapshots",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("board_id", sa.String(64), sa.ForeignKey("boards.id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("session_id", sa.String(32), sa.ForeignKey("sessions.id"), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("seq", SEQ, nullable=False),
        sa.Column("taken_at", sa.Float, nullable=False),
        sa.Column("header", sa.Text, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
        sa.Column("state", sa.LargeBinary, nullable=False),
        sa.Column("projection", sa.Text, nullable=False),
    )
    op.create_index("ux_snapshots_board_number", "snapshots", ["board_id", "number"], unique=True)
    op.create_index("ix_snapshots_session", "snapshots", ["session_id"])
    op.create_table(
        "replay_checkpoints",
        sa.Column("board_id", sa.String(64), primary_key=True),
        sa.Column("seq", SEQ, primary_key=True),
        sa.Column("raw_bytes", sa.Integer, nullable=False),
        sa.Column("state", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_index("ix_snapshots_session", "snapshots")
    op.drop_index("ux_snapshots_board_number", "snapshots")
    op.drop_table("snapshots")
    op.drop_index("ix_sessions_board", "sessions")
    op.drop_table("sessions")
    op.drop_table("replay_checkpoints")
