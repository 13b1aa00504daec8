"""Each site has a coaching budget: « 10h d'accompagnement par site ».

The hours its sessions used are summed from the sessions themselves; only the budget is
stored, 10 hours unless the operator gives another.

Revision ID: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "sites",
        sa.Column("coaching_hours", sa.Float(), nullable=False, server_default="10"),
    )


def downgrade() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("coaching_hours")
