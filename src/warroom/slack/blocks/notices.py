"""Private notes to the reporter about their declaration: ready, or what failed."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import ActionsBlock, ButtonElement

from warroom.domain.incident import Incident
from warroom.slack import mrkdwn
from warroom.slack.blocks.text import mrkdwn_message
from warroom.slack.message import Message

__all__ = ["DECLARE_RETRY_ACTION", "room_ready", "setup_failed", "setup_in_progress"]

DECLARE_RETRY_ACTION = "declare_retry"


def room_ready(incident: Incident, not_invited: Sequence[tuple[str, str]] = ()) -> Message:
    assert incident.channel_id is not None
    text = (
        f"✅ *{incident.reference}* is open: {mrkdwn.channel(incident.channel_id)}. "
        "Take a role on the pinned card and keep talking there: "
        "every message lands on the timeline."
    )
    if not_invited:
        missed = ", ".join(f"{mrkdwn.user(u)} (`{mrkdwn.escape(e)}`)" for u, e in not_invited)
        text += f"\n⚠️ I couldn't invite {missed}; add them by hand."
    return mrkdwn_message(text)


def _progress(incident: Incident, announce: bool) -> str:
    steps = [
        ("incident recorded", True),
        ("channel created", incident.channel_id is not None),
        ("card posted", incident.card_ts is not None),
    ]
    if announce:
        steps.append(("announced", incident.announcement_ts is not None))
    return " · ".join(f"{'✓' if done else '✗'} {name}" for name, done in steps)


def setup_failed(
    incident: Incident, *, method: str, error: str, advice: str, announce: bool
) -> Message:
    room = (
        f"The room {mrkdwn.channel(incident.channel_id)} exists already.\n"
        if incident.channel_id
        else ""
    )
    text = (
        f"⚠️ *{incident.reference}* is recorded but its war room isn't fully set up: "
        f"`{method}` failed with `{mrkdwn.escape(error)}`.\n{mrkdwn.escape(advice)}\n"
        f"{_progress(incident, announce)}\n{room}"
        "Press *Retry* to finish this incident; declaring again would open a second one."
    )
    retry = ActionsBlock(
        elements=[
            ButtonElement(
                action_id=DECLARE_RETRY_ACTION,
                text="Retry",
                value=str(incident.id),
                style="primary",
            )
        ]
    )
    note = mrkdwn_message(text)
    return Message(text=text, blocks=[*note.blocks, retry.to_dict()])


def setup_in_progress(incident: Incident) -> Message:
    text = f"⏳ *{incident.reference}* is being set up right now; I'll tell you when it's ready."
    return mrkdwn_message(text)
