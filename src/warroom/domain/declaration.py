"""What a declaration must contain, checked before anything is created."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from warroom.domain.policy import Policy

__all__ = [
    "IMPACT_MAX",
    "TITLE_MAX",
    "Declaration",
    "DeclarationForm",
    "DeclaredFrom",
    "validate_declaration",
]

TITLE_MAX = 120
IMPACT_MAX = 2000
CLOCK_SKEW = timedelta(minutes=2)


@dataclass(frozen=True)
class DeclarationForm:
    """What the reporter typed, unvalidated."""

    title: str | None
    severity: str | None
    impact: str | None
    started_at: datetime | None
    private: bool
    responders: tuple[str, ...]


@dataclass(frozen=True)
class Declaration:
    title: str
    severity: str
    impact: str
    started_at: datetime | None
    private: bool
    responders: tuple[str, ...]


@dataclass(frozen=True)
class DeclaredFrom:
    """The Slack message an incident was declared from (the "Declare incident" message
    shortcut): where it is, the thread to answer in, and Slack's link to it if known."""

    channel_id: str
    ts: str
    thread_ts: str | None = None
    """The thread the message is in, when it is itself a reply; else its own thread."""
    permalink: str | None = None

    @property
    def reply_thread(self) -> str:
        """The `thread_ts` a reply about it goes under."""
        return self.thread_ts or self.ts

    def to_data(self) -> dict[str, str]:
        data = {"channel": self.channel_id, "ts": self.ts}
        if self.thread_ts:
            data["thread_ts"] = self.thread_ts
        if self.permalink:
            data["permalink"] = self.permalink
        return data

    @classmethod
    def from_data(cls, data: object) -> DeclaredFrom | None:
        """Back from `to_data` (a timeline entry, a modal's metadata); None if malformed."""
        if not isinstance(data, dict):
            return None
        channel, ts = data.get("channel"), data.get("ts")
        if not (isinstance(channel, str) and channel and isinstance(ts, str) and ts):
            return None
        thread_ts, permalink = data.get("thread_ts"), data.get("permalink")
        return cls(
            channel_id=channel,
            ts=ts,
            thread_ts=thread_ts if isinstance(thread_ts, str) and thread_ts else None,
            permalink=permalink if isinstance(permalink, str) and permalink else None,
        )


def _clean(text: str | None) -> str:
    return " ".join((text or "").split()) if text else ""


def validate_declaration(
    form: DeclarationForm, policy: Policy, now: datetime
) -> Declaration | dict[str, str]:
    """A valid `Declaration`, or a message per field ('title', 'severity', ...)."""
    errors: dict[str, str] = {}
    title = _clean(form.title)
    if not title:
        errors["title"] = "Give the incident a title: what is broken, in a few words."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"Keep the title to {TITLE_MAX} characters (it has {len(title)})."
    severity = (form.severity or "").strip()
    try:
        severity = policy.severity(severity).key
    except KeyError:
        errors["severity"] = "Pick a severity. When unsure, pick the higher one."
    impact = (form.impact or "").strip()
    if not impact:
        errors["impact"] = "Say who or what is affected, even roughly."
    elif len(impact) > IMPACT_MAX:
        errors["impact"] = f"Keep the impact to {IMPACT_MAX} characters (it has {len(impact)})."
    if form.started_at is not None and form.started_at > now + CLOCK_SKEW:
        errors["started_at"] = "The start time is in the future; leave it empty if unknown."
    if errors:
        return errors
    return Declaration(
        title=title,
        severity=severity,
        impact=impact,
        started_at=form.started_at,
        private=form.private,
        responders=tuple(dict.fromkeys(form.responders)),
    )
