"""delivery claims: processed_requests rows are taken before a delivery runs

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 14:58:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import warroom.store.models

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("processed_requests") as batch_op:
        batch_op.add_column(
            sa.Column("handled_at", warroom.store.models.UTCDateTime(timezone=True), nullable=True)
        )
    # Every row written before claims existed was a handled delivery.
    op.execute("UPDATE processed_requests SET handled_at = received_at")


def downgrade() -> None:
    op.execute("DELETE FROM processed_requests WHERE handled_at IS NULL")
    with op.batch_alter_table("processed_requests") as batch_op:
        batch_op.drop_column("handled_at")
