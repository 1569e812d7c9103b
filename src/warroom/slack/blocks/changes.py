"""Short lines posted in the war room when something changes, and private notes about it."""

from __future__ import annotations

from collections.abc import Sequence

from warroom.domain.changes import InvalidChoice
from warroom.domain.incident import Incident
from warroom.domain.policy import Policy, RoleDef
from warroom.slack import mrkdwn
from warroom.slack.blocks.limits import TITLE_SHOWN
from warroom.slack.blocks.text import mrkdwn_message
from warroom.slack.errors import SlackFailure
from warroom.slack.message import Message

__all__ = [
    "invalid_choice",
    "not_refreshed",
    "raised_to_top_notice",
    "role_already_held",
    "role_changed_line",
    "severity_changed_line",
    "status_changed_line",
]


def role_changed_line(role: RoleDef, *, user_id: str, previous_id: str | None, by: str) -> Message:
    name = mrkdwn.escape(role.name)
    if by == user_id:
        how = "took it" if previous_id is None else f"took over from {mrkdwn.user(previous_id)}"
    elif previous_id is None:
        how = f"assigned by {mrkdwn.user(by)}"
    elif by == previous_id:
        how = f"handed over by {mrkdwn.user(by)}"
    else:
        how = f"handed over from {mrkdwn.user(previous_id)} by {mrkdwn.user(by)}"
    return mrkdwn_message(f"🎖️ {mrkdwn.user(user_id)} is now *{name}* ({how}).")


def role_already_held(role: RoleDef, holder: str, *, asker: str) -> Message:
    if holder == asker:
        return mrkdwn_message(f"You already hold *{mrkdwn.escape(role.name)}*.")
    return mrkdwn_message(
        f"{mrkdwn.user(holder)} already holds *{mrkdwn.escape(role.name)}*. "
        f"To take over, ask them to hand it to you (Hand off on the card, or "
        f"`/incident role {mrkdwn.escape(role.short.lower())} @you`)."
    )


def severity_changed_line(policy: Policy, *, old: str, new: str, by: str) -> Message:
    rank_old, rank_new = policy.severity(old).rank, policy.severity(new).rank
    verb, icon = ("raised", "⬆️") if rank_new < rank_old else ("lowered", "⬇️")
    label = mrkdwn.escape(policy.severity(new).label)
    return mrkdwn_message(f"{icon} Severity {verb} {old} → *{new}* ({label}) by {mrkdwn.user(by)}.")


def status_changed_line(policy: Policy, *, old: str, new: str, by: str) -> Message:
    before = mrkdwn.escape(policy.status(old).label)
    after = mrkdwn.escape(policy.status(new).label)
    return mrkdwn_message(f"🔄 Status {before} → *{after}* by {mrkdwn.user(by)}.")


def raised_to_top_notice(incident: Incident, policy: Policy) -> Message:
    level = policy.severity(incident.severity)
    room = f" — war room {mrkdwn.channel(incident.channel_id)}" if incident.channel_id else ""
    return mrkdwn_message(
        f"🚨 *{incident.reference}* raised to *{level.key}* ({mrkdwn.escape(level.label)}): "
        f"{mrkdwn.escape_within(incident.title, TITLE_SHOWN)}{room}"
    )


SURFACE_METHODS = frozenset({"chat.update", "conversations.setTopic"})


def not_refreshed(incident: Incident, failures: Sequence[SlackFailure]) -> Message:
    """What a change's Slack side failed to do, and what (if anything) to do about it."""
    what = ", ".join(f"`{f.method}` (`{mrkdwn.escape(f.error)}`)" for f in failures)
    next_steps = []
    if any(f.transient and f.method in SURFACE_METHODS for f in failures):
        next_steps.append(
            "Warroom will bring the card, topic and announcement up to date by itself "
            "once Slack recovers."
        )
    if any(f.transient and f.method not in SURFACE_METHODS for f in failures):
        next_steps.append(
            "A message Slack refused was not posted: say it in the room yourself if people "
            "need it now."
        )
    next_steps.extend(dict.fromkeys(f.advice for f in failures if not f.transient))
    return mrkdwn_message(
        f"⚠️ The change to *{incident.reference}* is saved, but Slack refused {what}, so "
        f"Slack may not show all of it yet. {mrkdwn.escape(' '.join(next_steps))}"
    )


def invalid_choice(invalid: InvalidChoice) -> Message:
    """What was typed (shown, never live: it is Slack-format command text) and what is valid."""
    given = mrkdwn.requote_within(" ".join(invalid.given.split()), 100) or "nothing"
    valid = mrkdwn.escape(", ".join(invalid.valid))
    return mrkdwn_message(f"`{given}` is not a {invalid.kind}. Use one of: {valid}.")
