"""postmortem reads: an index of the timeline entries a postmortem lists

A 100,000-entry incident is mostly chat the draft only counts; this partial index
holds just the entries it lists, in the order it lists them, so the draft reads
them a page at a time without passing over the rest.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 04:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SHOWN = (
    "kind <> 'pending' AND (kind NOT IN ('bot_message', 'file_share', 'message', 'pending') "
    "OR highlighted)"
)


def upgrade() -> None:
    op.create_index(
        "ix_timeline_entries_postmortem",
        "timeline_entries",
        ["incident_id", "occurred_at", "id"],
        sqlite_where=sa.text(_SHOWN),
        postgresql_where=sa.text(_SHOWN),
    )


def downgrade() -> None:
    op.drop_index("ix_timeline_entries_postmortem", table_name="timeline_entries")
