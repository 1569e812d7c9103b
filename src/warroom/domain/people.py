"""People as artifacts name them: a Slack user's display name and time zone.

Slack messages keep `<@U123>` (Slack renders each mention for its reader);
documents a person reads outside Slack (the postmortem, `warroom export`) show
the name the directory knows, or the user ID when it knows none.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Person", "unknown"]


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    """The name to show: the display name, else the real name, else the handle, else the ID."""
    tz: str | None = None
    """IANA time zone (`Europe/Lisbon`), None when Slack gave none."""
    real_name: str = ""
    team_id: str = ""
    deleted: bool = False


def unknown(user_id: str) -> Person:
    """Someone the directory could not name: shown by their user ID."""
    return Person(user_id=user_id, name=user_id)
