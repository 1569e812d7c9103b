"""status page: incidents.status_page

Whether an incident is on the public status page: NULL follows the policy's
`[status_page] severities`, true shows it, false hides it (`/incident statuspage
show|hide`). A private incident is never shown, whatever this says.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch_op:
        batch_op.add_column(sa.Column("status_page", sa.Boolean(), nullable=True))


def downgrade() -> None:
    # Not in batch mode: on SQLite that copies the table, losing the search triggers
    # of 0011 on it; SQLite (3.35+) drops a plain column in place.
    op.drop_column("incidents", "status_page")
