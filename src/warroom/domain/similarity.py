"""Does a new report look like an incident already open? A pure score, no I/O.

At declare time (the form, a message, an alert proposal) the open incidents are
scored against the candidate so the reporter can join the room already working
on the problem instead of opening a second one. The score is deliberately
simple and explainable:

- words: lower case letters and digits, stopwords and one-letter words dropped,
  a few English endings taken off and the rest cut to `STEM` characters, so
  "timeouts", "timed out" and "timeout" meet, as do "payments" and "payment";
- `title`: the Dice overlap of the two titles' words (what the problem *is*);
- `text`: the Dice overlap of all words (title, impact, summary), weaker;
- `labels`: for alerts, shared label values; `alertname` and the service
  labels (`service`, `job`, `app`, `namespace`, `cluster`) count most, and an
  equal `alertname` alone already passes the threshold.

The best of the title/text blend and the labels score is compared with
`THRESHOLD`. Nothing here knows who may see an incident: the caller filters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from warroom.domain.incident import Incident

__all__ = [
    "SHOWN",
    "STEM",
    "THRESHOLD",
    "Candidate",
    "Similar",
    "label_score",
    "most_similar",
    "score",
    "words",
]

STEM = 6
"""Words are compared on their first six characters (after the endings below)."""
THRESHOLD = 0.4
"""Below this an incident is not offered: a shared word or two in long texts is chance."""
SHOWN = 3
"""At most this many similar incidents are offered at once."""
TITLE_WEIGHT = 0.75
KEY_LABELS = ("alertname",)
SERVICE_LABELS = ("service", "job", "app", "namespace", "cluster")

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_ENDINGS = ("ing", "ed", "es", "s")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "being",
        "but",
        "by",
        "can",
        "cannot",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "for",
        "from",
        "had",
        "has",
        "have",
        "having",
        "i",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "may",
        "me",
        "might",
        "more",
        "most",
        "my",
        "no",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "our",
        "out",
        "over",
        "same",
        "so",
        "some",
        "still",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "too",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "all",
        "any",
        "after",
        "again",
        "before",
        "being",
        "both",
        "each",
        "few",
        "further",
        "here",
        "how",
        "other",
        "own",
        "should",
        "such",
        "about",
        "above",
        "below",
        "between",
        "during",
        "through",
        "under",
        "until",
        "against",
        "seems",
        "seem",
        "looks",
        "look",
        "getting",
        "get",
        "got",
        "since",
        "via",
        "per",
        "also",
    ]
)


def words(text: str | None) -> frozenset[str]:
    """The comparable words of `text`: see the module's docstring."""
    found: set[str] = set()
    for raw in _WORD.findall((text or "").lower()):
        if raw in STOPWORDS or (len(raw) < 2 and not raw.isdigit()):
            continue
        found.add(_stem(raw))
    return frozenset(found)


def _stem(word: str) -> str:
    if not word.isdigit():
        for ending in _ENDINGS:
            if len(word) > len(ending) + 2 and word.endswith(ending):
                word = word[: -len(ending)]
                break
    return word[:STEM]


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


@dataclass(frozen=True)
class Candidate:
    """What is about to be declared: its title, what is known of its impact, and for an
    alert its labels (`{"alertname": "CheckoutErrors", "service": "checkout"}`)."""

    title: str
    impact: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Similar:
    """An open incident that looks like the same problem, and how much (0 to 1)."""

    incident: Incident
    score: float


def label_score(a: Mapping[str, str], b: Mapping[str, str]) -> float:
    """How much two alerts' labels say "the same problem": 0.6 for the same `alertname`,
    0.3 more for a service label (service, job, app, namespace, cluster) in common, and
    for other shared labels a share of 0.1. A different `alertname`: 0; the same one on
    a different service (both name one, none in common): 0.3, below the threshold."""
    if not a or not b:
        return 0.0
    shared = {key for key in a.keys() & b.keys() if a[key] == b[key]}
    if any(key in a and key in b and a[key] != b[key] for key in KEY_LABELS):
        return 0.0
    total = 0.6 if any(key in shared for key in KEY_LABELS) else 0.0
    named = [key for key in SERVICE_LABELS if key in a and key in b]
    if total and any(key in shared for key in named):
        total += 0.3
    elif total and named:
        return 0.3
    others = shared - set(KEY_LABELS) - set(SERVICE_LABELS)
    union = (a.keys() | b.keys()) - set(KEY_LABELS) - set(SERVICE_LABELS)
    if total and union:
        total += 0.1 * len(others) / len(union)
    return round(min(total, 1.0), 4)


def score(
    candidate: Candidate, incident: Incident, labels: Mapping[str, str] | None = None
) -> float:
    """How much `incident` looks like `candidate` (0 to 1); `labels` are the incident's
    alert labels, if it came from an alert."""
    title = _dice(words(candidate.title), words(incident.title))
    text = _dice(
        words(f"{candidate.title} {candidate.impact}"),
        words(f"{incident.title} {incident.impact} {incident.summary or ''}"),
    )
    textual = TITLE_WEIGHT * title + (1 - TITLE_WEIGHT) * text
    return max(textual, label_score(candidate.labels, labels or {}))


def most_similar(
    candidate: Candidate,
    incidents: Iterable[Incident],
    *,
    labels: Mapping[int, Mapping[str, str]] | None = None,
    limit: int = SHOWN,
    threshold: float = THRESHOLD,
) -> list[Similar]:
    """The open incidents among `incidents` scoring at least `threshold`, best first (the
    newest first among equals), at most `limit`. `labels`: alert labels by incident id.
    A resolved incident, or one without a war room yet, is never offered."""
    scored: Sequence[Similar] = [
        Similar(incident, round(score(candidate, incident, (labels or {}).get(incident.id)), 4))
        for incident in incidents
        if incident.resolved_at is None and incident.channel_id is not None
    ]
    kept = [found for found in scored if found.score >= threshold]
    kept.sort(key=lambda found: (-found.score, -found.incident.number))
    return kept[:limit]
