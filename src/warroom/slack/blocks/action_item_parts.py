"""Pieces shared by the action-item messages and modals: ids, limits, `ItemRef`, labels.

Item text is stored plain (as typed) and escaped here, wherever it meets mrkdwn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
)

from warroom.domain.action_item import ActionItem
from warroom.domain.incident import Incident
from warroom.slack import mrkdwn
from warroom.slack.blocks.limits import CONTEXT_TEXT, clip
from warroom.slack.blocks.text import mrkdwn_section
from warroom.slack.message import Message

__all__ = [
    "ADD_ACTION",
    "DONE_ACTION",
    "ITEM_TEXT_MAX",
    "PAGE_ACTION",
    "PAGE_SIZE",
    "REASON_MAX",
    "SHOWN",
    "USAGE",
    "USAGE_SHOWN",
    "WONT_DO_ACTION",
    "ItemRef",
    "add_block",
    "add_button",
    "context_block",
    "due_label",
    "item_buttons",
    "owner_label",
    "quoted",
    "room_label",
    "section_block",
    "styled",
    "with_item_buttons",
]

ADD_ACTION = "action_item_add"
DONE_ACTION = "action_item_done"
WONT_DO_ACTION = "action_item_wont_do"
PAGE_ACTION = "action_items_page"
USAGE = "/incident action <text> [@owner] [due YYYY-MM-DD]"
USAGE_SHOWN = mrkdwn.escape(USAGE)
"""For mrkdwn: Slack would read `<text>` as a link, even inside backticks."""

ITEM_TEXT_MAX = 1000
REASON_MAX = 500
PAGE_SIZE = 20
"""Items per list message: a header, two blocks per open item, a context and the
buttons stay under Slack's 50 blocks per message (1 + 2·20 + 2 = 43)."""
SHOWN = 1200


# -- the reference carried by buttons -----------------------------------------------


@dataclass(frozen=True)
class ItemRef:
    """A button's value: `12:40` is item 12 pressed on the list page at offset 40;
    `12:-` is item 12 pressed anywhere else (a reminder, a notice)."""

    item_id: int
    offset: int | None = None

    def encode(self) -> str:
        return f"{self.item_id}:{'-' if self.offset is None else self.offset}"

    @classmethod
    def decode(cls, value: str) -> ItemRef | None:
        item, _, offset = value.partition(":")
        if not item.isdigit() or not (offset == "-" or offset.isdigit()):
            return None
        return cls(int(item), None if offset == "-" else int(offset))


# -- small pieces -------------------------------------------------------------------


def section_block(text: str) -> dict[str, Any]:
    block: dict[str, Any] = mrkdwn_section(text).to_dict()
    return block


def context_block(text: str) -> dict[str, Any]:
    block: dict[str, Any] = ContextBlock(
        elements=[MarkdownTextObject(text=clip(text, CONTEXT_TEXT))]
    ).to_dict()
    return block


def quoted(text: str, limit: int = SHOWN) -> str:
    return "\n".join(f"> {line}" for line in mrkdwn.escape_within(text, limit).splitlines())


def styled(text: str, mark: str) -> str:
    """`*bold*` or `~struck~` when Slack can show it (one line, no stray marks)."""
    return text if "\n" in text or mark in text else f"{mark}{text}{mark}"


def owner_label(item: ActionItem) -> str:
    return mrkdwn.user(item.owner_id) if item.owner_id else "no owner"


def due_label(item: ActionItem, today: date | None = None) -> str:
    if item.due_on is None:
        return "no due date"
    late = " ⚠️ *overdue*" if today and item.is_open and item.due_on < today else ""
    return f"due {item.due_on.isoformat()}{late}"


def room_label(incident: Incident) -> str:
    where = f" in {mrkdwn.channel(incident.channel_id)}" if incident.channel_id else ""
    return f"*{incident.reference}*{where}"


def item_buttons(item: ActionItem, offset: int | None) -> list[ButtonElement]:
    value = ItemRef(item.id, offset).encode()
    return [
        ButtonElement(action_id=DONE_ACTION, text="Done", value=value, style="primary"),
        ButtonElement(action_id=WONT_DO_ACTION, text="Won't do", value=value),
    ]


def with_item_buttons(text: str, item: ActionItem) -> Message:
    blocks = [section_block(text), ActionsBlock(elements=item_buttons(item, None)).to_dict()]
    return Message(text=text, blocks=blocks)


def add_button(incident_id: int) -> dict[str, Any]:
    """The "Add action item" button, for any message about the incident."""
    button: dict[str, Any] = ButtonElement(
        action_id=ADD_ACTION, text="Add action item", value=str(incident_id)
    ).to_dict()
    return button


def add_block(incident_id: int) -> dict[str, Any]:
    """An actions block holding just the "Add action item" button."""
    return {"type": "actions", "elements": [add_button(incident_id)]}
