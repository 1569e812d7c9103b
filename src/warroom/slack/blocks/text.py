"""Small helpers shared by the builders."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from warroom.domain.incident import Incident
from warroom.domain.policy import COMMANDER, Policy
from warroom.slack import mrkdwn
from warroom.slack.blocks.limits import SECTION_TEXT, TITLE_SHOWN, clip
from warroom.slack.message import Message

__all__ = [
    "clip",
    "incident_lines",
    "mrkdwn_message",
    "mrkdwn_section",
    "status_shown",
    "update_promise",
]

CANCEL_REASON_SHOWN = 200


def update_promise(incident: Incident, now: datetime | None, zone: tzinfo = UTC) -> str | None:
    """When the next status update is promised, and once it is late, since when (Slack
    shows "12 minutes ago" in each reader's client, so it stays true between refreshes).
    None while no update is expected."""
    due = incident.next_update_due_at
    if due is None or incident.resolved_at is not None:
        return None
    if now is not None and now >= due:
        was_due, ago = mrkdwn.date(due, "{time}", zone), mrkdwn.date(due, "{ago}", zone)
        return f"⚠️ overdue: was due {was_due} ({ago})"
    return mrkdwn.date(due, "{time}", zone)


def status_shown(incident: Incident, policy: Policy) -> str:
    """The status as people read it (escaped): a cancelled incident says so and why."""
    if incident.cancelled_at is not None:
        reason = mrkdwn.escape_within(incident.cancel_reason or "", CANCEL_REASON_SHOWN)
        return f"🚫 Cancelled: {reason}" if reason else "🚫 Cancelled"
    return mrkdwn.escape(policy.status(incident.status).label)


def mrkdwn_section(text: str, block_id: str | None = None) -> SectionBlock:
    """A section showing mrkdwn (already escaped), cut to fit the section's limit."""
    return SectionBlock(block_id=block_id, text=MarkdownTextObject(text=clip(text, SECTION_TEXT)))


def mrkdwn_message(text: str) -> Message:
    """A one-section message whose fallback text is the same mrkdwn (already escaped)."""
    return Message(text=text, blocks=[mrkdwn_section(text).to_dict()])


def incident_lines(incident: Incident, policy: Policy, now: datetime | None) -> str:
    """An incident in a list (`/incident list`, `find`, the Home tab), escaped:
    *INC-7* · SEV2 · Investigating · #room / title / IC, age, next update."""
    room = mrkdwn.channel(incident.channel_id) if incident.channel_id else "_room being set up_"
    private = " 🔒" if incident.private else ""
    head = (
        f"*{incident.reference}*{private} · {mrkdwn.escape(incident.severity)} · "
        f"{status_shown(incident, policy)} · {room}"
    )
    title = mrkdwn.escape_within(incident.title, TITLE_SHOWN)
    commander = incident.holder(COMMANDER)
    short = mrkdwn.escape(policy.commander_role.short)
    facts = [f"{short} {mrkdwn.user(commander)}" if commander else f"no {short} yet"]
    if incident.resolved_at is not None:
        facts.append(f"resolved {mrkdwn.date(incident.resolved_at, '{ago}', policy.zone)}")
    else:
        facts.append(f"declared {mrkdwn.date(incident.declared_at, '{ago}', policy.zone)}")
    promise = update_promise(incident, now, policy.zone)
    if promise is not None:
        facts.append(f"next update {promise}")
    return f"{head}\n{title}\n{' · '.join(facts)}"
