"""The public status page's rules: which incidents it shows, and text safe to show there.

The page says only what stakeholders are told in Slack (`update_compact`): the
incident's reference, severity and status, and its latest update's "what is
happening" and "impact", each cut to the same length; once resolved, the
resolution, which the resolve form asks for in words for stakeholders. Never a
name, a channel, a link, the title or anything of a private incident.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from warroom.domain.policy import StatusPagePolicy

__all__ = [
    "HISTORY",
    "SHOWN",
    "PublicIncident",
    "PublicUpdate",
    "StatusPage",
    "StatusPageEntry",
    "public_text",
    "shown_on_status_page",
]

HISTORY = timedelta(days=90)
"""How far back resolved incidents stay on the page."""
SHOWN = 600
"""The most of each answer shown, as in the stakeholder channel (`COMPACT_SHOWN`)."""


@dataclass(frozen=True)
class PublicUpdate:
    """The parts of a status update stakeholders see."""

    status: str
    happening: str
    impact: str
    posted_at: datetime
    next_update_at: datetime | None


@dataclass(frozen=True)
class StatusPageEntry:
    """An incident as the store hands it to the status page (the store's query already
    leaves out private and cancelled incidents; the service checks again)."""

    number: int
    severity: str
    status: str
    declared_at: datetime
    started_at: datetime | None
    resolved_at: datetime | None
    resolution: str | None
    latest: PublicUpdate | None
    private: bool = False
    flag: bool | None = None
    """`/incident statuspage show|hide`; None: as the policy's severities say."""


@dataclass(frozen=True)
class PublicIncident:
    """One incident as the page shows it: labels, not keys, and text made public."""

    reference: str
    severity: str
    severity_label: str
    status: str
    status_label: str
    started_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    happening: str | None
    impact: str | None
    resolution: str | None
    next_update_at: datetime | None

    @property
    def ongoing(self) -> bool:
        return self.resolved_at is None


@dataclass(frozen=True)
class StatusPage:
    title: str
    timezone: str
    generated_at: datetime
    current: tuple[PublicIncident, ...]
    """Open now, most severe first."""
    past: tuple[PublicIncident, ...]
    """Resolved within `HISTORY`, latest first."""

    @property
    def updated_at(self) -> datetime:
        """When the page's news last changed (the feed's `updated`)."""
        times = [i.updated_at for i in (*self.current, *self.past)]
        return max(times, default=self.generated_at)


def shown_on_status_page(
    policy: StatusPagePolicy, *, severity: str, private: bool, flag: bool | None
) -> bool:
    """A private incident never; otherwise the incident's own flag where set (`/incident
    statuspage show|hide`), else whether the policy lists its severity."""
    if private:
        return False
    if flag is not None:
        return flag
    return severity.upper() in policy.severities


_SLACK_MARKUP = re.compile(r"<([@#!]?)([^<>|]*)(?:\|([^<>]*))?>")
_URL = re.compile(r"\b(?:https?|ftp|slack)://\S+|\bwww\.\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w.+-])@[A-Za-z0-9][\w.-]*")
_CHANNEL = re.compile(r"(?<![\w&#])#[a-z][a-z0-9_-]*", re.IGNORECASE)
_LINK_TARGET = re.compile(r"[a-z][a-z0-9+.-]*:", re.IGNORECASE)
_SPACES = re.compile(r"[ \t]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
SOMEONE = "someone"
A_CHANNEL = "an internal channel"
A_LINK = "[link removed]"


def _markup(match: re.Match[str]) -> str:
    sigil, target, label = match.group(1), match.group(2), match.group(3)
    if sigil == "@":
        return SOMEONE
    if sigil == "#":
        return A_CHANNEL
    if sigil == "!":
        return SOMEONE if target.startswith("subteam^") else ""
    if not _LINK_TARGET.match(target):
        return match.group(0)  # not Slack's markup: text in angle brackets, kept (and escaped)
    return label if label and not _URL.search(label) else A_LINK


def public_text(text: str, limit: int = SHOWN) -> str:
    """What people typed, fit for a public page: Slack's mentions, @handles and #channels
    become "someone" and "an internal channel", links are removed, Slack's escapes are
    undone, and it is cut to `limit` characters. Plain text: escape it where it is shown."""
    out = _SLACK_MARKUP.sub(_markup, text)
    out = out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    out = _URL.sub(A_LINK, out)
    out = _HANDLE.sub(SOMEONE, out)
    out = _CHANNEL.sub(A_CHANNEL, out)
    out = _CONTROL.sub("", out)
    out = "\n".join(_SPACES.sub(" ", line).strip() for line in out.splitlines()).strip()
    if len(out) > limit:
        out = out[: limit - 1].rstrip() + "…"
    return out
