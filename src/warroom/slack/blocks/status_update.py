"""The status-update modal and how an update reads for each audience."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    DateTimePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from warroom.domain.incident import Incident
from warroom.domain.policy import Policy
from warroom.domain.status_update import UPDATE_TEXT_MAX, StatusUpdate, StatusUpdateForm
from warroom.slack import mrkdwn
from warroom.slack.blocks.limits import MODAL_TITLE, OPTION_TEXT, clip
from warroom.slack.blocks.text import mrkdwn_section
from warroom.slack.message import Message

__all__ = [
    "UPDATE_CALLBACK_ID",
    "parse_status_update",
    "status_update_modal",
    "update_compact",
    "update_for_room",
]

UPDATE_CALLBACK_ID = "status_update"
ACTION = "value"
COMPACT_SHOWN = 600
SECTION_ROOM = 2900


def _text_input(
    block_id: str, label: str, placeholder: str, initial: str | None = None
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        element=PlainTextInputElement(
            action_id=ACTION,
            multiline=True,
            max_length=UPDATE_TEXT_MAX,
            placeholder=placeholder,
            initial_value=clip(initial, UPDATE_TEXT_MAX) if initial else None,
        ),
    )


def status_update_modal(
    policy: Policy, incident: Incident, *, next_due: datetime | None, every: timedelta | None
) -> dict[str, Any]:
    statuses = [
        Option(value=key, text=PlainTextObject(text=clip(policy.status(key).label, OPTION_TEXT)))
        for key in policy.settable_statuses()
    ]
    current = next((o for o in statuses if o.value == incident.status), None)
    cadence = (
        f"{incident.severity} promises an update every {int(every.total_seconds() // 60)} min."
        if every
        else f"{incident.severity} has no update cadence; pick a time if you promise one."
    )
    view = View(
        type="modal",
        callback_id=UPDATE_CALLBACK_ID,
        title=clip(f"Update {incident.reference}", MODAL_TITLE),
        submit="Post update",
        close="Cancel",
        private_metadata=str(incident.id),
        blocks=[
            InputBlock(
                block_id="status",
                label="Status",
                element=StaticSelectElement(
                    action_id=ACTION, placeholder="Status", options=statuses, initial_option=current
                ),
            ),
            _text_input("happening", "What is happening?", "What we know now, in plain words"),
            _text_input(
                "impact", "What is the impact?", "Who is affected and how", incident.impact
            ),
            _text_input("doing", "What are we doing?", "The current line of work"),
            InputBlock(
                block_id="next_update",
                label="Next update at",
                optional=every is None,
                hint=cadence,
                element=DateTimePickerElement(
                    action_id=ACTION,
                    initial_date_time=int(next_due.timestamp()) if next_due else None,
                ),
            ),
        ],
    )
    result: dict[str, Any] = view.to_dict()
    return result


def parse_status_update(view: dict[str, Any]) -> tuple[int, StatusUpdateForm]:
    values: dict[str, Any] = view.get("state", {}).get("values", {})

    def field(block_id: str) -> dict[str, Any]:
        found: dict[str, Any] = values.get(block_id, {}).get(ACTION) or {}
        return found

    at = field("next_update").get("selected_date_time")
    return int(view.get("private_metadata") or 0), StatusUpdateForm(
        status=(field("status").get("selected_option") or {}).get("value"),
        happening=field("happening").get("value"),
        impact=field("impact").get("value"),
        doing=field("doing").get("value"),
        next_update_at=datetime.fromtimestamp(int(at), UTC) if at else None,
    )


def _next(update: StatusUpdate, zone: tzinfo) -> str:
    at = update.next_update_at
    return mrkdwn.date(at, zone=zone) if at else "when there is news"


def update_for_room(incident: Incident, policy: Policy, update: StatusUpdate, by: str) -> Message:
    """What responders see: every answer in full, one section each."""
    status = mrkdwn.escape(policy.status(update.status).label)
    head = f"📣 *Status update* · {incident.reference} · {incident.severity} · {status}"
    answers = [
        ("What is happening", update.happening),
        ("Impact", update.impact),
        ("What we are doing", update.doing),
    ]
    sections = [f"*{q}:*\n{mrkdwn.escape_within(a, SECTION_ROOM)}" for q, a in answers]
    sections.append(f"*Next update:* {_next(update, policy.zone)}")
    blocks = [
        mrkdwn_section(head),
        *(mrkdwn_section(text) for text in sections),
        ContextBlock(elements=[MarkdownTextObject(text=f"Posted by {mrkdwn.user(by)}")]),
    ]
    return Message(text="\n".join([head, *sections]), blocks=[b.to_dict() for b in blocks])


def update_compact(incident: Incident, policy: Policy, update: StatusUpdate) -> Message:
    """What stakeholders see: the gist, the impact and the next update."""
    status = mrkdwn.escape(policy.status(update.status).label)
    text = (
        f"*{incident.reference} · {incident.severity} · {status}* — "
        f"{mrkdwn.escape_within(update.happening, COMPACT_SHOWN)}\n"
        f"*Impact:* {mrkdwn.escape_within(update.impact, COMPACT_SHOWN)}\n"
        f"Next update {_next(update, policy.zone)}"
    )
    return Message(text=text, blocks=[mrkdwn_section(text).to_dict()])
