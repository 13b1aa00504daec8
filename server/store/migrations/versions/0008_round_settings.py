"""A round's settings (a vote round's budget, secrecy and notes), as JSON.

Revision ID: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("rounds", sa.Column("settings", sa.Text, nullable=True))


def downgrade() -> None:
    op.drop_column("rounds", "settings")
