"""retention: at most one pending prune job, whoever plans it

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 04:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ONE_PENDING_PRUNE = "kind = 'prune' AND state = 'pending'"


def upgrade() -> None:
    op.create_index(
        "uq_due_jobs_one_pending_prune",
        "due_jobs",
        ["kind"],
        unique=True,
        sqlite_where=sa.text(_ONE_PENDING_PRUNE),
        postgresql_where=sa.text(_ONE_PENDING_PRUNE),
    )


def downgrade() -> None:
    op.drop_index("uq_due_jobs_one_pending_prune", table_name="due_jobs")
