"""The policy's domain objects: severities, statuses, roles, business hours, alert routes.

Frozen values built by `warroom.domain._policy_read` and re-exported, with the
parser, by `warroom.domain.policy`; import them from there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Literal, Protocol, TypeVar
from zoneinfo import ZoneInfo

from warroom.domain.permissions import DEFAULT_PERMISSIONS, Permissions

LIFECYCLE = ("investigating", "identified", "mitigated", "resolved", "closed")
"""Statuses every policy defines, in this order; Warroom's services rely on them."""
COMMANDER = "commander"
"""Key of the role every policy defines: the Incident Commander."""
AT_CADENCE = timedelta(0)
"""A repeat interval that follows the severity's update cadence."""
MAX_SEVERITIES = MAX_ROLES = 10  # Slack offers at most 10 options in a radio-button group
MAX_ALERT_ROUTES = 100
AlertAction = Literal["declare", "propose", "attach"]
ALERT_ACTIONS: tuple[AlertAction, ...] = ("declare", "propose", "attach")
DEFAULT_ALERT_TITLE = (
    "{{ labels.alertname }}{% if labels.service %} on {{ labels.service }}{% endif %}"
)
"""An alert route's `title` template when the policy gives none."""
DEFAULT_ALERT_IMPACT = "{{ annotations.summary or annotations.description }}"
"""An alert route's `impact` template when the policy gives none."""


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
    postmortem_required: bool = True
    """Closing needs a postmortem draft; where False, `/incident close <reason>` may
    close without one."""
    update_repeat_every: timedelta | None = timedelta(0)
    """While the silence goes on after a late-update ladder's last step, how often the
    ladder runs again. `AT_CADENCE` (zero, the default): at the update cadence in
    effect; None: never."""
    commander_repeat_every: timedelta | None = timedelta(0)
    """While nobody takes the IC role after the escalation, how often the nag and the
    escalation run again; `AT_CADENCE` or None, as above."""


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


@dataclass(frozen=True)
class DigestPolicy:
    """The weekly digest in the broadcast channel (`[digest]`): off unless enabled, then
    posted each week on `weekday` at `at`, local to the policy's `timezone`."""

    enabled: bool = False
    weekday: int = 0  # 0 = Monday ... 6 = Sunday, as datetime.weekday()
    at: time = time(9)


@dataclass(frozen=True)
class StatusPagePolicy:
    """The public status page (`[status_page]`): off unless enabled; then it shows the
    public incidents of `severities`, and those an incident's flag (`/incident statuspage
    show`) adds, under `title`. Private incidents are never shown."""

    enabled: bool = False
    severities: tuple[str, ...] = ("SEV1", "SEV2")
    title: str = "Service status"


@dataclass(frozen=True)
class AlertRoute:
    """Where a group of alerts goes (`[[alert_routes]]`); the policy's routes are tried in
    order and the first that `matches` wins.

    `action`: "declare" opens an incident at `severity`, inviting `responders` and the
    members of `usergroup`; "propose" posts a triage card to `channel` (None: the
    broadcast channel), `severity` prefilled if given; "attach" adds the alerts to the
    open incident that already holds the group's key, and where there is none the
    caller falls back to "propose" with this route's `severity` and `channel`.
    `title` and `impact` are Jinja2 templates (see `warroom.domain.alert_routing`).
    """

    name: str
    action: AlertAction
    match: tuple[tuple[str, str], ...] = ()
    """Label (or, where no such label, annotation) equal to the value; all must hold."""
    match_re: tuple[tuple[str, re.Pattern[str]], ...] = ()
    """Label (or annotation) matching the regular expression as a whole; all must hold."""
    severity: str | None = None
    title: str = DEFAULT_ALERT_TITLE
    impact: str = DEFAULT_ALERT_IMPACT
    responders: tuple[str, ...] = ()
    usergroup: str | None = None
    channel: str | None = None
    private: bool = False

    @property
    def catch_all(self) -> bool:
        """No conditions: every alert matches, so no later route is ever reached."""
        return not self.match and not self.match_re

    def matches(self, labels: Mapping[str, str], annotations: Mapping[str, str]) -> bool:
        """Whether every condition holds; a key in neither mapping counts as empty text,
        as in Alertmanager (so `match_re = { team = ".*" }` matches alerts without one)."""

        def value(key: str) -> str:
            return labels[key] if key in labels else annotations.get(key, "")

        return all(value(key) == wanted for key, wanted in self.match) and all(
            pattern.fullmatch(value(key)) for key, pattern in self.match_re
        )


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
    postmortem_reminder_working_days: int = 5
    """How many working days after resolve the IC hears the postmortem is still open."""
    postmortem_reminder_every: timedelta | None = timedelta(days=7)
    """Then again this often until the incident is closed; None: once."""
    archive_after_close: timedelta | None = None
    """Archive the war room this long after the incident is closed; None keeps it."""
    keep_deleted_text: bool = False
    """Keep a deleted message's text stored (never shown); by default it is purged."""
    announce_in_origin_channel: bool = True
    """Post one line linking the war room in the public channel `/incident declare` was
    typed in (never for a private incident, a DM, a private channel or a war room)."""
    permissions: Permissions = DEFAULT_PERMISSIONS
    """Who may steer an incident: the `[permissions]` section."""
    timezone: str = "UTC"
    """The organisation's zone (IANA): artifacts people read outside Slack (the
    postmortem, the export, the CLI) and notification fallbacks use it."""
    digest: DigestPolicy = DigestPolicy()
    """The weekly digest: the `[digest]` section; off by default."""
    alert_routes: tuple[AlertRoute, ...] = ()
    """Where incoming alerts go (`[[alert_routes]]`), in order; an alert no route
    matches goes to `warroom.domain.alert_routing.DEFAULT_ROUTE`."""
    status_page: StatusPagePolicy = StatusPagePolicy()
    """The public status page: the `[status_page]` section; off by default."""

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

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

    def settable_statuses(self) -> tuple[str, ...]:
        """What the card and `/incident status` offer, in the policy's order: every status
        of an open incident (resolving and closing have their own flows)."""
        return tuple(s.key for s in self.statuses if not s.terminal)

    def role_keys(self) -> tuple[str, ...]:
        return tuple(r.key for r in self.roles)

    @property
    def commander_role(self) -> RoleDef:
        return self.role(COMMANDER)
