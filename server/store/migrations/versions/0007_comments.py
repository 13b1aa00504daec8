"""Comments on notes, chain items and agreement sections, and each invite's visits.

Comments are held by the server, not in the board's document: they are talk about the
board, not the board, and stay out of snapshots, evidence and the balance of voice.

Revision ID: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "comments",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("board_id", sa.String(64), sa.ForeignKey("boards.id"), nullable=False),
        sa.Column("target_kind", sa.String(16), nullable=False),
        sa.Column("target_id", sa.String(64), nullable=False),
        sa.Column("parent_id", sa.String(32), sa.ForeignKey("comments.id"), nullable=True),
        sa.Column("invite_id", sa.String(32), nullable=False),
        sa.Column("author_name", sa.Text, nullable=False),
        sa.Column("party", sa.String(32), nullable=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("mentions", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("resolved_at", sa.Float, nullable=True),
        sa.Column("resolved_by", sa.String(32), nullable=True),
        sa.Column("resolved_by_name", sa.Text, nullable=True),
    )
    op.create_index("ix_comments_board_created", "comments", ["board_id", "created_at"])
    op.create_index("ix_comments_invite_created", "comments", ["invite_id", "created_at"])
    op.create_table(
        "visits",
        sa.Column("invite_id", sa.String(32), primary_key=True),
        sa.Column("board_id", sa.String(64), sa.ForeignKey("boards.id"), primary_key=True),
        sa.Column("last_at", sa.Float, nullable=False),
        sa.Column("last_seq", SEQ, nullable=False),
        sa.Column("previous_at", sa.Float, nullable=True),
        sa.Column("previous_seq", SEQ, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("visits")
    op.drop_index("ix_comments_invite_created", "comments")
    op.drop_index("ix_comments_board_created", "comments")
    op.drop_table("comments")
