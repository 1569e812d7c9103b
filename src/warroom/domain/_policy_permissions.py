"""Reading the policy's `[permissions]` section: who may take each action, and the admins."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

from warroom.domain._policy_checks import Check, Table
from warroom.domain.permissions import (
    DEFAULT_PERMISSIONS,
    FIXED_AUDIENCES,
    Action,
    Admins,
    Permissions,
)

__all__ = ["read_permissions"]

_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
_USERGROUP_ID = re.compile(r"S[A-Z0-9]{2,}")
_EXAMPLE = '["commander", "reporter", "admins"]'


def read_permissions(
    check: Check, data: Mapping[str, Any], role_keys: tuple[str, ...]
) -> Permissions:
    value = data.get("permissions", {})
    if not isinstance(value, dict):
        Table(check, (), data).bad("permissions", "is not a table; write [permissions]")
        return DEFAULT_PERMISSIONS
    table = Table(check, ("permissions",), value)
    table.keys({}, "admins", *(action.value for action in Action))
    known = (*FIXED_AUDIENCES, *role_keys)
    read = {action: _audiences(table, action, known) for action in Action if action in value}
    return Permissions(
        rules=tuple(
            (action, read.get(action) or DEFAULT_PERMISSIONS.who_may(action)) for action in Action
        ),
        admins=_read_admins(table),
    )


def _audiences(table: Table, action: Action, known: tuple[str, ...]) -> tuple[str, ...] | None:
    listed = table.data[action.value]
    if not isinstance(listed, list) or not all(isinstance(name, str) for name in listed):
        table.bad(action.value, f"is not a list of audiences; write it like {_EXAMPLE}")
        return None
    if not listed:
        table.bad(
            action.value,
            'names nobody, so nobody could do it; name at least one audience, like ["admins"]',
        )
        return None
    names = [name.strip().lower() for name in listed]
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            fix = (
                f"did you mean {close[0]}?"
                if close
                else f"name any of {', '.join(FIXED_AUDIENCES)}, or a role key "
                f"({', '.join(known[len(FIXED_AUDIENCES) :])})"
            )
            table.bad(action.value, f'names "{name}", which is not an audience; {fix}')
    return tuple(name for name in names if name in known)


def _read_admins(permissions: Table) -> Admins:
    value = permissions.data.get("admins", {})
    if not isinstance(value, dict):
        permissions.bad(
            "admins",
            'is not a table; write admins = { users = ["U012AB3CD"], usergroup = "S0614TZR7" }',
        )
        return Admins()
    table = Table(permissions.check, ("permissions", "admins"), value)
    table.keys({}, "users", "usergroup")
    users = value.get("users", [])
    if not isinstance(users, list) or not all(isinstance(user, str) for user in users):
        table.bad("users", 'is not a list of Slack user IDs; write it like ["U012AB3CD"]')
        users = []
    for user in users:
        if not _USER_ID.fullmatch(user.strip()):
            table.bad(
                "users",
                f'has "{user}", which is not a Slack user ID (U and capitals or digits); '
                "copy it from the person's profile (⋮ → Copy member ID)",
            )
    group = value.get("usergroup")
    if group is not None and not (isinstance(group, str) and _USERGROUP_ID.fullmatch(group)):
        table.bad(
            "usergroup",
            'is not a Slack user group ID; write the group\'s ID, like "S0614TZR7" '
            "(not its @handle)",
        )
        group = None
    return Admins(
        users=frozenset(u.strip() for u in users if _USER_ID.fullmatch(u.strip())),
        usergroup=group,
    )
