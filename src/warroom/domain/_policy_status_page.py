"""Reading the policy's `[status_page]`: the public status page, off unless enabled."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from warroom.domain._policy_checks import Check, Table
from warroom.domain._policy_model import StatusPagePolicy

__all__ = ["read_status_page"]

TITLE_MAX = 80


def read_status_page(
    check: Check, data: Mapping[str, Any], severity_keys: tuple[str, ...]
) -> StatusPagePolicy:
    value = data.get("status_page", {})
    if not isinstance(value, dict):
        Table(check, (), data).bad("status_page", "is not a table; write [status_page]")
        return StatusPagePolicy()
    table = Table(check, ("status_page",), value)
    table.keys({}, "enabled", "severities", "title")
    default = StatusPagePolicy()
    title = table.text("title", TITLE_MAX, "it heads the page and the feed").strip()
    return StatusPagePolicy(
        enabled=table.flag("enabled", False),
        severities=_severities(table, severity_keys, default.severities),
        title=title or default.title,
    )


def _severities(table: Table, known: tuple[str, ...], default: tuple[str, ...]) -> tuple[str, ...]:
    """The listed severity keys, upper-cased; left out: the default ones the policy has."""
    if "severities" not in table.data:
        return tuple(key for key in default if key in known)
    listed = table.data["severities"]
    example = '["SEV1", "SEV2"]'
    if not isinstance(listed, list) or not all(isinstance(key, str) for key in listed):
        table.bad("severities", f"is not a list of severity keys; write it like {example}")
        return ()
    keys: list[str] = []
    for raw in listed:
        key = raw.strip().upper()
        if key in known:
            if key not in keys:
                keys.append(key)
            continue
        close = difflib.get_close_matches(key, known, n=1)
        fix = f"did you mean {close[0]}?" if close else f"name any of {', '.join(known)}"
        table.bad("severities", f'names "{raw}", which is not a severity above; {fix}')
    return tuple(keys)
