"""home views: who opened the Home tab, and one waiting refresh of Homes at a time

`home_views` remembers who has opened Warroom's Home tab (and when), so only Homes
someone looked at lately are republished when an incident changes; `stale` marks
the ones to refresh and `view_hash` what was published last. The partial unique
index leaves at most one `refresh_homes` job waiting (not yet taken up), so a burst
of changes is one refresh.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 15:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import warroom.store.models

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ONE_WAITING = "kind = 'refresh_homes' AND state = 'pending' AND attempts = 0"


def upgrade() -> None:
    op.create_table(
        "home_views",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("opened_at", warroom.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("opened_event", sa.String(length=32), nullable=True),
        sa.Column("stale", sa.Boolean(), nullable=False),
        sa.Column("view_hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_home_views")),
    )
    op.create_index(
        "uq_due_jobs_one_pending_refresh_homes",
        "due_jobs",
        ["kind"],
        unique=True,
        sqlite_where=sa.text(_ONE_WAITING),
        postgresql_where=sa.text(_ONE_WAITING),
    )


def downgrade() -> None:
    op.drop_index("uq_due_jobs_one_pending_refresh_homes", table_name="due_jobs")
    op.drop_table("home_views")
