"""Reading checked TOML data into a `Policy`: one reader per section of the file.

Every rule about what a valid policy looks like lives here; problems go to the
`Check`, and the caller raises them together once everything has been read.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Mapping
from datetime import time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from warroom.domain._policy_alert_routes import read_alert_routes
from warroom.domain._policy_checks import Check, Table
from warroom.domain._policy_model import (
    AT_CADENCE,
    COMMANDER,
    LIFECYCLE,
    MAX_ROLES,
    MAX_SEVERITIES,
    BusinessHours,
    DigestPolicy,
    Policy,
    RoleDef,
    SeverityLevel,
    StatusDef,
)
from warroom.domain._policy_permissions import read_permissions
from warroom.domain._policy_status_page import read_status_page
from warroom.domain.durations import format_duration

_TERMINAL = frozenset({"resolved", "closed"})
_NO_UPDATES = "for no status updates"
_OFF = "to switch it off"
_SEVERITY_KEYS = {
    "key": '"SEV1"',
    "label": '"Critical"',
    "description": '"Complete outage or most users affected."',
    "update_every": f'"30m" (or "none" {_NO_UPDATES})',
}
_SEVERITY_OPTIONAL = (
    "update_every_when_mitigated",
    "business_hours_only",
    "update_overdue_after",
    "update_broadcast_after",
    "commander_nag_after",
    "commander_escalate_after",
    "notify_stakeholders",
    "update_repeat_every",
    "commander_repeat_every",
    "postmortem_required",
)
_STATUS_KEYS = {"key": '"investigating"', "label": '"Investigating"', "description": '"..."'}
_ROLE_KEYS = {"key": '"ops_lead"', "name": '"Ops lead"', "short": '"Ops"', "duties": '"..."'}
_SLUG = r"[a-z][a-z0-9_]*"
_TOP_KEYS = (
    "timezone",
    "highlight_emoji",
    "action_item_due_after",
    "archive_after_close",
    "postmortem_reminder_after",
    "postmortem_reminder_every",
    "keep_deleted_text",
    "announce_in_origin_channel",
    "business_hours",
    "severities",
    "statuses",
    "roles",
    "permissions",
    "digest",
    "alert_routes",
    "status_page",
)


def read_policy(check: Check, data: Mapping[str, Any]) -> Policy:
    top = Table(check, (), data)
    top.keys({}, *_TOP_KEYS)
    emoji = top.text("highlight_emoji", 100).strip().strip(":") or "pushpin"
    if not re.fullmatch(r"[a-z0-9_+'-]+", emoji):
        top.bad("highlight_emoji", 'is not an emoji name; write it without colons, like "pushpin"')
    due = top.duration("action_item_due_after")
    archive = top.duration("archive_after_close", none="to keep closed war rooms")
    chase_after = top.duration("postmortem_reminder_after", positive=True)
    if chase_after is not None and chase_after % timedelta(days=1):
        top.bad(
            "postmortem_reminder_after",
            'is counted in working days; write a whole number of days, like "5d"',
        )
    chase_every: timedelta | None = timedelta(days=7)
    if "postmortem_reminder_every" in top.data:
        chase_every = top.duration(
            "postmortem_reminder_every", none="to remind once", positive=True
        )
    severities = _read_severities(check, data)
    roles = _read_roles(check, data)
    business_hours = _read_business_hours(check, data)
    return Policy(
        severities=severities,
        statuses=_read_statuses(check, data),
        roles=roles,
        business_hours=business_hours,
        timezone=_zone(top, default=business_hours.timezone),
        highlight_emoji=emoji,
        action_item_due_after=timedelta(days=14) if due is None else due,
        archive_after_close=archive,
        postmortem_reminder_working_days=chase_after.days if chase_after else 5,
        postmortem_reminder_every=chase_every,
        keep_deleted_text=top.flag("keep_deleted_text", False),
        announce_in_origin_channel=top.flag("announce_in_origin_channel", True),
        permissions=read_permissions(check, data, tuple(role.key for role in roles)),
        digest=_read_digest(check, data),
        alert_routes=read_alert_routes(check, data, tuple(level.key for level in severities)),
        status_page=read_status_page(check, data, tuple(level.key for level in severities)),
    )


def _read_severities(check: Check, data: Mapping[str, Any]) -> tuple[SeverityLevel, ...]:
    tables = check.tables(data, "severities", "severity", MAX_SEVERITIES)
    if not tables and isinstance(data.get("severities", []), list):
        check.problem(
            (),
            "no severities are defined; add a [[severities]] table for each "
            'level, most severe first, starting with key = "SEV1"',
        )
    levels = [_read_severity(table, rank) for rank, table in enumerate(tables, 1)]
    check.unique("severity", [(t, level.key) for t, level in zip(tables, levels, strict=True)])
    numbered = [
        (t, int(level.key[3:])) for t, level in zip(tables, levels, strict=True) if level.key
    ]
    for (_, before), (table, number) in itertools.pairwise(numbered):
        if number < before:
            table.bad(
                "key",
                f"is listed after SEV{before}; list severities most severe "
                "first, lowest number first",
            )
    return tuple(levels)


def _read_severity(table: Table, rank: int) -> SeverityLevel:
    table.keys(_SEVERITY_KEYS, *_SEVERITY_OPTIONAL)
    every = table.duration("update_every", none=_NO_UPDATES, positive=True)
    mitigated = every
    if "update_every_when_mitigated" in table.data:
        mitigated = table.duration("update_every_when_mitigated", none=_NO_UPDATES, positive=True)
    level = SeverityLevel(
        key=table.key(r"SEV(0|[1-9][0-9]*)", "SEV1 (SEV and a number)"),
        label=table.text("label", 40),
        description=table.text(
            "description",
            75,
            "it is shown under the choice in the declare dialog, and Slack allows no more there",
        ),
        update_every=every,
        update_every_when_mitigated=mitigated,
        business_hours_only=table.flag("business_hours_only", False),
        update_overdue_after=table.duration("update_overdue_after", none=_OFF),
        update_broadcast_after=table.duration("update_broadcast_after", none=_OFF),
        commander_nag_after=table.duration("commander_nag_after", none=_OFF),
        commander_escalate_after=table.duration("commander_escalate_after", none=_OFF),
        notify_stakeholders=table.flag("notify_stakeholders", False),
        rank=rank,
        postmortem_required=table.flag("postmortem_required", True),
        update_repeat_every=_repeat(table, "update_repeat_every"),
        commander_repeat_every=_repeat(table, "commander_repeat_every"),
    )
    if every is None:
        for key in ("update_every_when_mitigated", "update_overdue_after"):
            if getattr(level, key) is not None:
                table.bad(
                    key,
                    'has no effect while update_every = "none"; write "none" here '
                    "or set update_every",
                )
    if level.update_broadcast_after is not None and level.update_overdue_after is None:
        table.bad(
            "update_broadcast_after",
            "needs update_overdue_after (this grace starts once "
            'the IC has been mentioned); set update_overdue_after or write "none"',
        )
    nag, escalate = level.commander_nag_after, level.commander_escalate_after
    if nag is not None and escalate is not None and escalate <= nag:
        table.bad(
            "commander_escalate_after",
            f"is not longer than commander_nag_after "
            f'("{format_duration(nag)}"); make it longer: escalate after the nag',
        )
    return level


def _repeat(table: Table, key: str) -> timedelta | None:
    """Left out: at the update cadence; "none": never."""
    if key not in table.data:
        return AT_CADENCE
    return table.duration(key, none="to send each reminder once", positive=True)


def _read_statuses(check: Check, data: Mapping[str, Any]) -> tuple[StatusDef, ...]:
    tables = check.tables(data, "statuses", "status", 100)
    statuses = [_read_status(table) for table in tables]
    check.unique("status", [(t, status.key) for t, status in zip(tables, statuses, strict=True)])
    keys = [status.key for status in statuses]
    order = " → ".join(LIFECYCLE)
    if missing := [key for key in LIFECYCLE if key not in keys]:
        check.problem(
            ("statuses",),
            f"statuses is missing {', '.join(missing)}; add a "
            f"[[statuses]] table for each (the lifecycle is {order})",
        )
    else:
        for before, after in itertools.pairwise(LIFECYCLE):
            if keys.index(after) < keys.index(before):
                tables[keys.index(after)].bad(
                    "key", f"comes before {before}; list the statuses in lifecycle order: {order}"
                )
                break
        _check_added_statuses(tables, statuses, keys.index("resolved"))
    return tuple(statuses)


def _check_added_statuses(tables: list[Table], statuses: list[StatusDef], resolved_at: int) -> None:
    """A status of your own is one an open incident can be in, set from the card and
    `/incident status`: an incident ends only by resolving and closing."""
    for position, (table, status) in enumerate(zip(tables, statuses, strict=True)):
        if status.key in LIFECYCLE or not re.fullmatch(_SLUG, status.key):
            continue
        if position > resolved_at:
            table.bad(
                "key",
                "comes after resolved; put a status you add before resolved (it is set "
                "while the incident is open, from the card and /incident status)",
            )
        elif status.terminal:
            table.bad(
                "terminal",
                "would end the incident, but only resolved and closed do; write "
                "terminal = false or leave it out",
            )


def _read_status(table: Table) -> StatusDef:
    table.keys(_STATUS_KEYS, "terminal")
    key = table.key(_SLUG, "monitoring (lower-case letters, digits and _)")
    ends = key in _TERMINAL
    terminal = table.flag("terminal", ends)
    if key in LIFECYCLE and terminal != ends:
        reason = "it ends the incident" if ends else "the incident is still open then"
        table.bad(
            "terminal",
            f"is wrong for {key}: {reason}; write terminal = {str(ends).lower()} or leave it out",
        )
    return StatusDef(
        key=key,
        label=table.text("label", 40),
        description=table.text("description", 150),
        terminal=terminal,
    )


def _read_roles(check: Check, data: Mapping[str, Any]) -> tuple[RoleDef, ...]:
    tables = check.tables(data, "roles", "role", MAX_ROLES)
    roles = [_read_role(table) for table in tables]
    check.unique("role", [(t, role.key) for t, role in zip(tables, roles, strict=True)])
    if COMMANDER not in [role.key for role in roles]:
        check.problem(
            ("roles",),
            f"roles has no {COMMANDER}; add a [[roles]] table with key = "
            f'"{COMMANDER}" for the Incident Commander',
        )
    return tuple(roles)


def _read_role(table: Table) -> RoleDef:
    table.keys(_ROLE_KEYS)
    return RoleDef(
        key=table.key(_SLUG, "ops_lead (lower-case letters, digits and _)"),
        name=table.text("name", 40, "Slack menus and buttons fit no more"),
        short=table.text("short", 10),
        duties=table.text("duties", 150),
    )


def _zone(table: Table, *, default: str) -> str:
    """The table's `timezone`, an IANA name (`default` when absent)."""
    if "timezone" not in table.data:
        return default
    zone = table.text("timezone", 100).strip() or default
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        known = {name.casefold(): name for name in available_timezones()}
        close = difflib.get_close_matches(zone, known.values(), n=1)
        close = [known[zone.casefold()]] if zone.casefold() in known else close
        fix = f"did you mean {close[0]}?" if close else "use an IANA name like Europe/London or UTC"
        table.bad("timezone", f"is not a time zone; {fix}")
    return zone


def _read_business_hours(check: Check, data: Mapping[str, Any]) -> BusinessHours:
    value = data.get("business_hours", {})
    table = Table(check, ("business_hours",), value if isinstance(value, dict) else {})
    if not isinstance(value, dict):
        Table(check, (), data).bad("business_hours", "is not a table; write [business_hours]")
    table.keys({}, "timezone", "start", "end", "weekdays")
    zone = _zone(table, default="UTC")
    start, end = _clock_time(table, "start", time(9)), _clock_time(table, "end", time(17))
    if end <= start:
        table.bad(
            "end",
            f'is not after start ("{start:%H:%M}"); business hours cannot cross '
            "midnight, so make end later",
        )
    days = table.data.get("weekdays", ["mon", "tue", "wed", "thu", "fri"])
    listed = days if isinstance(days, list) else [days]
    names = [day.strip().lower() if isinstance(day, str) else "?" for day in listed]
    if not names or not all(name in _WEEKDAY_NUMBERS for name in names):
        table.bad(
            "weekdays",
            'is not a list of weekdays; write it like ["mon", "tue", "wed", '
            '"thu", "fri"], naming any of mon, tue, wed, thu, fri, sat, sun',
        )
    weekdays = frozenset(_WEEKDAY_NUMBERS[name] for name in names if name in _WEEKDAY_NUMBERS)
    return BusinessHours(timezone=zone, start=start, end=end, weekdays=weekdays)


_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_NUMBERS = {name: n for n, day in enumerate(_DAYS) for name in (day, day[:3])}


def _clock_time(table: Table, key: str, default: time) -> time:
    value = table.data.get(key, default)
    if isinstance(value, time) and value.tzinfo is None:
        return value
    if isinstance(value, str) and (hhmm := re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value)):
        return time(int(hhmm[1]), int(hhmm[2]))
    table.bad(key, f'is not a time of day; write it like {key} = "09:00" (24-hour HH:MM)')
    return default


def _read_digest(check: Check, data: Mapping[str, Any]) -> DigestPolicy:
    """`[digest]`: the weekly digest in the broadcast channel; off unless enabled."""
    value = data.get("digest", {})
    table = Table(check, ("digest",), value if isinstance(value, dict) else {})
    if not isinstance(value, dict):
        Table(check, (), data).bad("digest", "is not a table; write [digest]")
    table.keys({}, "enabled", "day", "time")
    day = table.data.get("day", "monday")
    name = day.strip().lower() if isinstance(day, str) else "?"
    if name not in _WEEKDAY_NUMBERS:
        table.bad(
            "day",
            'is not a day of the week; write it like day = "monday" (any of monday, '
            "tuesday, wednesday, thursday, friday, saturday, sunday, or mon, tue, ...)",
        )
    return DigestPolicy(
        enabled=table.flag("enabled", False),
        weekday=_WEEKDAY_NUMBERS.get(name, 0),
        at=_clock_time(table, "time", time(9)),
    )
