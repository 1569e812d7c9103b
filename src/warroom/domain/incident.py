"""The incident as the rest of the code sees it: an immutable snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["Incident", "RoleHolder", "reference"]


def reference(number: int) -> str:
    """The name people say out loud: `INC-42`."""
    return f"INC-{number}"


@dataclass(frozen=True)
class RoleHolder:
    role: str
    user_id: str
    assigned_by: str
    assigned_at: datetime


@dataclass(frozen=True)
class Incident:
    id: int
    team_id: str
    number: int
    title: str
    impact: str
    severity: str
    status: str
    private: bool
    reporter_id: str
    declared_at: datetime
    started_at: datetime | None = None
    summary: str | None = None
    """The gist of the latest status update (or, once resolved, the resolution)."""
    root_cause: str | None = None
    invitees: tuple[str, ...] = ()
    channel_id: str | None = None
    channel_name: str | None = None
    card_ts: str | None = None
    announcement_channel_id: str | None = None
    announcement_ts: str | None = None
    acknowledged_at: datetime | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    last_update_at: datetime | None = None
    next_update_due_at: datetime | None = None
    provisioned_at: datetime | None = None
    provision_error: str | None = None
    pending_channel_name: str | None = None
    """A channel Warroom asked Slack to create for this room and never heard back about."""
    cancelled_at: datetime | None = None
    """A false alarm or a duplicate: ended (resolved and closed) without a postmortem."""
    cancel_reason: str | None = None
    duplicate_of: int | None = None
    """The incident's id this one duplicated, when that is why it was cancelled."""
    roles: tuple[RoleHolder, ...] = ()

    @property
    def reference(self) -> str:
        return reference(self.number)

    def involves(self, user_id: str) -> bool:
        """The reporter, an invited responder, or a role holder. Not who may see a private
        incident: that is who is in its room now (`warroom.services.audience`)."""
        return user_id in {self.reporter_id, *self.invitees} or any(
            holder.user_id == user_id for holder in self.roles
        )

    def holder(self, role: str) -> str | None:
        return next((r.user_id for r in self.roles if r.role == role), None)
