"""A role's duties: the DM its new holder can re-read, the word to whoever gave it, and
the answer to `/incident duties`."""

from __future__ import annotations

from warroom.domain.incident import Incident
from warroom.domain.policy import Policy, RoleDef
from warroom.slack import mrkdwn
from warroom.slack.blocks.limits import TITLE_SHOWN
from warroom.slack.blocks.text import mrkdwn_message, mrkdwn_section
from warroom.slack.message import Message

__all__ = ["duties_answer", "duties_dm", "role_confirmed"]

NAME_SHOWN = 100
DUTIES_SHOWN = 600
AGAIN = "Run `/incident duties` in the war room to see them again."


def _role(role: RoleDef) -> str:
    return f"*{mrkdwn.escape_within(role.name, NAME_SHOWN)}*"


def _duties(role: RoleDef) -> str:
    return mrkdwn.escape_within(role.duties, DUTIES_SHOWN)


def _about(incident: Incident) -> str:
    """*INC-7* (SEV2): title, in #room."""
    title = mrkdwn.escape_within(incident.title, TITLE_SHOWN)
    room = f", in {mrkdwn.channel(incident.channel_id)}" if incident.channel_id else ""
    return f"*{incident.reference}* ({incident.severity}): {title}{room}"


def duties_dm(role: RoleDef, incident: Incident, *, user_id: str, by: str) -> Message:
    """Sent to the new holder in Warroom's Messages tab, where it stays to be re-read."""
    given = "" if by == user_id else f" {mrkdwn.user(by)} gave you this role."
    head = f"🎖️ You are {_role(role)} for {_about(incident)}.{given}"
    text = f"{head}\n*Your duties:* {_duties(role)}\n_{AGAIN}_"
    return mrkdwn_message(text)


def role_confirmed(role: RoleDef, incident: Incident, *, user_id: str, by: str) -> Message:
    """The one private word to whoever took or gave the role."""
    if by == user_id:
        text = (
            f"✅ You are now {_role(role)} for *{incident.reference}*. Your duties are in a "
            "DM from Warroom (its Messages tab); `/incident duties` shows them here too."
        )
    else:
        text = (
            f"✅ {mrkdwn.user(user_id)} is now {_role(role)} for *{incident.reference}*; "
            "Warroom sent them their duties by DM."
        )
    return mrkdwn_message(text)


def duties_answer(incident: Incident, policy: Policy, user_id: str) -> Message:
    """`/incident duties`: the duties of the roles `user_id` holds in the incident, or,
    holding none, every role's duties and who holds it."""
    held = [role for role in policy.roles if incident.holder(role.key) == user_id]
    if held:
        head = f"*Your duties in {incident.reference}*"
        lines = [f"{_role(role)}: {_duties(role)}" for role in held]
    else:
        head = (
            f"You hold no role in *{incident.reference}*. Take a free one on the card, "
            f"or `{mrkdwn.escape('/incident role <role> me')}`. The roles:"
        )
        lines = []
        for role in policy.roles:
            holder = incident.holder(role.key)
            who = mrkdwn.user(holder) if holder else "_unassigned_"
            lines.append(f"{_role(role)} ({who}): {_duties(role)}")
    blocks = [mrkdwn_section(head).to_dict(), *(mrkdwn_section(ln).to_dict() for ln in lines)]
    return Message(text="\n".join([head, *lines]), blocks=blocks)
