"""Which reminder a message is, read off its text as people see it in Slack."""

from __future__ import annotations

import re

__all__ = ["REMINDER_PATTERNS", "reminder_kind"]

REMINDER_PATTERNS = {
    "update_due": re.compile(
        r"^⏰ <@\w+>, (?:a status update for )?\*(INC-\d+)\* (?:is due now|has had no status)"
    ),
    "update_overdue": re.compile(r"^⚠️ <@\w+>, \*(INC-\d+)\* has had no status update for"),
    "update_broadcast": re.compile(r"^🔕 \*(INC-\d+)\* SEV\d: no update for"),
    "update_stakeholders": re.compile(r"^⏳ \*(INC-\d+)\* SEV\d — .*: the status update is late"),
    "commander_nag": re.compile(r"^🧭 \*(INC-\d+)\* has had no "),
    "commander_escalate": re.compile(r"^🚨 (?:<!subteam\^\w+> )?\*(INC-\d+)\* SEV\d has had no "),
}


def reminder_kind(text: str) -> tuple[str, str] | None:
    """(incident reference, reminder kind) of a reminder's text; None for anything else."""
    for kind, pattern in REMINDER_PATTERNS.items():
        if found := pattern.match(text):
            return found.group(1), kind
    return None
