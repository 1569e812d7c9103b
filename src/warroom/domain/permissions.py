"""Who may steer an incident: the actions, who may take each, and the one decision.

The policy's `[permissions]` section names, for each `Action`, the audiences
allowed to take it; `decide` applies those rules to one person and one incident.
Two rules hold whatever the policy says: a closed incident is read-only except
for reopening it, and whoever owns or added an action item may always settle it.
Whether someone is in the war room, or in the admin user group, are facts the
caller looks up (Slack) and hands in; nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from enum import StrEnum

from warroom.domain.incident import Incident

__all__ = [
    "DEFAULT_PERMISSIONS",
    "FIXED_AUDIENCES",
    "Action",
    "ActorFacts",
    "Admins",
    "Allowed",
    "Grantee",
    "NotPermitted",
    "Permissions",
    "Refused",
    "decide",
]


class Action(StrEnum):
    CHANGE_SEVERITY = "change_severity"
    CHANGE_STATUS = "change_status"
    POST_UPDATE = "post_update"
    RESOLVE = "resolve"
    CLOSE = "close"
    REOPEN = "reopen"
    TAKE_ROLE = "take_role"
    ASSIGN_ROLE_TO_OTHER = "assign_role_to_other"
    ADD_NOTE = "add_note"
    EDIT_OTHERS_ACTION_ITEM = "edit_others_action_item"
    CLOSE_OTHERS_ACTION_ITEM = "close_others_action_item"

    @property
    def about_an_item(self) -> bool:
        return self in {Action.EDIT_OTHERS_ACTION_ITEM, Action.CLOSE_OTHERS_ACTION_ITEM}


class Grantee(StrEnum):
    """Audiences every policy knows; a role key ("commander", "comms_lead") is one too."""

    ANYONE = "anyone"
    ROOM_MEMBERS = "room_members"
    REPORTER = "reporter"
    ROLE_HOLDERS = "role_holders"
    ADMINS = "admins"


FIXED_AUDIENCES = tuple(audience.value for audience in Grantee)


@dataclass(frozen=True)
class Admins:
    """Warroom admins: named users, and the members of one Slack user group."""

    users: frozenset[str] = frozenset()
    usergroup: str | None = None


_ROOM = (Grantee.ROOM_MEMBERS.value,)
_LEADS = ("commander", Grantee.REPORTER.value, Grantee.ADMINS.value)
_DEFAULT_RULES: dict[Action, tuple[str, ...]] = {
    Action.CHANGE_SEVERITY: _ROOM,
    Action.CHANGE_STATUS: _ROOM,
    Action.POST_UPDATE: _ROOM,
    Action.RESOLVE: _ROOM,
    Action.CLOSE: _LEADS,
    Action.REOPEN: _LEADS,
    Action.TAKE_ROLE: (Grantee.ANYONE.value,),  # answering the "no IC yet" escalation
    Action.ASSIGN_ROLE_TO_OTHER: _ROOM,
    Action.ADD_NOTE: (Grantee.ANYONE.value,),  # typed in the room: Slack has them join first
    Action.EDIT_OTHERS_ACTION_ITEM: ("commander", Grantee.ADMINS.value),
    Action.CLOSE_OTHERS_ACTION_ITEM: ("commander", Grantee.ADMINS.value),
}


@dataclass(frozen=True)
class Permissions:
    """Who may take each action; actions the policy leaves out keep their default."""

    rules: tuple[tuple[Action, tuple[str, ...]], ...] = tuple(_DEFAULT_RULES.items())
    admins: Admins = field(default_factory=Admins)

    def who_may(self, action: Action) -> tuple[str, ...]:
        return dict(self.rules).get(action, _DEFAULT_RULES[action])

    def needs_membership(self, action: Action) -> bool:
        return Grantee.ROOM_MEMBERS.value in self.who_may(action)

    def needs_admin_group(self, action: Action) -> bool:
        return self.admins.usergroup is not None and Grantee.ADMINS in self.who_may(action)


DEFAULT_PERMISSIONS = Permissions()


@dataclass(frozen=True)
class ActorFacts:
    """What was looked up about the person acting, for one incident."""

    user_id: str
    is_member: bool = False
    """In the incident's war-room channel."""
    is_admin: bool = False
    unverified: str | None = None
    """Why Slack would not say whether they are in the room or the admin group."""


@dataclass(frozen=True)
class Allowed:
    pass


@dataclass(frozen=True)
class Refused:
    action: Action
    who_may: tuple[str, ...]
    """The audiences that may take the action (for a closed incident: who may reopen it)."""
    closed: bool = False
    """Refused because the incident is closed, whoever asked."""


class NotPermitted(Exception):
    """`user_id` may not take `refusal.action` on `incident`; nothing was changed."""

    def __init__(
        self,
        refusal: Refused,
        incident: Incident,
        user_id: str,
        *,
        unverified: str | None = None,
    ) -> None:
        super().__init__(f"{user_id} may not {refusal.action} {incident.reference}")
        self.refusal, self.incident, self.user_id = refusal, incident, user_id
        self.unverified = unverified
        """Slack's failure, when it would not say who is in the room or the admin group."""


def decide(
    action: Action,
    actor: ActorFacts,
    incident: Incident,
    permissions: Permissions,
    *,
    item_owners: Collection[str] = (),
) -> Allowed | Refused:
    """Whether `actor` may take `action` on `incident` now.

    For action-item actions, `item_owners` are whose item it is (its owner and
    whoever added it); they may always settle or edit it.
    """
    if incident.closed_at is not None and action is not Action.REOPEN:
        return Refused(action, permissions.who_may(Action.REOPEN), closed=True)
    if action.about_an_item and actor.user_id in item_owners:
        return Allowed()
    audiences = permissions.who_may(action)
    if any(_is_in(audience, actor, incident) for audience in audiences):
        return Allowed()
    return Refused(action, audiences)


def _is_in(audience: str, actor: ActorFacts, incident: Incident) -> bool:
    match audience:
        case Grantee.ANYONE:
            return True
        case Grantee.ROOM_MEMBERS:
            return actor.is_member
        case Grantee.REPORTER:
            return incident.reporter_id == actor.user_id
        case Grantee.ROLE_HOLDERS:
            return any(holder.user_id == actor.user_id for holder in incident.roles)
        case Grantee.ADMINS:
            return actor.is_admin
        case role:
            return incident.holder(role) == actor.user_id
