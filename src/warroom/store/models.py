"""Tables. Times are stored as timezone-aware UTC on every database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

__all__ = [
    "SHOWN_IN_POSTMORTEM",
    "ActionItemRow",
    "AlertGroupRow",
    "AlertReceiptRow",
    "AlertRow",
    "Base",
    "DueJobRow",
    "HomeViewRow",
    "IncidentRow",
    "PostmortemRow",
    "ProcessedRequestRow",
    "RoleAssignmentRow",
    "StatusUpdateRow",
    "StoredText",
    "TeamSequenceRow",
    "TimelineEntryRow",
    "TimelineHighlightRow",
    "TimelineRevisionRow",
    "UTCDateTime",
    "UserRow",
]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """SQLite keeps no zone; PostgreSQL does. Either way callers get aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware UTC time")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class StoredText(TypeDecorator[str]):
    """Text people typed, without NUL: PostgreSQL refuses it in text, and nobody means it.

    Dropped on the way in on every database, so both keep the same text.
    """

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return value.replace("\x00", "") if value is not None else None


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class TeamSequenceRow(Base):
    """Last incident number handed out per workspace (one atomic upsert per declare)."""

    __tablename__ = "team_sequences"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class IncidentRow(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        UniqueConstraint("team_id", "number", name="uq_incidents_team_number"),
        UniqueConstraint("declare_key", name="uq_incidents_declare_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    number: Mapped[int] = mapped_column(Integer)
    declare_key: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(StoredText)
    summary: Mapped[str | None] = mapped_column(StoredText)
    root_cause: Mapped[str | None] = mapped_column(StoredText)
    impact: Mapped[str] = mapped_column(StoredText)
    severity: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(32))
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    reporter_id: Mapped[str] = mapped_column(String(32))
    invitees: Mapped[list[str]] = mapped_column(JSON, default=list)
    channel_id: Mapped[str | None] = mapped_column(String(32), index=True)
    channel_name: Mapped[str | None] = mapped_column(String(80))
    card_ts: Mapped[str | None] = mapped_column(String(32))
    announcement_channel_id: Mapped[str | None] = mapped_column(String(32))
    announcement_ts: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[datetime | None]
    declared_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    mitigated_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    last_update_at: Mapped[datetime | None]
    next_update_due_at: Mapped[datetime | None]
    provisioned_at: Mapped[datetime | None]
    provisioning_until: Mapped[datetime | None]
    provision_error: Mapped[str | None] = mapped_column(StoredText)
    pending_channel_name: Mapped[str | None] = mapped_column(String(80))
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(StoredText)
    duplicate_of: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="SET NULL")
    )
    status_page: Mapped[bool | None] = mapped_column(Boolean)
    """On the public status page: None follows the policy's severities; True shown,
    False hidden (`/incident statuspage show|hide`). Never for a private incident."""
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))


class RoleAssignmentRow(Base):
    """Who held which role, from when to when: handoffs are facts, never overwritten."""

    __tablename__ = "role_assignments"
    __table_args__ = (
        Index(
            "uq_role_assignments_current",
            "incident_id",
            "role",
            unique=True,
            postgresql_where=text("ended_at IS NULL"),
            sqlite_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(32))
    user_id: Mapped[str] = mapped_column(String(32))
    assigned_by: Mapped[str] = mapped_column(String(32))
    assigned_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]


SHOWN_IN_POSTMORTEM = (
    "kind <> 'pending' AND (kind NOT IN ('bot_message', 'file_share', 'message', 'pending') "
    "OR highlighted)"
)
"""The entries a postmortem lists (not chat unless highlighted: `postmortem.CHAT_KINDS`).
Literal SQL, the same in the index and in the query, so both databases see that the
partial index answers it."""


class TimelineEntryRow(Base):
    """One fact on the incident's timeline. A Slack message maps to at most one entry."""

    __tablename__ = "timeline_entries"
    __table_args__ = (
        UniqueConstraint("slack_channel_id", "slack_ts", name="uq_timeline_entries_slack_message"),
        Index("ix_timeline_entries_incident_occurred", "incident_id", "occurred_at"),
        Index(
            "ix_timeline_entries_postmortem",
            "incident_id",
            "occurred_at",
            "id",
            sqlite_where=text(SHOWN_IN_POSTMORTEM),
            postgresql_where=text(SHOWN_IN_POSTMORTEM),
        ),
        # The report counts reminders per incident without reading the whole timeline.
        Index(
            "ix_timeline_entries_reminders",
            "incident_id",
            sqlite_where=text("kind = 'reminder'"),
            postgresql_where=text("kind = 'reminder'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    author_id: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(StoredText, default="")
    occurred_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    slack_channel_id: Mapped[str | None] = mapped_column(String(32))
    slack_ts: Mapped[str | None] = mapped_column(String(32))
    highlighted: Mapped[bool] = mapped_column(Boolean, default=False)
    edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class TimelineRevisionRow(Base):
    """A version of an entry's text other than the current one: edits never lose the original.

    `version_ts` is Slack's identity of the version (the message ts for the text as first
    posted, `edited.ts` for an edit), so a retried or reordered edit is stored once.
    """

    __tablename__ = "timeline_revisions"
    __table_args__ = (
        UniqueConstraint("entry_id", "version_ts", name="uq_timeline_revisions_entry_version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("timeline_entries.id", ondelete="CASCADE"))
    version_ts: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(StoredText)
    written_at: Mapped[datetime]
    recorded_at: Mapped[datetime]


class TimelineHighlightRow(Base):
    """One source marking an entry as key (a user's reaction, the pin, a shortcut).

    Each source is a last-writer-wins switch (`changed_at` is the Slack event time), so
    an unpin arriving before its pin, or one user's reaction removed while another's
    stays, leaves the entry marked exactly when some source still marks it.
    """

    __tablename__ = "timeline_highlights"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("timeline_entries.id", ondelete="CASCADE"), primary_key=True
    )
    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime]


class ProcessedRequestRow(Base):
    """Slack deliveries being handled (`handled_at` empty) or handled: a retry or a
    copy on another replica is answered, not re-executed."""

    __tablename__ = "processed_requests"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    team_id: Mapped[str | None] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(index=True)
    handled_at: Mapped[datetime | None]


_ONE_WAITING_HOME_REFRESH = "kind = 'refresh_homes' AND state = 'pending' AND attempts = 0"
_ONE_WAITING_ALERT_SWEEP = "kind = 'process_alerts' AND state = 'pending' AND attempts = 0"


class DueJobRow(Base):
    """The scheduler's work list: reminders and resumable steps live here, not in memory."""

    __tablename__ = "due_jobs"
    __table_args__ = (
        Index("ix_due_jobs_state_due_at", "state", "due_at"),
        # A recurring job plans its next run; replicas planning at once leave one.
        Index(
            "uq_due_jobs_one_pending_prune",
            "kind",
            unique=True,
            sqlite_where=text("kind = 'prune' AND state = 'pending'"),
            postgresql_where=text("kind = 'prune' AND state = 'pending'"),
        ),
        # Home tabs are refreshed by one job at a time that nobody has taken up yet:
        # changes while one waits join it; one taken up (attempts > 0) lets the next wait.
        Index(
            "uq_due_jobs_one_pending_refresh_homes",
            "kind",
            unique=True,
            sqlite_where=text(_ONE_WAITING_HOME_REFRESH),
            postgresql_where=text(_ONE_WAITING_HOME_REFRESH),
        ),
        # Stored alerts are swept up by one waiting job, should the process that stored
        # them die before handling them.
        Index(
            "uq_due_jobs_one_pending_process_alerts",
            "kind",
            unique=True,
            sqlite_where=text(_ONE_WAITING_ALERT_SWEEP),
            postgresql_where=text(_ONE_WAITING_ALERT_SWEEP),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    due_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(StoredText)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]


class StatusUpdateRow(Base):
    """A posted status update: the four answers, and where each audience saw it."""

    __tablename__ = "status_updates"
    __table_args__ = (
        # The report's first update per incident, from the index alone.
        Index("ix_status_updates_incident_posted", "incident_id", "posted_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    happening: Mapped[str] = mapped_column(StoredText)
    impact: Mapped[str] = mapped_column(StoredText)
    doing: Mapped[str] = mapped_column(StoredText)
    next_update_at: Mapped[datetime | None]
    posted_at: Mapped[datetime]
    due_at: Mapped[datetime | None]
    room_ts: Mapped[str | None] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    stakeholder_ts: Mapped[str | None] = mapped_column(String(32))


class ActionItemRow(Base):
    """A follow-up with an owner and a due date, tracked until done or declined."""

    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(StoredText)
    owner_id: Mapped[str | None] = mapped_column(String(32))
    due_on: Mapped[date | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(16), default="open")
    reason: Mapped[str | None] = mapped_column(StoredText)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    closed_by: Mapped[str | None] = mapped_column(String(32))
    closed_at: Mapped[datetime | None]


class PostmortemRow(Base):
    """The latest draft of an incident's postmortem, and where it was posted."""

    __tablename__ = "postmortems"

    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), primary_key=True
    )
    markdown: Mapped[str] = mapped_column(StoredText)
    drafted_at: Mapped[datetime]
    message_ts: Mapped[str | None] = mapped_column(String(32))
    file_id: Mapped[str | None] = mapped_column(String(32))
    completed_at: Mapped[datetime | None]


class UserRow(Base):
    """The user directory: how artifacts name a Slack user, refreshed from Slack
    (`users.info`, `users.list`, the `user_change` event) once it is `refreshed_at` old."""

    __tablename__ = "users"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(StoredText)
    """The name to show (display name, else real name, else handle, else the ID)."""
    real_name: Mapped[str] = mapped_column(StoredText)
    tz: Mapped[str | None] = mapped_column(String(64))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    refreshed_at: Mapped[datetime]


class HomeViewRow(Base):
    """Who has opened Warroom's Home tab, and when: only their Homes are kept fresh.
    `stale`: something it shows changed since it was last published; `view_hash`: a
    digest of what was published last, so an unchanged Home is not sent again."""

    __tablename__ = "home_views"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    opened_at: Mapped[datetime]
    opened_event: Mapped[str | None] = mapped_column(String(32))
    """The `event_ts` of the app_home_opened last handled: Slack's retry of it is not."""
    stale: Mapped[bool] = mapped_column(Boolean, default=False)
    view_hash: Mapped[str | None] = mapped_column(String(64))


class AlertReceiptRow(Base):
    """One alert notification as it arrived, stored before the sender is answered.
    `receipt_key` (what it says, not when) makes a resent notification a no-op;
    `processed_at` is empty until the alert desk has taken it into its groups."""

    __tablename__ = "alert_receipts"
    __table_args__ = (
        UniqueConstraint("receipt_key", name="uq_alert_receipts_receipt_key"),
        Index(
            "ix_alert_receipts_waiting",
            "id",
            sqlite_where=text("processed_at IS NULL"),
            postgresql_where=text("processed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(16))
    receipt_key: Mapped[str] = mapped_column(String(64))
    notification: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]


class AlertGroupRow(Base):
    """The alerts a source grouped under one key, and what Warroom did with them: its
    route, its triage card (`proposal_*`), the incident it belongs to. `cycle` counts
    the times the group fired again after all its alerts had resolved."""

    __tablename__ = "alert_groups"
    __table_args__ = (UniqueConstraint("group_hash", name="uq_alert_groups_group_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    group_hash: Mapped[str] = mapped_column(String(64))
    """sha256 of (source, group_key): group keys can be long."""
    source: Mapped[str] = mapped_column(String(16))
    group_key: Mapped[str] = mapped_column(StoredText)
    route: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    cycle: Mapped[int] = mapped_column(Integer, default=1)
    labels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    annotations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    external_url: Mapped[str | None] = mapped_column(StoredText)
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="SET NULL"), index=True
    )
    proposal_channel: Mapped[str | None] = mapped_column(String(32))
    proposal_ts: Mapped[str | None] = mapped_column(String(32))
    decided_by: Mapped[str | None] = mapped_column(String(32))
    first_started_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class AlertRow(Base):
    """One occurrence of an alert: its fingerprint from when it started firing."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint(
            "group_id", "fingerprint", "starts_at", name="uq_alerts_group_fingerprint_start"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("alert_groups.id", ondelete="CASCADE"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    labels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    annotations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source_url: Mapped[str | None] = mapped_column(StoredText)
    received_at: Mapped[datetime]
    updated_at: Mapped[datetime]
