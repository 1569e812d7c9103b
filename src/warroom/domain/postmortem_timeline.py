"""How one timeline entry reads in the postmortem: its label, its plain text, its lateness.

Slack's markup is undone (`plain_text`), policy keys become their labels, and
automatic events (role, severity and status changes, status updates, reminders)
are described in words. Used by `warroom.domain.postmortem`; `CHAT_KINDS`,
`TYPED_KINDS` and `plain_text` are re-exported from there.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from warroom.domain.policy import Policy
from warroom.domain.postmortem_model import TimelineFact
from warroom.domain.postmortem_time import as_utc, seconds_between
from warroom.domain.timeline import without_label

__all__ = ["CHAT_KINDS", "TYPED_KINDS", "Names", "describe", "late_by", "plain_text"]

CHAT_KINDS = frozenset({"message", "file_share", "bot_message", "pending"})
"""What people said in the room: on the postmortem timeline only when highlighted."""
TYPED_KINDS = ("note", "symptom", "hypothesis", "action", "result")
_SLACK_TEXT_KINDS = CHAT_KINDS | frozenset(TYPED_KINDS)

_REMINDERS = {
    "update_due": "Status update due",
    "update_overdue": "Status update overdue; the Incident Commander was asked",
    "update_broadcast": "Status update overdue; the broadcast channel was told",
    "commander_nag": "No Incident Commander yet; the room was asked for one",
    "commander_escalate": "Still no Incident Commander; escalated in the broadcast channel",
}
_LABELS = {
    "declared": "Declared",
    "alert": "Alert",
    "role_changed": "Role",
    "severity_changed": "Severity",
    "status_changed": "Status",
    "status_update": "Status update",
    "reminder": "Reminder",
    "reminder_snoozed": "Reminder snoozed",
    "message": "Key message",
    "file_share": "Key file",
    "bot_message": "Key bot message",
}
_UPDATE_PARTS = (("impact", "Impact"), ("doing", "Doing"))

_SLACK_MARKUP = re.compile(r"<([@#!]?)([^<>|]*)(?:\|([^<>]*))?>")


def plain_text(text: str) -> str:
    """Slack's format made plain: `<@U1|al>` → `<@U1>`, `<#C1|ops>` → `#ops`, `<!here>` →
    `@here`, `<https://x|docs>` → `docs (https://x)`, and `&amp;`, `&lt;`, `&gt;` undone."""

    def readable(match: re.Match[str]) -> str:
        sigil, target, label = match.groups()
        if sigil == "@":
            return f"<@{target}>"
        if sigil == "#":
            return f"#{label or target}"
        if sigil == "!":
            return label or f"@{target.split('^')[0]}"
        if label and label != target and not target.startswith("mailto:"):
            return f"{label} ({target})"
        return label or target

    if "<" in text:
        text = _SLACK_MARKUP.sub(readable, text)
    if "&" in text:
        text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return text


def _text_of(fact: TimelineFact) -> str:
    if fact.kind in _SLACK_TEXT_KINDS or fact.data.get("slack_format"):
        return plain_text(fact.text).strip()
    return fact.text.strip()


class Names:
    """Policy labels by key, falling back to the key for values the policy no longer has."""

    def __init__(self, policy: Policy) -> None:
        self.severity = {s.key: s.label for s in policy.severities}
        self.status = {s.key: s.label for s in policy.statuses}
        self.role = {r.key: r.name for r in policy.roles}

    def sev(self, key: object) -> str:
        return f"{key} ({self.severity[key]})" if key in self.severity else str(key)


def describe(fact: TimelineFact, names: Names) -> tuple[str, str]:
    """(label, text) of an entry on the postmortem timeline."""
    kind, data = fact.kind, fact.data
    label = _LABELS.get(kind) or kind.replace("_", " ").capitalize()
    if kind == "role_changed" and data.get("role") and data.get("user"):
        role = str(data["role"])
        text = f"{names.role.get(role, role)}: <@{data['user']}>"
        if data.get("previous"):
            text += f" (took over from <@{data['previous']}>)"
        return label, text
    if kind == "severity_changed" and "from" in data and "to" in data:
        return label, f"{names.sev(data['from'])} → {names.sev(data['to'])}"
    if kind == "status_changed" and "from" in data and "to" in data:
        old, new = str(data["from"]), str(data["to"])
        return label, f"{names.status.get(old, old)} → {names.status.get(new, new)}"
    if kind == "status_update":
        status, gist = str(data.get("status") or ""), _text_of(fact)
        parts = [f"{names.status.get(status, status)}: {gist}" if status else gist]
        parts += [
            f"{name}: {str(data[key]).strip()}" for key, name in _UPDATE_PARTS if data.get(key)
        ]
        return label, " — ".join(p for p in parts if p)
    if kind == "reminder" and data.get("job") in _REMINDERS:
        return label, _REMINDERS[str(data["job"])]
    if kind == "duplicate_linked" and data.get("duplicate"):
        return (
            label,
            f"{data['duplicate']} was declared for the same problem and closed as a duplicate",
        )
    text = without_label(label, _text_of(fact))
    files = data.get("files") if kind == "file_share" else None
    if files:
        text = f"{text} (files: {', '.join(str(f) for f in files)})".lstrip()
    return label, text


def late_by(fact: TimelineFact, at: datetime) -> tuple[int, datetime | None] | None:
    """How late a status update was (whole seconds), and when it was due."""
    due: datetime | None = None
    raw_due = fact.data.get("due_at")
    if isinstance(raw_due, str):
        try:
            due = as_utc(datetime.fromisoformat(raw_due), "due_at")
        except ValueError:
            due = None
    late = fact.data.get("late_by_s") if "late_by_s" in fact.data else seconds_between(due, at)
    if not isinstance(late, int | float) or isinstance(late, bool) or late < 1:
        return None
    return int(late), due if due is not None else at - timedelta(seconds=int(late))
