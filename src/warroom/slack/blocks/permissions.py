"""What someone refused by the permissions is told, privately: who may do it instead."""

from __future__ import annotations

from warroom.domain.incident import Incident
from warroom.domain.permissions import Action, Grantee, NotPermitted
from warroom.domain.policy import Policy
from warroom.slack import mrkdwn
from warroom.slack.blocks.text import mrkdwn_message
from warroom.slack.message import Message

__all__ = ["refusal_message", "refusal_text"]

_DOING = {
    Action.CHANGE_SEVERITY: "change the severity of {ref}",
    Action.CHANGE_STATUS: "change the status of {ref}",
    Action.POST_UPDATE: "post status updates for {ref}",
    Action.RESOLVE: "resolve {ref}",
    Action.CLOSE: "close {ref}",
    Action.REOPEN: "reopen {ref}",
    Action.TAKE_ROLE: "take a role in {ref}",
    Action.ASSIGN_ROLE_TO_OTHER: "give someone else a role in {ref}",
    Action.ADD_NOTE: "add to the timeline of {ref}",
    Action.EDIT_OTHERS_ACTION_ITEM: "edit someone else's action item in {ref}",
    Action.CLOSE_OTHERS_ACTION_ITEM: "mark someone else's action item done or won't do in {ref}",
}


def refusal_text(error: NotPermitted, policy: Policy) -> str:
    refusal, incident = error.refusal, error.incident
    who = _who(refusal.who_may, incident, policy)
    if refusal.closed:
        return (
            f"{incident.reference} is closed, so it is read-only. To change it, reopen it "
            f"first with `/incident reopen`; {who} can."
        )
    doing = _DOING[refusal.action].format(ref=incident.reference)
    if error.unverified:
        return (
            f"Only {who} can {doing}, and Slack did not answer when Warroom asked whether "
            f"you are one of them (`{mrkdwn.escape(error.unverified)}`). Try again in a minute."
        )
    return f"Only {who} can {doing}."


def refusal_message(error: NotPermitted, policy: Policy) -> Message:
    mark = "⚠️" if error.unverified else "🚫"
    return mrkdwn_message(f"{mark} {refusal_text(error, policy)}")


def _who(grantees: tuple[str, ...], incident: Incident, policy: Policy) -> str:
    names = [_name(grantee, incident, policy) for grantee in grantees]
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} or {names[-1]}"


def _name(grantee: str, incident: Incident, policy: Policy) -> str:
    match grantee:
        case Grantee.ANYONE:
            return "anyone"
        case Grantee.ROOM_MEMBERS:
            room = mrkdwn.channel(incident.channel_id) if incident.channel_id else "its war room"
            return f"members of {room}"
        case Grantee.REPORTER:
            return f"the reporter ({mrkdwn.user(incident.reporter_id)})"
        case Grantee.ROLE_HOLDERS:
            return "someone holding one of its roles"
        case Grantee.ADMINS:
            return "a Warroom admin"
        case role_key:
            name = mrkdwn.escape(policy.role(role_key).name)
            holder = incident.holder(role_key)
            return f"the {name} ({mrkdwn.user(holder) if holder else 'nobody yet'})"
