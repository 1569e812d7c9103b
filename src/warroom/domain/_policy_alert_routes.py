"""Reading the policy's `[[alert_routes]]`: where incoming alerts go, checked as a whole."""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from warroom.domain._policy_checks import Check, Table
from warroom.domain._policy_model import (
    ALERT_ACTIONS,
    DEFAULT_ALERT_IMPACT,
    DEFAULT_ALERT_TITLE,
    MAX_ALERT_ROUTES,
    AlertAction,
    AlertRoute,
)
from warroom.domain._policy_source import where_name
from warroom.domain.alert_routing import template_problem

__all__ = ["read_alert_routes"]

_REQUIRED = {"name": '"payments-down"', "action": '"declare" (or "propose" or "attach")'}
_OPTIONAL = (
    "match",
    "match_re",
    "severity",
    "title",
    "impact",
    "responders",
    "usergroup",
    "channel",
    "private",
)
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
_USERGROUP_ID = re.compile(r"S[A-Z0-9]{2,}")
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,}")
_EXAMPLES = {
    "match": '{ service = "payments", severity = "critical" }',
    "match_re": '{ alertname = "Payments.*|Checkout.*" }',
}
_T = TypeVar("_T")
_TEMPLATE_FIX = (
    "fix the template: it may use labels, annotations, status, source, alerts and "
    'group_key, with values in {{ }}, like "{{ labels.alertname }} on {{ labels.service }}"'
)


def read_alert_routes(
    check: Check, data: Mapping[str, Any], severity_keys: tuple[str, ...]
) -> tuple[AlertRoute, ...]:
    listed = data.get("alert_routes", [])
    if isinstance(listed, list) and len(listed) > MAX_ALERT_ROUTES:
        check.problem(
            ("alert_routes", MAX_ALERT_ROUTES),
            f"alert_routes has {len(listed)} entries, more than {MAX_ALERT_ROUTES}; "
            'merge routes with match_re (like alertname = "Disk.*|Memory.*")',
        )
    tables = check.tables(data, "alert_routes", "alert route", sys.maxsize)
    routes = [_read_route(table, severity_keys) for table in tables]
    _check_names(tables, routes)
    _check_reachable(tables, routes)
    return tuple(routes)


def _read_route(table: Table, severity_keys: tuple[str, ...]) -> AlertRoute:
    table.keys(_REQUIRED, *_OPTIONAL)
    name = table.text("name", 60).strip()
    if name and not _NAME.fullmatch(name):
        table.bad(
            "name",
            'is not a valid route name; use lower-case letters, digits and -, like "payments-down"',
        )
    action = _action(table)
    severity = _severity(table, severity_keys)
    if action == "declare" and severity is None and "severity" not in table.data:
        table.check.problem(
            (*table.where, "action"),
            f"{where_name(table.where)} declares incidents but has no severity; add severity = "
            f'"{severity_keys[0] if severity_keys else "SEV1"}" (a severity key of this policy)',
        )
    return AlertRoute(
        name=name,
        action=action,
        match=_conditions(table, "match", _equals),
        match_re=_conditions(table, "match_re", _pattern),
        severity=severity,
        title=_template(table, "title", 1000, DEFAULT_ALERT_TITLE),
        impact=_template(table, "impact", 4000, DEFAULT_ALERT_IMPACT),
        responders=_responders(table),
        usergroup=_slack_id(
            table,
            "usergroup",
            _USERGROUP_ID,
            'is not a Slack user group ID; write the group\'s ID, like "S0614TZR7" '
            "(not its @handle)",
        ),
        channel=_slack_id(
            table,
            "channel",
            _CHANNEL_ID,
            'is not a Slack channel ID; write the channel\'s ID, like "C0123456789" '
            "(not its #name: channel details → About → Channel ID)",
        ),
        private=table.flag("private", False),
    )


def _action(table: Table) -> AlertAction:
    value = table.data.get("action", "propose")
    for action in ALERT_ACTIONS:
        if isinstance(value, str) and value.strip().lower() == action:
            return action
    close = difflib.get_close_matches(str(value).lower(), ALERT_ACTIONS, n=1)
    fix = f'did you mean "{close[0]}"? ' if close else ""
    table.bad(
        "action",
        f'is not an action; {fix}write "declare" (open an incident), "propose" (post a '
        'triage card) or "attach" (add to the open incident for the same alerts)',
    )
    return "propose"


def _severity(table: Table, severity_keys: tuple[str, ...]) -> str | None:
    if "severity" not in table.data:
        return None
    value = table.text("severity", 40).strip()
    for key in severity_keys:
        if key and key.casefold() == value.casefold():
            return key
    if value:
        valid = ", ".join(key for key in severity_keys if key) or "(none)"
        table.bad("severity", f"is not a severity of this policy; use one of {valid}")
    return None


def _equals(table: Table, key: str, value: str) -> str:
    return value


def _pattern(table: Table, key: str, value: str) -> re.Pattern[str] | None:
    try:
        return re.compile(value)
    except re.error as exc:
        table.bad(
            key,
            f"is not a valid regular expression: {exc}; fix it (Python's re syntax, "
            "matched against the whole value)",
        )
        return None


def _conditions(
    route: Table, key: str, read: Callable[[Table, str, str], _T | None]
) -> tuple[tuple[str, _T], ...]:
    example = _EXAMPLES[key]
    value = route.data.get(key, {})
    if not isinstance(value, dict):
        route.bad(key, f"is not a table of labels; write it like {key} = {example}")
        return ()
    table = Table(route.check, (*route.where, key), value)
    found = []
    for label, wanted in value.items():
        if not isinstance(wanted, str):
            table.bad(
                label,
                f"is not text; put it in quotes, like {key} = {example} (labels are text)",
            )
        elif (condition := read(table, label, wanted)) is not None:
            found.append((label, condition))
    return tuple(found)


def _template(table: Table, key: str, limit: int, default: str) -> str:
    if key not in table.data:
        return default
    template = table.text(key, limit)
    if not template.strip():
        return default
    if problem := template_problem(template):
        table.bad(key, f"{problem}; {_TEMPLATE_FIX}")
    return template


def _responders(table: Table) -> tuple[str, ...]:
    value = table.data.get("responders", [])
    if not isinstance(value, list) or not all(isinstance(user, str) for user in value):
        table.bad("responders", 'is not a list of Slack user IDs; write it like ["U012AB3CD"]')
        return ()
    users = tuple(user.strip() for user in value)
    for user in users:
        if not _USER_ID.fullmatch(user):
            table.bad(
                "responders",
                f'has "{user}", which is not a Slack user ID (U or W, then capitals or '
                "digits); copy it from the person's profile (⋮ → Copy member ID)",
            )
    return tuple(dict.fromkeys(user for user in users if _USER_ID.fullmatch(user)))


def _slack_id(table: Table, key: str, pattern: re.Pattern[str], message: str) -> str | None:
    value = table.data.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not pattern.fullmatch(value.strip()):
        table.bad(key, message)
        return None
    return value.strip()


def _check_names(tables: list[Table], routes: list[AlertRoute]) -> None:
    seen: dict[str, Table] = {}
    for table, route in zip(tables, routes, strict=True):
        if route.name in seen:
            first = seen[route.name].where
            line = table.check.locate((*first, "name"))
            used = where_name(first) + (f" (line {line})" if line else "")
            table.bad("name", f"is already used by {used}; give each route its own name")
        elif route.name:
            seen[route.name] = table


def _check_reachable(tables: list[Table], routes: list[AlertRoute]) -> None:
    """Routes are tried in order, so none after a catch-all is ever reached."""
    # from what was written: a route whose conditions are all mistakes is no catch-all
    catch_all = next(
        (i for i, t in enumerate(tables) if not t.data.get("match") and not t.data.get("match_re")),
        None,
    )
    if catch_all is None:
        return
    first = tables[catch_all]
    line = first.check.locate(first.where)
    named = f'{where_name(first.where)} ("{routes[catch_all].name}"' + (
        f", line {line})" if line else ")"
    )
    for table in tables[catch_all + 1 :]:
        table.check.problem(
            table.where,
            f"{where_name(table.where)} can never match: {named} has no match or match_re, "
            "so it takes every alert first; move this route above it, or give that one "
            "a match",
        )
