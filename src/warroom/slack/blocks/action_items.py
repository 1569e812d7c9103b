"""Action items in Slack: the add button and modal, the list, the won't-do modal, reminders.

Item text is stored plain (as typed) and escaped here, wherever it meets mrkdwn.
Buttons on an item carry an `ItemRef`: the item and, when pressed on the list,
the page it was on, so the list can be redrawn in place after the change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
    UserSelectElement,
)
from slack_sdk.models.views import View

from warroom.domain.incident import Incident
from warroom.slack import mrkdwn
from warroom.slack.blocks.text import mrkdwn_message
from warroom.slack.message import Message
from warroom.store.action_items import DONE, OPEN, ActionItem, Counts

__all__ = [
    "ADD_ACTION",
    "ADD_CALLBACK_ID",
    "DONE_ACTION",
    "ITEM_TEXT_MAX",
    "PAGE_ACTION",
    "PAGE_SIZE",
    "REASON_MAX",
    "USAGE",
    "USAGE_SHOWN",
    "WONT_DO_ACTION",
    "WONT_DO_CALLBACK_ID",
    "AddForm",
    "ItemRef",
    "WontDoOrigin",
    "add_block",
    "add_button",
    "add_modal",
    "added_answer",
    "added_line",
    "closed_line",
    "item_list",
    "item_settled",
    "not_added",
    "overdue_to_commander",
    "overdue_to_owner",
    "owner_notice",
    "parse_add",
    "parse_wont_do",
    "postmortem_open",
    "usage",
    "wont_do_modal",
]

ADD_ACTION = "action_item_add"
ADD_CALLBACK_ID = "action_item_add"
DONE_ACTION = "action_item_done"
WONT_DO_ACTION = "action_item_wont_do"
WONT_DO_CALLBACK_ID = "action_item_wont_do"
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
VALUE = "value"
TEXT_BLOCK, OWNER_BLOCK, DUE_BLOCK, REASON_BLOCK = "text", "owner", "due", "reason"


# -- references carried by buttons and modals ---------------------------------------


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


@dataclass(frozen=True)
class WontDoOrigin:
    """Where "Won't do" was pressed, kept in the modal so the submission can redraw it."""

    ref: ItemRef
    response_url: str | None

    def encode(self) -> str:
        return json.dumps({"ref": self.ref.encode(), "response_url": self.response_url})

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
        return cls(ref, url if isinstance(url, str) and url else None)


@dataclass(frozen=True)
class AddForm:
    incident_id: int
    text: str
    owner_id: str | None
    due: str | None
    """As the date picker sent it (YYYY-MM-DD), or None when left empty."""


# -- small pieces -------------------------------------------------------------------


def _section(text: str) -> dict[str, Any]:
    block: dict[str, Any] = SectionBlock(text=MarkdownTextObject(text=text)).to_dict()
    return block


def _context(text: str) -> dict[str, Any]:
    block: dict[str, Any] = ContextBlock(elements=[MarkdownTextObject(text=text)]).to_dict()
    return block


def _quote(text: str, limit: int = SHOWN) -> str:
    return "\n".join(f"> {line}" for line in mrkdwn.escape_within(text, limit).splitlines())


def _styled(text: str, mark: str) -> str:
    """`*bold*` or `~struck~` when Slack can show it (one line, no stray marks)."""
    return text if "\n" in text or mark in text else f"{mark}{text}{mark}"


def _owner(item: ActionItem) -> str:
    return mrkdwn.user(item.owner_id) if item.owner_id else "no owner"


def _due(item: ActionItem, today: date | None = None) -> str:
    if item.due_on is None:
        return "no due date"
    late = " ⚠️ *overdue*" if today and item.is_open and item.due_on < today else ""
    return f"due {item.due_on.isoformat()}{late}"


def _room(incident: Incident) -> str:
    where = f" in {mrkdwn.channel(incident.channel_id)}" if incident.channel_id else ""
    return f"*{incident.reference}*{where}"


def _item_buttons(item: ActionItem, offset: int | None) -> list[ButtonElement]:
    value = ItemRef(item.id, offset).encode()
    return [
        ButtonElement(action_id=DONE_ACTION, text="Done", value=value, style="primary"),
        ButtonElement(action_id=WONT_DO_ACTION, text="Won't do", value=value),
    ]


def _with_item_buttons(text: str, item: ActionItem) -> Message:
    blocks = [_section(text), ActionsBlock(elements=_item_buttons(item, None)).to_dict()]
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


# -- adding -------------------------------------------------------------------------


def usage(note: str | None = None) -> Message:
    lead = f"{note}\n" if note else ""
    return mrkdwn_message(
        f"{lead}Add an action item with `{USAGE_SHOWN}`, e.g. "
        "`/incident action Alert on checkout error rate @alice due 2030-01-31`. "
        "Without a date it falls due by the policy's default; `/incident actions` lists them."
    )


def not_added(reason: str) -> Message:
    return mrkdwn_message(f"⚠️ {reason}")


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
                        text=f"*{incident.reference}* · {mrkdwn.escape_within(incident.title, 200)}"
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


def added_answer(incident: Incident, item: ActionItem) -> Message:
    """To whoever added it."""
    told = " They have been told." if item.owner_id and item.owner_id != item.created_by else ""
    return mrkdwn_message(
        f"✅ Action item added to *{incident.reference}* — {_owner(item)}, {_due(item)}.{told}\n"
        f"{_quote(item.text)}\n`/incident actions` lists them all."
    )


def added_line(incident: Incident, item: ActionItem) -> Message:
    """In the war room."""
    return mrkdwn_message(
        f"📌 {mrkdwn.user(item.created_by)} added an action item — {_owner(item)}, "
        f"{_due(item)}:\n{_quote(item.text)}"
    )


def owner_notice(incident: Incident, item: ActionItem) -> Message:
    """To the owner, privately."""
    return _with_item_buttons(
        f"📌 {mrkdwn.user(item.created_by)} gave you an action item from {_room(incident)}, "
        f"{_due(item)}:\n{_quote(item.text)}",
        item,
    )


# -- the list -----------------------------------------------------------------------


def _list_entry(item: ActionItem, today: date) -> str:
    text = mrkdwn.escape_within(item.text, SHOWN)
    if item.state == OPEN:
        return f"☐ {_styled(text, '*')}\n{_owner(item)} · {_due(item, today)}"
    closer = mrkdwn.user(item.closed_by) if item.closed_by else "someone"
    when = f" {mrkdwn.date(item.closed_at, '{date_short}')}" if item.closed_at else ""
    if item.state == DONE:
        return f"✅ {_styled(text, '~')}\n{_owner(item)} · done by {closer}{when}"
    reason = mrkdwn.escape_within(item.reason or "", 500)
    return f"🚫 {_styled(text, '~')}\n{_owner(item)} · won't do ({closer}{when}): {reason}"


def item_list(
    incident: Incident,
    items: list[ActionItem],
    counts: Counts,
    *,
    offset: int,
    today: date,
    note: str | None = None,
) -> Message:
    """One page (at most PAGE_SIZE items from `offset`) of the incident's action items."""
    items = items[:PAGE_SIZE]
    summary = (
        f"{counts.open} open, {counts.done} done, {counts.wont_do} won't do"
        if counts.total
        else "none yet"
    )
    head = f"*Action items for {incident.reference}* — {summary}"
    if note:
        head = f"{note}\n{head}"
    blocks: list[dict[str, Any]] = [_section(head)]
    for item in items:
        blocks.append(_section(_list_entry(item, today)))
        if item.state == OPEN:
            blocks.append(ActionsBlock(elements=_item_buttons(item, offset)).to_dict())
    if not counts.total:
        blocks.append(_context(f"Add one with `{USAGE_SHOWN}` or the button."))
    elif counts.total > len(items):
        first, last = offset + 1, offset + len(items)
        blocks.append(_context(f"Showing {first} to {last} of {counts.total}."))
    buttons = [add_button(incident.id)]
    if offset > 0:
        back = max(offset - PAGE_SIZE, 0)
        buttons.append(
            ButtonElement(
                action_id=f"{PAGE_ACTION}:prev", text="◀ Previous", value=f"{incident.id}:{back}"
            ).to_dict()
        )
    if offset + len(items) < counts.total:
        ahead = offset + PAGE_SIZE
        buttons.append(
            ButtonElement(
                action_id=f"{PAGE_ACTION}:next", text="Next ▶", value=f"{incident.id}:{ahead}"
            ).to_dict()
        )
    blocks.append({"type": "actions", "elements": buttons})
    return Message(text=f"Action items for {incident.reference}: {summary}", blocks=blocks)


# -- closing ------------------------------------------------------------------------


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
                    text=f"*{incident.reference}* · {_owner(item)} · {_due(item)}\n"
                    f"{_quote(item.text, 2000)}"
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


def closed_line(item: ActionItem) -> Message:
    """In the war room, once an item is done or declined."""
    who = mrkdwn.user(item.closed_by) if item.closed_by else "Someone"
    text = mrkdwn.escape_within(item.text, SHOWN)
    if item.state == DONE:
        return mrkdwn_message(f"✅ {who} marked an action item done: {_styled(text, '~')}")
    reason = mrkdwn.escape_within(item.reason or "", REASON_MAX * 2)
    return mrkdwn_message(
        f"🚫 {who} marked an action item won't do: {_styled(text, '~')}\n*Why:* {reason}"
    )


def item_settled(item: ActionItem, *, already: bool = False) -> Message:
    """Replaces a reminder or notice whose button was pressed."""
    state = "done" if item.state == DONE else "won't do"
    who = mrkdwn.user(item.closed_by) if item.closed_by else "someone"
    lead = "Already marked" if already else "Marked"
    text = _styled(mrkdwn.escape_within(item.text, SHOWN), "~")
    return mrkdwn_message(f"{lead} {state} by {who}: {text}")


# -- reminders ----------------------------------------------------------------------


def overdue_to_owner(incident: Incident, item: ActionItem) -> Message:
    assert item.due_on is not None
    return _with_item_buttons(
        f"⏰ Your action item from {_room(incident)} was due {item.due_on.isoformat()}:\n"
        f"{_quote(item.text)}\nIs it done? If it won't be, say why — "
        "the incident can only close once each item is settled.",
        item,
    )


def overdue_to_commander(incident: Incident, item: ActionItem, *, owner_reminded: bool) -> Message:
    assert item.due_on is not None
    if item.owner_id and owner_reminded:
        lead = (
            f"an action item owned by {mrkdwn.user(item.owner_id)} is still open, "
            f"due {item.due_on.isoformat()}; they were reminded a working day ago"
        )
    elif item.owner_id:
        lead = f"an action item owned by {mrkdwn.user(item.owner_id)} is overdue"
    else:
        lead = f"an action item with no owner was due {item.due_on.isoformat()}"
    return _with_item_buttons(
        f"⏰ As IC of {_room(incident)}: {lead}.\n{_quote(item.text)}\n"
        "Nudge the owner, find a new one, or settle it here.",
        item,
    )


def postmortem_open(incident: Incident, counts: Counts, *, working_days: int) -> Message:
    items = (
        f" {counts.open} action item(s) are still open: `/incident actions` lists them."
        if counts.open
        else ""
    )
    return mrkdwn_message(
        f"📝 The postmortem of {_room(incident)} is still open, {working_days} working days "
        f"after it was resolved.{items} Once the review is done, `/incident close` closes it."
    )
