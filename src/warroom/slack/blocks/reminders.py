"""What the scheduler says when an update is due or late, or nobody has taken command."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo

from slack_sdk.models.blocks import ActionsBlock, ButtonElement

from warroom.domain.incident import Incident
from warroom.domain.policy import Policy
from warroom.slack import mrkdwn
from warroom.slack.blocks.card import UPDATE_OPEN_ACTION, role_take_action_id
from warroom.slack.blocks.limits import BUTTON_TEXT, TITLE_SHOWN, clip
from warroom.slack.blocks.text import mrkdwn_message
from warroom.slack.message import Message

__all__ = [
    "SNOOZE_MINUTES",
    "SNOOZE_PREFIX",
    "UPDATE_OPEN_ACTION",
    "commander_escalation",
    "commander_nag",
    "late_update_notice",
    "marked",
    "nothing_to_snooze",
    "overdue_broadcast",
    "reminder_block_id",
    "snoozed_line",
    "update_due",
    "update_overdue",
]

SNOOZE_PREFIX = "update_snooze:"
SNOOZE_MINUTES = (15, 30, 60)


def _minutes(span: timedelta) -> str:
    minutes = max(int(span.total_seconds() // 60), 0)
    if minutes < 120:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def reminder_block_id(job_id: int) -> str:
    return f"reminder:{job_id}"


def marked(message: Message, job_id: int) -> Message:
    """The reminder carrying its job's id, so a resent job can tell it already went out."""
    first, *rest = message.blocks
    return Message(
        text=message.text, blocks=[{**first, "block_id": reminder_block_id(job_id)}, *rest]
    )


def _with_buttons(message: Message, buttons: list[ButtonElement]) -> Message:
    actions = ActionsBlock(block_id="reminder_actions", elements=buttons).to_dict()
    return Message(text=message.text, blocks=[*message.blocks, actions])


def update_due(
    incident: Incident,
    who: str,
    *,
    every: timedelta | None,
    silent_for: timedelta | None = None,
) -> Message:
    """The first reminder, or (with `silent_for`) a repeat while the silence goes on."""
    cadence = f" ({incident.severity}: every {_minutes(every)})" if every else ""
    if silent_for is None:
        subject = f"a status update for *{incident.reference}* is due now"
    else:
        subject = f"*{incident.reference}* has had no status update for {_minutes(silent_for)}"
    text = (
        f"⏰ {mrkdwn.user(who)}, {subject}{cadence}. "
        "Say what is happening, the impact, what we are doing, and when the next update comes."
    )
    return _with_buttons(mrkdwn_message(text), _update_buttons(incident))


def _update_buttons(incident: Incident) -> list[ButtonElement]:
    value = str(incident.id)
    return [
        ButtonElement(
            action_id=UPDATE_OPEN_ACTION, text="Post update", value=value, style="primary"
        )
    ] + [
        ButtonElement(action_id=f"{SNOOZE_PREFIX}{m}", text=f"Snooze {m} min", value=value)
        for m in SNOOZE_MINUTES
    ]


def update_overdue(
    incident: Incident, who: str, *, silent_since: datetime, now: datetime
) -> Message:
    """The nudge to the IC, with the same buttons as the reminder: the one who must act
    can do it from here."""
    text = (
        f"⚠️ {mrkdwn.user(who)}, *{incident.reference}* has had no status update for "
        f"{_minutes(now - silent_since)}. Stakeholders are waiting: post one, or snooze it."
    )
    return _with_buttons(mrkdwn_message(text), _update_buttons(incident))


def overdue_broadcast(incident: Incident, *, silent_since: datetime, now: datetime) -> Message:
    room = f" — {mrkdwn.channel(incident.channel_id)}" if incident.channel_id else ""
    return mrkdwn_message(
        f"🔕 *{incident.reference}* {incident.severity}: no update for "
        f"{_minutes(now - silent_since)}{room}"
    )


def late_update_notice(incident: Incident, *, silent_since: datetime, now: datetime) -> Message:
    """For the stakeholder channel: the promised update is late, and the team knows."""
    title = mrkdwn.escape_within(incident.title, TITLE_SHOWN)
    return mrkdwn_message(
        f"⏳ *{incident.reference}* {incident.severity} — {title}: the status update is late "
        f"(none for {_minutes(now - silent_since)}). The team has been reminded; the next "
        "update will be posted here."
    )


def commander_nag(incident: Incident, policy: Policy, *, now: datetime) -> Message:
    role = policy.commander_role
    text = (
        f"🧭 *{incident.reference}* has had no {mrkdwn.escape(role.name)} for "
        f"{_minutes(now - incident.declared_at)}. Someone take it: the IC coordinates and decides."
    )
    take = ButtonElement(
        action_id=role_take_action_id(role.key),
        text=clip(f"Take {role.short}", BUTTON_TEXT),
        value=str(incident.id),
        style="primary",
    )
    return _with_buttons(mrkdwn_message(text), [take])


def commander_escalation(
    incident: Incident, policy: Policy, *, now: datetime, usergroup: str | None
) -> Message:
    who = f"<!subteam^{usergroup}> " if usergroup else ""
    room = f" Join {mrkdwn.channel(incident.channel_id)}." if incident.channel_id else ""
    return mrkdwn_message(
        f"🚨 {who}*{incident.reference}* {incident.severity} has had no "
        f"{mrkdwn.escape(policy.commander_role.name)} for "
        f"{_minutes(now - incident.declared_at)}: "
        f"{mrkdwn.escape_within(incident.title, TITLE_SHOWN)}.{room}"
    )


def snoozed_line(incident: Incident, by: str, minutes: int, zone: tzinfo = UTC) -> Message:
    due = incident.next_update_due_at
    when = f" Next update due {mrkdwn.date(due, '{time}', zone)}." if due else ""
    return mrkdwn_message(
        f"😴 {mrkdwn.user(by)} snoozed the status-update reminder for *{incident.reference}* "
        f"by {minutes} min.{when}"
    )


def nothing_to_snooze(incident: Incident, zone: tzinfo = UTC) -> Message:
    """The answer to Snooze on a reminder that no longer applies (told privately)."""
    due = incident.next_update_due_at
    if incident.resolved_at is not None or due is None:
        why = (
            "was cancelled"
            if incident.cancelled_at is not None
            else "is resolved"
            if incident.resolved_at is not None
            else "expects no status updates now"
        )
        return mrkdwn_message(f"Nothing to snooze: *{incident.reference}* {why}.")
    return mrkdwn_message(
        f"Nothing to snooze: the next update for *{incident.reference}* is already due "
        f"{mrkdwn.date(due, '{time}', zone)}, later than that. Snooze never brings an update "
        "forward."
    )
