"""cancelled incidents: incidents.cancelled_at, cancel_reason, duplicate_of

A false alarm or a duplicate ends without a postmortem: `cancelled_at` says it
was cancelled (it is also resolved and closed at that moment, so everything that
stops at the end of an incident stops), `cancel_reason` why, and `duplicate_of`
the incident it duplicated, if that is why.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import warroom.store.models

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch_op:
        batch_op.add_column(
            sa.Column(
                "cancelled_at", warroom.store.models.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(sa.Column("cancel_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("duplicate_of", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_incidents_duplicate_of_incidents",
            "incidents",
            ["duplicate_of"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch_op:
        batch_op.drop_constraint("fk_incidents_duplicate_of_incidents", type_="foreignkey")
        batch_op.drop_column("duplicate_of")
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("cancelled_at")
