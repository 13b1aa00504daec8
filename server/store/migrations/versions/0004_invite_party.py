"""Invites carry the party their holder speaks for, and the invite that created them.

A party is who the invite says (État, Collectivité, Société civile for participants), never
what a connection claims: approvals count only for that party. ``created_by`` ties an invite
minted by a facilitator to the facilitator's own invite, so that it never outlives it.

Revision ID: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("invites", sa.Column("party", sa.String(32), nullable=True))
    op.add_column("invites", sa.Column("created_by", sa.String(32), nullable=True))
    op.create_index("ix_invites_created_by", "invites", ["created_by"])


def downgrade() -> None:
    op.drop_index("ix_invites_created_by", "invites")
    with op.batch_alter_table("invites") as batch:
        batch.drop_column("created_by")
        batch.drop_column("party")
