"""A Slack user object (users.info, users.list, the `user_change` event) as a `Person`.

Pure: no client, no SDK. The name shown is the profile's display name if it has
one, else the real name, else the `name` handle, else the user ID.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from warroom.domain.people import Person

__all__ = ["person_from"]


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def person_from(user: object) -> Person | None:
    """The person a user object describes; None if it is none or names no user ID."""
    if not isinstance(user, Mapping):
        return None
    user_id = _text(user.get("id"))
    if not user_id:
        return None
    raw_profile = user.get("profile")
    profile: Mapping[str, Any] = raw_profile if isinstance(raw_profile, Mapping) else {}
    real_name = _text(profile.get("real_name")) or _text(user.get("real_name"))
    name = _text(profile.get("display_name")) or real_name or _text(user.get("name")) or user_id
    team_id = _text(user.get("team_id")) or _text(profile.get("team"))
    return Person(
        user_id=user_id,
        name=name,
        tz=_text(user.get("tz")) or None,
        real_name=real_name,
        team_id=team_id,
        deleted=user.get("deleted") is True,
    )
