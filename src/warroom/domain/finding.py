"""Finding incidents: what `/incident list` asks for, the words `/incident find` looks
for, and the answers both give (before anything is shown, only what the person may see).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from warroom.domain.incident import Incident

__all__ = [
    "ALL",
    "FIND_SHOWN",
    "LIST_SHOWN",
    "MAX_TERMS",
    "OPEN",
    "RECENT",
    "RECENT_FOR",
    "SCOPES",
    "BadListQuery",
    "Found",
    "ListQuery",
    "Listing",
    "Match",
    "parse_list_query",
    "search_terms",
]

OPEN, RECENT, ALL = "open", "recent", "all"
SCOPES = (OPEN, RECENT, ALL)
MINE = "mine"
RECENT_FOR = timedelta(days=7)
"""`recent`: resolved (or cancelled) this long ago at most."""
LIST_SHOWN = 20
FIND_SHOWN = 10
MAX_TERMS = 8
"""Words of a search beyond this many are left out (each one narrows it anyway)."""
TERM_CHARS = 64

# A word as both databases' tokenizers see one: a run of letters and digits (SQLite's
# unicode61 and PostgreSQL's parser both split on punctuation, `_` included).
_TERM = re.compile(r"[^\W_]+")


class BadListQuery(ValueError):
    """`/incident list` was given a word it does not know (`word`), or two scopes at
    once (`word` is None)."""

    def __init__(self, word: str | None) -> None:
        super().__init__(word or "two scopes")
        self.word = word


@dataclass(frozen=True)
class ListQuery:
    scope: str = OPEN
    """`open` (not resolved), `recent` (resolved in the last 7 days) or `all`."""
    mine: bool = False
    """Only incidents where the person holds a role now or which they reported."""
    severities: tuple[str, ...] = ()
    """The policy's keys (`SEV1`); empty for every severity."""


def parse_list_query(words: Sequence[str], severity_keys: Sequence[str]) -> ListQuery:
    """`open`, `recent`, `all`, `mine` and severities, in any order and case: `open SEV1`,
    `mine recent`, `sev1 sev2`. BadListQuery names the first word not understood."""
    scope: str | None = None
    mine = False
    severities: list[str] = []
    by_key = {key.casefold(): key for key in severity_keys}
    for word in words:
        folded = word.casefold()
        if folded in SCOPES:
            if scope is not None and scope != folded:
                raise BadListQuery(None)
            scope = folded
        elif folded == MINE:
            mine = True
        elif folded in by_key:
            if by_key[folded] not in severities:
                severities.append(by_key[folded])
        else:
            raise BadListQuery(word)
    return ListQuery(scope=scope or OPEN, mine=mine, severities=tuple(severities))


def search_terms(text: str) -> tuple[str, ...]:
    """The words to look for: lower case, each once, at most `MAX_TERMS`. Punctuation
    (quotes, `*`, `-`, parentheses) only separates words: nothing typed is an operator."""
    terms: list[str] = []
    for found in _TERM.findall(text):
        term = found.lower()[:TERM_CHARS]
        if term not in terms:
            terms.append(term)
        if len(terms) == MAX_TERMS:
            break
    return tuple(terms)


@dataclass(frozen=True)
class Listing:
    """`/incident list`'s answer: the first incidents shown, and how many more there are."""

    query: ListQuery
    shown: tuple[Incident, ...]
    more: int
    now: datetime


@dataclass(frozen=True)
class Match:
    """An incident a search found; `excerpt` is the key timeline entry that matched best,
    if one did (in Slack's format when `slack_format`)."""

    incident: Incident
    excerpt: str | None = None
    slack_format: bool = True


@dataclass(frozen=True)
class Found:
    """`/incident find`'s answer, best first."""

    terms: tuple[str, ...]
    matches: tuple[Match, ...]
    more: int
    now: datetime
