"""Open incidents that look like the one about to be declared, and joining one instead.

`similar_open_incidents` reads the team's open incidents in one query, scores them
with `domain.similarity` and only then asks `Audience` about the few that scored:
a private incident is offered only to the people in its room now, so nobody else
learns it exists (not its title, not its number, not that it matched). The usual
declaration, with nothing similar open, costs that one indexed query.

`join` invites the person to the room of the incident they picked, after checking
they may see it; Slack's refusal (an archived room, say) comes back as `NotJoined`
with a reason a person can act on, never as silence.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from warroom.domain.incident import Incident
from warroom.domain.similarity import SHOWN, Candidate, Similar, most_similar
from warroom.services.audience import Audience
from warroom.slack.errors import SlackFailure
from warroom.slack.gateway import SlackGateway
from warroom.store import alerts, incidents
from warroom.store.engine import Store

__all__ = ["OPEN_READ", "Joined", "NotJoined", "SimilarIncidents"]

log = logging.getLogger(__name__)

OPEN_READ = 200
"""Open incidents read for one check, newest first (more than any team has open at once)."""
_REASONS = {
    "is_archived": "its room is archived",
    "channel_not_found": "its room no longer exists",
    "not_in_channel": "Warroom is no longer in its room",
    "restricted_action": "your workspace does not let Warroom invite people there",
    "cant_invite": "Slack would not invite you there",
    "user_is_restricted": "guests cannot be invited there",
    "ura_max_channels": "guests cannot be invited there",
}


@dataclass(frozen=True)
class Joined:
    """The person is in the incident's room now (or already was)."""

    incident: Incident
    already: bool = False


@dataclass(frozen=True)
class NotJoined:
    """Why the person was not brought in; `incident` is None when they may not even know
    which incident it was (a private one, or one that is gone)."""

    reason: str
    incident: Incident | None = None


@dataclass
class SimilarIncidents:
    store: Store
    gateway: SlackGateway
    audience: Audience

    async def similar_open_incidents(
        self,
        team_id: str,
        viewer: str,
        title: str,
        impact: str = "",
        labels: Mapping[str, str] | None = None,
        *,
        labels_by_incident: Mapping[int, Mapping[str, str]] | None = None,
        limit: int = SHOWN,
    ) -> list[Similar]:
        """The open incidents of `team_id` with a war room that look like `title` /
        `impact` (and, for an alert, share its `labels` with their own alerts; read from
        the store unless `labels_by_incident` gives them), best first, at most `limit`,
        and only those `viewer` may see."""
        candidate = Candidate(title or "", impact or "", dict(labels or {}))
        if not (candidate.title.strip() or candidate.impact.strip() or candidate.labels):
            return []
        async with self.store.read() as session:
            open_now = await incidents.open_in_team(session, team_id, limit=OPEN_READ)
            if candidate.labels and labels_by_incident is None:
                labels_by_incident = await alerts.labels_by_incident(
                    session, [i.id for i in open_now]
                )
        scored = most_similar(
            candidate, open_now, labels=labels_by_incident, limit=len(open_now) or 1
        )
        if not scored:
            return []
        allowed = {i.id for i in await self.audience.visible(viewer, [s.incident for s in scored])}
        return [found for found in scored if found.incident.id in allowed][:limit]

    async def join(self, incident_id: int, user_id: str) -> Joined | NotJoined:
        """Bring `user_id` into the war room of an open incident they may see."""
        async with self.store.read() as session:
            incident = await incidents.find(session, incident_id)
        if incident is None or not await self.audience.may_see(user_id, incident):
            return NotJoined("that incident is not one you can join")
        if incident.resolved_at is not None:
            return NotJoined("it has been resolved meanwhile", incident)
        room = incident.channel_id
        if room is None:
            return NotJoined("its room is still being set up; try again in a moment", incident)
        if incident.private:  # may_see: already in its room
            return Joined(incident, already=True)
        try:
            problems = await self.gateway.invite(room, [user_id])
        except SlackFailure as failure:
            log.info("%s: could not invite %s: %s", incident.reference, user_id, failure)
            return NotJoined(_REASONS.get(failure.error, f"Slack said `{failure.error}`"), incident)
        for problem in problems:
            if problem.user_id == user_id:
                reason = _REASONS.get(problem.error, f"Slack said `{problem.error}`")
                return NotJoined(reason, incident)
        self.audience.forget(room)
        return Joined(incident)
