"""alerts: notifications as received, the groups they form, and each alert occurrence

`alert_receipts` holds each notification as it arrived, stored before the sender
is answered; a partial index finds the ones still to process. `alert_groups` is
what Warroom decided for a sender's group (route, triage card, incident);
`alerts` one row per alert occurrence (fingerprint and start). A partial unique
index leaves at most one `process_alerts` sweep waiting.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 17:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import warroom.store.models

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TIME = warroom.store.models.UTCDateTime(timezone=True)
_TEXT = warroom.store.models.StoredText()
_ONE_WAITING = "kind = 'process_alerts' AND state = 'pending' AND attempts = 0"


def upgrade() -> None:
    op.create_table(
        "alert_receipts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("receipt_key", sa.String(length=64), nullable=False),
        sa.Column("notification", sa.JSON(), nullable=False),
        sa.Column("received_at", _TIME, nullable=False),
        sa.Column("processed_at", _TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_receipts")),
        sa.UniqueConstraint("receipt_key", name="uq_alert_receipts_receipt_key"),
    )
    op.create_index(
        "ix_alert_receipts_waiting",
        "alert_receipts",
        ["id"],
        sqlite_where=sa.text("processed_at IS NULL"),
        postgresql_where=sa.text("processed_at IS NULL"),
    )
    op.create_table(
        "alert_groups",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("group_hash", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("group_key", _TEXT, nullable=False),
        sa.Column("route", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("annotations", sa.JSON(), nullable=False),
        sa.Column("external_url", _TEXT, nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("proposal_channel", sa.String(length=32), nullable=True),
        sa.Column("proposal_ts", sa.String(length=32), nullable=True),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.Column("first_started_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_alert_groups_incident_id_incidents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_groups")),
        sa.UniqueConstraint("group_hash", name="uq_alert_groups_group_hash"),
    )
    op.create_index(
        op.f("ix_alert_groups_incident_id"), "alert_groups", ["incident_id"], unique=False
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("starts_at", _TIME, nullable=False),
        sa.Column("ends_at", _TIME, nullable=True),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("annotations", sa.JSON(), nullable=False),
        sa.Column("source_url", _TEXT, nullable=True),
        sa.Column("received_at", _TIME, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["alert_groups.id"],
            name=op.f("fk_alerts_group_id_alert_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint(
            "group_id", "fingerprint", "starts_at", name="uq_alerts_group_fingerprint_start"
        ),
    )

    op.create_index(
        "uq_due_jobs_one_pending_process_alerts",
        "due_jobs",
        ["kind"],
        unique=True,
        sqlite_where=sa.text(_ONE_WAITING),
        postgresql_where=sa.text(_ONE_WAITING),
    )


def downgrade() -> None:
    op.drop_index("uq_due_jobs_one_pending_process_alerts", table_name="due_jobs")
    op.drop_table("alerts")
    op.drop_index(op.f("ix_alert_groups_incident_id"), table_name="alert_groups")
    op.drop_table("alert_groups")
    op.drop_index("ix_alert_receipts_waiting", table_name="alert_receipts")
    op.drop_table("alert_receipts")
