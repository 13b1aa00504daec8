"""Sites, boards, zone locks, invites, the update log and its checkpoints.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "sites",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "boards",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("template", sa.String(16), nullable=False),
        sa.Column("site_id", sa.String(64), sa.ForeignKey("sites.id"), nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "locks",
        sa.Column("board_id", sa.String(64), sa.ForeignKey("boards.id"), primary_key=True),
        sa.Column("zone", sa.String(64), primary_key=True),
        sa.Column("locked_by", sa.Text, nullable=True),
        sa.Column("locked_at", sa.Float, nullable=False),
    )
    op.create_table(
        "invites",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("board_id", sa.String(64), sa.ForeignKey("boards.id"), nullable=True),
        sa.Column("site_id", sa.String(64), sa.ForeignKey("sites.id"), nullable=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("label", sa.Text, nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=True),
        sa.Column("revoked_at", sa.Float, nullable=True),
    )
    op.create_table(
        "updates",
        sa.Column("seq", SEQ, primary_key=True, autoincrement=True),
        sa.Column("board_id", sa.String(64), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("invite_id", sa.String(32), nullable=True),
        sa.Column("author_name", sa.Text, nullable=True),
        sa.Column("party", sa.String(32), nullable=True),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_updates_board_seq", "updates", ["board_id", "seq"])
    op.create_table(
        "checkpoints",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("board_id", sa.String(64), nullable=False),
        sa.Column("seq", SEQ, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("state", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_checkpoints_board_seq", "checkpoints", ["board_id", "seq"])


def downgrade() -> None:
    for table in ("checkpoints", "updates", "invites", "locks", "boards", "sites"):
        op.drop_table(table)
