"""Action-item modals: adding an item, and the reason asked for "won't do"."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
    UserSelectElement,
)
from slack_sdk.models.views import View

from warroom.domain.action_item import ActionItem
from warroom.domain.incident import Incident
from warroom.slack import mrkdwn
from warroom.slack.blocks.action_item_parts import (
    ITEM_TEXT_MAX,
    REASON_MAX,
    ItemRef,
    due_label,
    owner_label,
    quoted,
)
from warroom.slack.blocks.limits import CONTEXT_TEXT, SECTION_TEXT, TITLE_SHOWN, clip

__all__ = [
    "ADD_CALLBACK_ID",
    "WONT_DO_CALLBACK_ID",
    "AddForm",
    "WontDoOrigin",
    "add_modal",
    "parse_add",
    "parse_wont_do",
    "wont_do_modal",
]

ADD_CALLBACK_ID = "action_item_add"
WONT_DO_CALLBACK_ID = "action_item_wont_do"
VALUE = "value"
TEXT_BLOCK, OWNER_BLOCK, DUE_BLOCK, REASON_BLOCK = "text", "owner", "due", "reason"


@dataclass(frozen=True)
class WontDoOrigin:
    """Where "Won't do" was pressed, kept in the modal so the submission can redraw it."""

    ref: ItemRef
    response_url: str | None
    home: bool = False
    """Pressed on the App Home tab, which is republished instead of redrawn."""

    def encode(self) -> str:
        data: dict[str, Any] = {"ref": self.ref.encode(), "response_url": self.response_url}
        if self.home:
            data["home"] = True
        return json.dumps(data)

    @classmethod
    def decode(cls, metadata: str) -> WontDoOrigin | None:
        try:
            data = json.loads(metadata)
            ref = ItemRef.decode(str(data["ref"]))
            url = data.get("response_url")
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        if ref is None:
            return None
        url = url if isinstance(url, str) and url else None
        return cls(ref, url, home=data.get("home") is True)


@dataclass(frozen=True)
class AddForm:
    incident_id: int
    text: str
    owner_id: str | None
    due: str | None
    """As the date picker sent it (YYYY-MM-DD), or None when left empty."""


# -- adding -------------------------------------------------------------------------


def add_modal(incident: Incident, *, default_due: date) -> dict[str, Any]:
    view = View(
        type="modal",
        callback_id=ADD_CALLBACK_ID,
        title="Add action item",
        submit="Add",
        close="Cancel",
        private_metadata=str(incident.id),
        blocks=[
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=clip(
                            f"*{incident.reference}* · "
                            f"{mrkdwn.escape_within(incident.title, TITLE_SHOWN)}",
                            CONTEXT_TEXT,
                        )
                    )
                ]
            ),
            InputBlock(
                block_id=TEXT_BLOCK,
                label="What needs doing?",
                hint="One concrete follow-up that makes this less likely or less harmful.",
                element=PlainTextInputElement(
                    action_id=VALUE, multiline=True, max_length=ITEM_TEXT_MAX
                ),
            ),
            InputBlock(
                block_id=OWNER_BLOCK,
                label="Owner",
                optional=True,
                hint="They are told privately.",
                element=UserSelectElement(action_id=VALUE, placeholder="Pick a person"),
            ),
            InputBlock(
                block_id=DUE_BLOCK,
                label="Due",
                element=DatePickerElement(action_id=VALUE, initial_date=default_due.isoformat()),
            ),
        ],
    )
    result: dict[str, Any] = view.to_dict()
    return result


def parse_add(view: dict[str, Any]) -> AddForm:
    values: dict[str, Any] = view.get("state", {}).get("values", {})

    def field(block_id: str) -> dict[str, Any]:
        found: dict[str, Any] = values.get(block_id, {}).get(VALUE) or {}
        return found

    metadata = str(view.get("private_metadata") or "")
    return AddForm(
        incident_id=int(metadata) if metadata.isdigit() else 0,
        text=(field(TEXT_BLOCK).get("value") or "").strip(),
        owner_id=field(OWNER_BLOCK).get("selected_user") or None,
        due=field(DUE_BLOCK).get("selected_date") or None,
    )


# -- won't do ----------------------------------------------------------------------


def wont_do_modal(incident: Incident, item: ActionItem, origin: WontDoOrigin) -> dict[str, Any]:
    view = View(
        type="modal",
        callback_id=WONT_DO_CALLBACK_ID,
        title="Won't do",
        submit="Save",
        close="Cancel",
        private_metadata=origin.encode(),
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text=clip(
                        f"*{incident.reference}* · {owner_label(item)} · {due_label(item)}\n"
                        f"{quoted(item.text, 2000)}",
                        SECTION_TEXT,
                    )
                )
            ),
            InputBlock(
                block_id=REASON_BLOCK,
                label="Why won't it be done?",
                hint="The postmortem keeps the reason, so readers know it was a decision.",
                element=PlainTextInputElement(
                    action_id=VALUE, multiline=True, max_length=REASON_MAX
                ),
            ),
        ],
    )
    result: dict[str, Any] = view.to_dict()
    return result


def parse_wont_do(view: dict[str, Any]) -> tuple[WontDoOrigin | None, str]:
    values: dict[str, Any] = view.get("state", {}).get("values", {})
    reason = (values.get(REASON_BLOCK, {}).get(VALUE, {}).get("value") or "").strip()
    return WontDoOrigin.decode(str(view.get("private_metadata") or "")), reason
