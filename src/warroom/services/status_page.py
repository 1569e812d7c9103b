"""The public status page: what it shows, and the flag that adds or hides an incident.

`page` reads what the store may show (public, not cancelled, open or resolved within
`HISTORY`, flagged or of a listed severity) and makes it public: labels for keys, and
only the stakeholder-safe text (`warroom.domain.status_page.public_text`). `show` and
`hide` set an incident's flag; whoever may post its updates may, never for a private one.
"""

from __future__ import annotations

from dataclasses import dataclass

from warroom.domain.clock import Clock
from warroom.domain.incident import Incident, reference
from warroom.domain.permissions import Action
from warroom.domain.policy import Policy
from warroom.domain.status_page import (
    HISTORY,
    PublicIncident,
    StatusPage,
    StatusPageEntry,
    public_text,
    shown_on_status_page,
)
from warroom.services.lifecycle import Refused
from warroom.services.permissions import Guard
from warroom.store import incidents, status_page
from warroom.store.engine import Store

__all__ = ["FlagChange", "StatusPageService"]


@dataclass(frozen=True)
class FlagChange:
    incident: Incident
    shown: bool
    changed: bool
    """False when the flag already said so."""
    page_enabled: bool


@dataclass
class StatusPageService:
    store: Store
    policy: Policy
    clock: Clock
    guard: Guard

    @property
    def enabled(self) -> bool:
        return self.policy.status_page.enabled

    async def page(self) -> StatusPage:
        now = self.clock()
        settings = self.policy.status_page
        async with self.store.read() as session:
            found = await status_page.entries(
                session, severities=settings.severities, since=now - HISTORY
            )
        shown = [
            self._public(entry)
            for entry in found
            if shown_on_status_page(
                settings, severity=entry.severity, private=entry.private, flag=entry.flag
            )
        ]
        rank = {level.key: level.rank for level in self.policy.severities}
        current = sorted(
            (i for i in shown if i.ongoing),
            key=lambda i: (rank.get(i.severity, len(rank) + 1), -i.started_at.timestamp()),
        )
        past = sorted(
            (i for i in shown if not i.ongoing),
            key=lambda i: i.resolved_at or i.started_at,
            reverse=True,
        )
        return StatusPage(
            title=settings.title,
            timezone=self.policy.timezone,
            generated_at=now,
            current=tuple(current),
            past=tuple(past),
        )

    def _public(self, entry: StatusPageEntry) -> PublicIncident:
        latest = entry.latest
        times = [entry.declared_at, entry.resolved_at, latest.posted_at if latest else None]
        return PublicIncident(
            reference=reference(entry.number),
            severity=entry.severity,
            severity_label=self._label("severity", entry.severity),
            status=entry.status,
            status_label=self._label("status", entry.status),
            started_at=entry.started_at or entry.declared_at,
            updated_at=max(at for at in times if at is not None),
            resolved_at=entry.resolved_at,
            happening=public_text(latest.happening) if latest else None,
            impact=public_text(latest.impact) if latest else None,
            resolution=public_text(entry.resolution) if entry.resolution else None,
            next_update_at=(
                latest.next_update_at if latest and entry.resolved_at is None else None
            ),
        )

    def _label(self, kind: str, key: str) -> str:
        """The policy's label; the key itself for a key the policy no longer has."""
        try:
            if kind == "severity":
                return self.policy.severity(key).label
            return self.policy.status(key).label
        except KeyError:
            return key

    async def show(self, incident_id: int, by: str) -> FlagChange:
        return await self._flag(incident_id, True, by)

    async def hide(self, incident_id: int, by: str) -> FlagChange:
        return await self._flag(incident_id, False, by)

    async def _flag(self, incident_id: int, shown: bool, by: str) -> FlagChange:
        """Refused for a private incident; NotPermitted unless `by` may post its updates."""
        async with self.store.read() as session:
            incident = await incidents.load(session, incident_id)
        if incident.private:
            raise _private(incident)
        actor = await self.guard.admit(incident_id, by, Action.POST_UPDATE)
        async with self.store.transaction() as session:
            incident = await self.guard.hold(session, incident_id, actor, Action.POST_UPDATE)
            if incident.private:
                raise _private(incident)
            before = await status_page.flag(session, incident_id)
            if before is not shown:
                await status_page.set_flag(session, incident_id, shown)
        return FlagChange(incident, shown, before is not shown, self.enabled)


def _private(incident: Incident) -> Refused:
    return Refused(
        f"{incident.reference} is private, so it is never on the public status page; "
        "nothing was changed."
    )
