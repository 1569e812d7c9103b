"""report indexes: reminders per incident, and each incident's first status update

`warroom report` and `/incident stats` count reminders (timeline entries of kind
'reminder') and find each incident's first status update for every incident in a
period. Without these, counting reminders read the whole timeline (5 million
entries: about 0.6 s on PostgreSQL); with them it reads only the reminders' index.
`ix_status_updates_incident_posted` answers MIN(posted_at) per incident from the
index alone.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REMINDERS = "kind = 'reminder'"


def upgrade() -> None:
    op.create_index(
        "ix_timeline_entries_reminders",
        "timeline_entries",
        ["incident_id"],
        sqlite_where=sa.text(_REMINDERS),
        postgresql_where=sa.text(_REMINDERS),
    )
    op.create_index(
        "ix_status_updates_incident_posted",
        "status_updates",
        ["incident_id", "posted_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_status_updates_incident_posted", table_name="status_updates")
    op.drop_index("ix_timeline_entries_reminders", table_name="timeline_entries")
