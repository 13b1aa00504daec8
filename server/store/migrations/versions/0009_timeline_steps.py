"""The timeline's steps, built ahead so that a history page is read rather than replayed.

Revision ID: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "timeline_steps",
        sa.Column("board_id", sa.String(64), primary_key=True),
        sa.Column("first_seq", SEQ, primary_key=True),
        sa.Column("last_seq", SEQ, nullable=False),
        sa.Column("format", sa.Integer, nullable=False),
        sa.Column("entry", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("timeline_steps")
