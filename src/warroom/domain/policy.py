"""The incident policy: severities, update cadences, statuses and roles.

A team keeps its policy as a TOML file under review (the shipped default is
`warroom/default_policy.toml`). `parse_policy` turns the text into frozen domain
objects, or raises one `PolicyError` listing every problem found, one line
each, with the line number and the fix. Nothing here touches Slack, a database
or the clock; `load_policy` reads one file and that is all the I/O there is.
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from warroom.domain.durations import DURATION_EXAMPLES, format_duration, parse_duration

__all__ = [
    "COMMANDER",
    "LIFECYCLE",
    "MAX_ROLES",
    "MAX_SEVERITIES",
    "BusinessHours",
    "Policy",
    "PolicyError",
    "RoleDef",
    "SeverityLevel",
    "StatusDef",
    "load_policy",
    "parse_policy",
]

LIFECYCLE = ("investigating", "identified", "mitigated", "resolved", "closed")
"""Statuses every policy defines, in this order; Warroom's services rely on them."""
COMMANDER = "commander"
"""Key of the role every policy defines: the Incident Commander."""
MAX_SEVERITIES = MAX_ROLES = 10  # Slack offers at most 10 options in a radio-button group

_TERMINAL = frozenset({"resolved", "closed"})


@dataclass(frozen=True)
class SeverityLevel:
    key: str  # "SEV1"
    label: str  # "Critical"
    description: str  # at most 75 characters: a radio-button description in Slack
    update_every: timedelta | None  # None: no status updates
    update_every_when_mitigated: timedelta | None
    business_hours_only: bool
    update_overdue_after: timedelta | None  # grace after due before the IC is mentioned
    update_broadcast_after: timedelta | None  # further grace before the broadcast channel hears
    commander_nag_after: timedelta | None
    commander_escalate_after: timedelta | None
    notify_stakeholders: bool
    rank: int  # 1 = most severe


@dataclass(frozen=True)
class StatusDef:
    key: str  # "investigating"
    label: str
    description: str
    terminal: bool  # the incident is over: no more status updates


@dataclass(frozen=True)
class RoleDef:
    key: str  # "commander"
    name: str  # "Incident Commander"
    short: str  # "IC"
    duties: str


@dataclass(frozen=True)
class BusinessHours:
    timezone: str  # IANA name
    start: time
    end: time
    weekdays: frozenset[int]  # 0 = Monday ... 6 = Sunday, as datetime.weekday()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_open(self, at: datetime) -> bool:
        """Whether the aware datetime `at` falls inside business hours."""
        local = _aware(at).astimezone(self.zone)
        return local.weekday() in self.weekdays and self.start <= local.time() < self.end

    def next_open(self, at: datetime) -> datetime:
        """`at` itself if business hours are open then, else when they next open."""
        if self.is_open(at):
            return at
        local = at.astimezone(self.zone)
        for days in range(8):
            day = local.date() + timedelta(days=days)
            opening = datetime.combine(day, self.start, tzinfo=self.zone)
            if day.weekday() in self.weekdays and opening > local:
                return opening.astimezone(at.tzinfo)
        raise ValueError("business hours with no weekdays never open")


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError(f"{at!r} has no time zone; pass an aware datetime")
    return at


class _Keyed(Protocol):
    @property
    def key(self) -> str: ...


_K = TypeVar("_K", bound=_Keyed)


class _UnknownKey(KeyError):
    def __str__(self) -> str:  # KeyError would show the message in quotes
        return str(self.args[0])


def _lookup(items: tuple[_K, ...], key: str, kind: str) -> _K:
    wanted = key.strip().casefold()
    for item in items:
        if item.key.casefold() == wanted:
            return item
    valid = ", ".join(item.key for item in items) or "(none)"
    raise _UnknownKey(f"unknown {kind} {key!r}; valid {kind} keys are {valid}")


@dataclass(frozen=True)
class Policy:
    severities: tuple[SeverityLevel, ...]  # most severe first
    statuses: tuple[StatusDef, ...]  # lifecycle order
    roles: tuple[RoleDef, ...]
    business_hours: BusinessHours
    highlight_emoji: str = "pushpin"
    action_item_due_after: timedelta = timedelta(days=14)

    def severity(self, key: str) -> SeverityLevel:
        """`"sev1"` or `"SEV1"`; KeyError listing the valid keys otherwise."""
        return _lookup(self.severities, key, "severity")

    def status(self, key: str) -> StatusDef:
        return _lookup(self.statuses, key, "status")

    def role(self, key: str) -> RoleDef:
        return _lookup(self.roles, key, "role")

    def severity_keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.severities)

    def status_keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.statuses)

    def role_keys(self) -> tuple[str, ...]:
        return tuple(r.key for r in self.roles)

    @property
    def commander_role(self) -> RoleDef:
        return self.role(COMMANDER)


class PolicyError(ValueError):
    """The policy file has problems; `problems` has one line per problem, with its fix."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


def load_policy(path: Path | None = None) -> Policy:
    """Read and check the policy at `path`, or the shipped default when it is None."""
    if path is None:
        text = files("warroom").joinpath("default_policy.toml").read_text(encoding="utf-8")
        return parse_policy(text, source="warroom/default_policy.toml")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError([f"{path}: cannot be read ({exc.strerror}); check the path"]) from None
    except UnicodeDecodeError:
        raise PolicyError([f"{path}: is not UTF-8 text; save it as UTF-8"]) from None
    return parse_policy(text, source=str(path))


def parse_policy(text: str, *, source: str = "<policy>") -> Policy:
    """Check `text` (TOML) as a whole and build the Policy, or raise PolicyError."""
    locate = _Locator(text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError([_syntax_problem(str(exc), text, source, locate)]) from None
    check = _Check(source, locate)
    policy = _read_policy(check, data)
    if check.problems:
        raise PolicyError(check.problems)
    return policy


# --- where things are: TOML paths and line numbers ----------------------------

_Where = tuple[str | int, ...]  # ("severities", 1, "update_every")
_HEADER = re.compile(r"""\s*(\[\[?)\s*([\w\-. "']+?)\s*\]\]?\s*(?:#.*)?$""")
_KEY = re.compile(r"""\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")
_SYNTAX = re.compile(r"(.*) \(at (?:line (\d+), column (\d+)|end of document)\)", re.DOTALL)


class _Locator:
    """Best-effort line numbers: tomllib keeps no positions, so scan headers and keys."""

    def __init__(self, text: str) -> None:
        self.lines: dict[_Where, int] = {}
        self.duplicates: list[tuple[_Where, int, int]] = []
        table: _Where = ()
        counts: dict[str, int] = {}
        for number, line in enumerate(text.splitlines(), 1):
            if header := _HEADER.match(line):
                name = tuple(part.strip().strip("\"'") for part in header[2].split("."))
                table = name
                if header[1] == "[[":
                    counts[header[2]] = counts.get(header[2], 0) + 1
                    table = (*name, counts[header[2]] - 1)
                self.lines.setdefault(name, number)
                self.lines.setdefault(table, number)
            elif key := _KEY.match(line):
                where = (*table, key[1].strip("\"'"))
                if where in self.lines:
                    self.duplicates.append((where, self.lines[where], number))
                self.lines.setdefault(where, number)

    def __call__(self, where: _Where) -> int | None:
        for end in range(len(where), 0, -1):
            if (line := self.lines.get(where[:end])) is not None:
                return line
        return None


def _syntax_problem(message: str, text: str, source: str, locate: _Locator) -> str:
    if message.startswith("Cannot overwrite a value") and locate.duplicates:
        where, first, line = locate.duplicates[0]
        return (
            f"{source} line {line}: {_name(where)} is set twice (first on line {first}); "
            "keep one of them"
        )
    match = _SYNTAX.fullmatch(message)
    if match is None:
        return f"{source}: not valid TOML: {message}"
    what, line_no, column = match.groups()
    at = f"line {line_no or max(1, len(text.splitlines()))}"
    col = f" (column {column})" if column else " (at the end of the file)"
    return (
        f"{source} {at}: not valid TOML: {what[:1].lower()}{what[1:]}{col}; fix the syntax there "
        '(text needs quotes, like update_every = "30m")'
    )


def _name(where: _Where) -> str:
    out = ""
    for part in where:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else part
    return out or "the policy"


def _show(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return json.dumps(value if len(value) <= 40 else value[:37] + "...", ensure_ascii=False)
    if isinstance(value, list):
        return f"[{', '.join(_show(item) for item in value)}]"
    if isinstance(value, dict):
        return "{...}"
    return str(value)


# --- checking -----------------------------------------------------------------


class _Check:
    """The problems found so far, each placed on its line; sorted by line at the end."""

    def __init__(self, source: str, locate: _Locator) -> None:
        self.source = source
        self.locate = locate
        self._found: list[tuple[int, str]] = []

    @property
    def problems(self) -> list[str]:
        return [message for _, message in sorted(self._found, key=lambda found: found[0])]

    def problem(self, where: _Where, message: str) -> None:
        line = self.locate(where)
        at = f"{self.source} line {line}" if line else self.source
        self._found.append((line or 0, f"{at}: {message}"))

    def tables(self, data: Mapping[str, Any], name: str, kind: str, limit: int) -> list[_Table]:
        """The `[[name]]` tables; at most `limit` of them."""
        value = data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.problem(
                (name,),
                f"{name} is not a list of tables; give each {kind} its own [[{name}]] header",
            )
            return []
        if len(value) > limit:
            self.problem(
                (name, limit),
                f"{name} has {len(value)} entries, more than {limit}; "
                f"Slack offers at most {limit} options, so remove or merge some",
            )
        return [_Table(self, (name, index), item) for index, item in enumerate(value)]

    def unique(self, kind: str, entries: list[tuple[_Table, str]]) -> None:
        seen: dict[str, _Table] = {}
        for table, key in entries:
            if key in seen:
                first = seen[key].where
                line = self.locate((*first, "key"))
                used = _name(first) + (f" (line {line})" if line else "")
                table.bad("key", f"is already used by {used}; give each {kind} its own key")
            elif key:
                seen[key] = table


class _Table:
    """One TOML table and where it is; reads typed values, reporting what is wrong."""

    def __init__(self, check: _Check, where: _Where, data: Mapping[str, Any]) -> None:
        self.check, self.where, self.data = check, where, data

    def bad(self, key: str, message: str) -> None:
        at = (*self.where, key)
        self.check.problem(at, f"{_name(at)} = {_show(self.data.get(key))} {message}")

    def keys(self, required: Mapping[str, str], *optional: str) -> None:
        """Unknown keys (with a did-you-mean) and missing ones (with an example)."""
        allowed = [*required, *optional]
        suggested = set()
        for key in self.data:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                suggested.update(close)
                fix = f"did you mean {close[0]}?" if close else f"valid keys: {', '.join(allowed)}"
                at = (*self.where, key)
                self.check.problem(at, f"{_name(at)}: unknown key; {fix}")
        for key, example in required.items():
            if key not in self.data and key not in suggested:
                self.check.problem(
                    self.where, f"{_name(self.where)} is missing {key}; add {key} = {example}"
                )

    def text(self, key: str, limit: int, why: str = "") -> str:
        value = self.data.get(key, "")
        if not isinstance(value, str):
            self.bad(key, 'is not text; put it in quotes, like "this"')
            return ""
        if key in self.data and not value.strip():
            self.bad(key, "is empty; write a few words")
        elif len(value) > limit:
            reason = f" ({why})" if why else ""
            self.bad(key, f"is {len(value)} characters; shorten it to {limit}{reason}")
        return value

    def key(self, pattern: str, example: str) -> str:
        raw = self.text("key", 40).strip()
        key = raw.upper() if pattern.startswith("SEV") else raw.lower()
        if raw and not re.fullmatch(pattern, key):
            self.bad("key", f"is not a valid key; write it like {example}")
            return ""
        return key

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.bad(key, f"is not true or false; write {key} = true or {key} = false")
            return default
        return value

    def duration(self, key: str, *, none: str = "", positive: bool = False) -> timedelta | None:
        """A duration; with `none` (what "none" means), the value may be "none"."""
        value = self.data.get(key)
        if value is None or (none and isinstance(value, str) and value.strip() == "none"):
            return None
        hint = f"write it like {DURATION_EXAMPLES}" + (f', or "none" {none}' if none else "")
        if not isinstance(value, str):
            self.bad(key, f"is not a duration (durations are quoted text); {hint}")
            return None
        if value.strip().startswith("-"):
            self.bad(key, f"is negative; {hint}")
            return None
        try:
            duration = parse_duration(value)
        except ValueError:
            self.bad(key, f"is not a duration; {hint}")
            return None
        if positive and not duration:
            self.bad(key, f"would ask for updates without pause; {hint}")
            return None
        return duration


# --- reading the policy -------------------------------------------------------

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
)
_STATUS_KEYS = {"key": '"investigating"', "label": '"Investigating"', "description": '"..."'}
_ROLE_KEYS = {"key": '"ops_lead"', "name": '"Ops lead"', "short": '"Ops"', "duties": '"..."'}
_SLUG = r"[a-z][a-z0-9_]*"
_TOP_KEYS = (
    "highlight_emoji",
    "action_item_due_after",
    "business_hours",
    "severities",
    "statuses",
    "roles",
)


def _read_policy(check: _Check, data: Mapping[str, Any]) -> Policy:
    top = _Table(check, (), data)
    top.keys({}, *_TOP_KEYS)
    emoji = top.text("highlight_emoji", 100).strip().strip(":") or "pushpin"
    if not re.fullmatch(r"[a-z0-9_+'-]+", emoji):
        top.bad("highlight_emoji", 'is not an emoji name; write it without colons, like "pushpin"')
    due = top.duration("action_item_due_after")
    return Policy(
        severities=_read_severities(check, data),
        statuses=_read_statuses(check, data),
        roles=_read_roles(check, data),
        business_hours=_read_business_hours(check, data),
        highlight_emoji=emoji,
        action_item_due_after=timedelta(days=14) if due is None else due,
    )


def _read_severities(check: _Check, data: Mapping[str, Any]) -> tuple[SeverityLevel, ...]:
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


def _read_severity(table: _Table, rank: int) -> SeverityLevel:
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


def _read_statuses(check: _Check, data: Mapping[str, Any]) -> tuple[StatusDef, ...]:
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
    return tuple(statuses)


def _read_status(table: _Table) -> StatusDef:
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


def _read_roles(check: _Check, data: Mapping[str, Any]) -> tuple[RoleDef, ...]:
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


def _read_role(table: _Table) -> RoleDef:
    table.keys(_ROLE_KEYS)
    return RoleDef(
        key=table.key(_SLUG, "ops_lead (lower-case letters, digits and _)"),
        name=table.text("name", 40, "Slack menus and buttons fit no more"),
        short=table.text("short", 10),
        duties=table.text("duties", 150),
    )


def _read_business_hours(check: _Check, data: Mapping[str, Any]) -> BusinessHours:
    value = data.get("business_hours", {})
    table = _Table(check, ("business_hours",), value if isinstance(value, dict) else {})
    if not isinstance(value, dict):
        _Table(check, (), data).bad("business_hours", "is not a table; write [business_hours]")
    table.keys({}, "timezone", "start", "end", "weekdays")
    zone = table.text("timezone", 100).strip() or "UTC"
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        known = {name.casefold(): name for name in available_timezones()}
        close = difflib.get_close_matches(zone, known.values(), n=1)
        close = [known[zone.casefold()]] if zone.casefold() in known else close
        fix = f"did you mean {close[0]}?" if close else "use an IANA name like Europe/London or UTC"
        table.bad("timezone", f"is not a time zone; {fix}")
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


def _clock_time(table: _Table, key: str, default: time) -> time:
    value = table.data.get(key, default)
    if isinstance(value, time) and value.tzinfo is None:
        return value
    if isinstance(value, str) and (hhmm := re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value)):
        return time(int(hhmm[1]), int(hhmm[2]))
    table.bad(key, f'is not a time of day; write it like {key} = "09:00" (24-hour HH:MM)')
    return default
