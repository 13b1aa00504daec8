"""Private rounds and their answers, held by the server until the facilitator reveals them.

Revision ID: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rounds",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("board_id", sa.String(64), sa.ForeignKey("boards.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("zone", sa.String(32), nullable=True),
        sa.Column("opened_at", sa.Float, nullable=False),
        sa.Column("opened_by", sa.String(32), nullable=True),
        sa.Column("open_board", sa.String(64), nullable=True, unique=True),
        sa.Column("revealed_at", sa.Float, nullable=True),
        sa.Column("revealed_by", sa.String(32), nullable=True),
        sa.Column("agreed", sa.Text, nullable=True),
        sa.Column("agreed_at", sa.Float, nullable=True),
        sa.Column("agreed_by", sa.String(32), nullable=True),
        sa.Column("agreed_by_name", sa.Text, nullable=True),
        sa.Column("agreed_session", sa.String(32), nullable=True),
    )
    op.create_index("ix_rounds_board", "rounds", ["board_id", "opened_at"])
    op.create_table(
        "round_answers",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("round_id", sa.String(32), sa.ForeignKey("rounds.id"), nullable=False),
        sa.Column("invite_id", sa.String(32), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("party", sa.String(32), nullable=True),
        sa.Column("answered_at", sa.Float, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
    )
    op.create_index(
        "ux_round_answers_author",
        "round_answers",
        ["round_id", "invite_id", "name"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ux_round_answers_author", "round_answers")
    op.drop_table("round_answers")
    op.drop_index("ix_rounds_board", "rounds")
    op.drop_table("rounds")
