"""What people see when an incident turns out to be a false alarm or a duplicate."""

from __future__ import annotations

from warroom.domain.incident import Incident
from warroom.slack import mrkdwn
from warroom.slack.blocks.limits import TITLE_SHOWN
from warroom.slack.blocks.text import mrkdwn_message
from warroom.slack.message import Message

__all__ = ["REASON_MAX", "cancelled_line", "cancelled_notice", "duplicate_linked_line"]

REASON_MAX = 500


def _reason(incident: Incident) -> str:
    return mrkdwn.escape_within(incident.cancel_reason or "", REASON_MAX)


def cancelled_line(incident: Incident, by: str, original: Incident | None) -> Message:
    """In the cancelled incident's own room."""
    if original is not None:
        room = f" in {mrkdwn.channel(original.channel_id)}" if original.channel_id else ""
        return mrkdwn_message(
            f"🔗 *{incident.reference}* is a duplicate of *{original.reference}* "
            f"({mrkdwn.user(by)} linked them): please carry on{room}. This incident is "
            "closed: reminders have stopped and no postmortem is drafted."
        )
    return mrkdwn_message(
        f"🚫 *{incident.reference}* cancelled by {mrkdwn.user(by)}: {_reason(incident)}\n"
        "Reminders have stopped and no postmortem is drafted. `/incident reopen` if it "
        "turns out to be real."
    )


def cancelled_notice(incident: Incident, original: Incident | None) -> Message:
    """In the broadcast channel, where the incident was announced."""
    what = (
        f"a duplicate of *{original.reference}*"
        if original is not None and not original.private
        else "cancelled"
    )
    title = mrkdwn.escape_within(incident.title, TITLE_SHOWN)
    text = f"🚫 *{incident.reference}* {incident.severity} {what}: {title}"
    if original is None:
        text += f"\n{_reason(incident)}"
    return mrkdwn_message(text)


def duplicate_linked_line(duplicate: Incident, original: Incident) -> Message:
    """In the room of the incident that goes on. A private duplicate is not named to a
    public room: only the fact that one was closed is said."""
    if duplicate.private and not original.private:
        return mrkdwn_message(
            f"🔗 A private incident was closed as a duplicate of *{original.reference}*."
        )
    room = f" ({mrkdwn.channel(duplicate.channel_id)})" if duplicate.channel_id else ""
    title = mrkdwn.escape_within(duplicate.title, TITLE_SHOWN)
    return mrkdwn_message(
        f"🔗 *{duplicate.reference}* “{title}”{room} was declared for the same problem and "
        f"closed as a duplicate of *{original.reference}*. Its people may join you here."
    )
