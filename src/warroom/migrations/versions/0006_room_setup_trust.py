"""room setup trust: incidents.pending_channel_name

The channel name of a conversations.create whose outcome Warroom never heard
(a crash, a timeout). A resumed setup adopts a channel only if it has this
name, and only when Warroom made it for this incident; a refusal (name_taken)
clears it, so nothing is adopted after one.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 04:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch_op:
        batch_op.add_column(sa.Column("pending_channel_name", sa.String(80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch_op:
        batch_op.drop_column("pending_channel_name")
