"""Finding incidents across the workspace: `/incident list` and `/incident find`.

Only what the person may see leaves here: the store's candidates (private ones
included) are filtered with `Audience.visible` before anything is counted, so a
private incident someone is not in changes neither what they are shown nor the
"and N more" (not even that it matched).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from warroom.domain.clock import Clock
from warroom.domain.finding import (
    FIND_SHOWN,
    LIST_SHOWN,
    OPEN,
    Found,
    Listing,
    parse_list_query,
    search_terms,
)
from warroom.domain.incident import Incident
from warroom.domain.policy import Policy
from warroom.services.audience import Audience
from warroom.store import search
from warroom.store.engine import Store

__all__ = ["FIND_FETCHED", "LIST_FETCHED", "Finder"]

LIST_FETCHED = 200
"""Incidents read for one list (before filtering); beyond this, "and N more" undercounts."""
FIND_FETCHED = 100
"""Best matches read for one search (before filtering)."""


@dataclass
class Finder:
    store: Store
    audience: Audience
    policy: Policy
    clock: Clock

    async def list(self, team_id: str, viewer: str, words: Sequence[str]) -> Listing:
        """The incidents `words` ask for (`open` by default) that `viewer` may see; open
        ones most severe first. BadListQuery for a word not understood."""
        query = parse_list_query(words, self.policy.severity_keys())
        now = self.clock()
        async with self.store.read() as session:
            found = await search.listed(
                session, team_id, query, viewer=viewer, now=now, limit=LIST_FETCHED
            )
        visible = await self.audience.visible(viewer, found)
        if query.scope == OPEN:
            visible.sort(key=self._severity_rank)  # stable: newest first within a severity
        shown = visible[:LIST_SHOWN]
        return Listing(query=query, shown=tuple(shown), more=len(visible) - len(shown), now=now)

    async def find(self, team_id: str, viewer: str, text: str) -> Found:
        """The incidents whose title, summary, impact or a key timeline entry holds every
        word of `text`, best first, that `viewer` may see. No words: nothing found."""
        terms = search_terms(text)
        now = self.clock()
        if not terms:
            return Found(terms=terms, matches=(), more=0, now=now)
        async with self.store.read() as session:
            matches = await search.matching(session, team_id, terms, limit=FIND_FETCHED)
        allowed = {i.id for i in await self.audience.visible(viewer, [m.incident for m in matches])}
        visible = [m for m in matches if m.incident.id in allowed]
        shown = visible[:FIND_SHOWN]
        return Found(terms=terms, matches=tuple(shown), more=len(visible) - len(shown), now=now)

    def _severity_rank(self, incident: Incident) -> int:
        try:
            return self.policy.severity(incident.severity).rank
        except KeyError:  # a severity since removed from the policy: last
            return len(self.policy.severities) + 1
