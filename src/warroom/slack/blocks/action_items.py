"""Action items in Slack: the add button and modal, the list, the won't-do modal, reminders.

Item text is stored plain (as typed) and escaped here, wherever it meets mrkdwn.
Buttons on an item carry an `ItemRef`: the item and, when pressed on the list,
the page it was on, so the list can be redrawn in place after the change.

The shared pieces live in `action_item_parts` and the modals in
`action_item_modals`; both are re-exported here. This module holds the messages.
"""

from __future__ import annotations

from datetime import date, tzinfo
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, ButtonElement

from warroom.domain.action_item import DONE, OPEN, ActionItem, Counts
from warroom.domain.incident import Incident
from warroom.slack import mrkdwn
from warroom.slack.blocks.action_item_modals import (
    ADD_CALLBACK_ID,
    WONT_DO_CALLBACK_ID,
    AddForm,
    WontDoOrigin,
    add_modal,
    parse_add,
    parse_wont_do,
    wont_do_modal,
)
from warroom.slack.blocks.action_item_parts import (
    ADD_ACTION,
    DONE_ACTION,
    ITEM_TEXT_MAX,
    PAGE_ACTION,
    PAGE_SIZE,
    REASON_MAX,
    SHOWN,
    USAGE,
    USAGE_SHOWN,
    WONT_DO_ACTION,
    ItemRef,
    add_block,
    add_button,
    context_block,
    due_label,
    item_buttons,
    owner_label,
    quoted,
    room_label,
    section_block,
    styled,
    with_item_buttons,
)
from warroom.slack.blocks.text import mrkdwn_message
from warroom.slack.message import Message

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
    "reminder_in_room",
    "usage",
    "wont_do_modal",
]


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


def added_answer(incident: Incident, item: ActionItem) -> Message:
    """To whoever added it."""
    told = " They have been told." if item.owner_id and item.owner_id != item.created_by else ""
    return mrkdwn_message(
        f"✅ Action item added to *{incident.reference}* — "
        f"{owner_label(item)}, {due_label(item)}.{told}\n"
        f"{quoted(item.text)}\n`/incident actions` lists them all."
    )


def added_line(incident: Incident, item: ActionItem) -> Message:
    """In the war room."""
    return mrkdwn_message(
        f"📌 {mrkdwn.user(item.created_by)} added an action item — {owner_label(item)}, "
        f"{due_label(item)}:\n{quoted(item.text)}"
    )


def owner_notice(incident: Incident, item: ActionItem) -> Message:
    """To the owner, privately."""
    return with_item_buttons(
        f"📌 {mrkdwn.user(item.created_by)} gave you an action item from {room_label(incident)}, "
        f"{due_label(item)}:\n{quoted(item.text)}",
        item,
    )


# -- the list -----------------------------------------------------------------------


def _list_entry(item: ActionItem, today: date, zone: tzinfo) -> str:
    text = mrkdwn.escape_within(item.text, SHOWN)
    if item.state == OPEN:
        return f"☐ {styled(text, '*')}\n{owner_label(item)} · {due_label(item, today)}"
    closer = mrkdwn.user(item.closed_by) if item.closed_by else "someone"
    when = f" {mrkdwn.date(item.closed_at, '{date_short}', zone)}" if item.closed_at else ""
    if item.state == DONE:
        return f"✅ {styled(text, '~')}\n{owner_label(item)} · done by {closer}{when}"
    reason = mrkdwn.escape_within(item.reason or "", 500)
    return f"🚫 {styled(text, '~')}\n{owner_label(item)} · won't do ({closer}{when}): {reason}"


def item_list(
    incident: Incident,
    items: list[ActionItem],
    counts: Counts,
    *,
    offset: int,
    today: date,
    zone: tzinfo,
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
    blocks: list[dict[str, Any]] = [section_block(head)]
    for item in items:
        blocks.append(section_block(_list_entry(item, today, zone)))
        if item.state == OPEN:
            blocks.append(ActionsBlock(elements=item_buttons(item, offset)).to_dict())
    if not counts.total:
        blocks.append(context_block(f"Add one with `{USAGE_SHOWN}` or the button."))
    elif counts.total > len(items):
        first, last = offset + 1, offset + len(items)
        blocks.append(context_block(f"Showing {first} to {last} of {counts.total}."))
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


def closed_line(item: ActionItem) -> Message:
    """In the war room, once an item is done or declined."""
    who = mrkdwn.user(item.closed_by) if item.closed_by else "Someone"
    text = mrkdwn.escape_within(item.text, SHOWN)
    if item.state == DONE:
        return mrkdwn_message(f"✅ {who} marked an action item done: {styled(text, '~')}")
    reason = mrkdwn.escape_within(item.reason or "", REASON_MAX * 2)
    return mrkdwn_message(
        f"🚫 {who} marked an action item won't do: {styled(text, '~')}\n*Why:* {reason}"
    )


def item_settled(item: ActionItem, *, already: bool = False) -> Message:
    """Replaces a reminder or notice whose button was pressed."""
    state = "done" if item.state == DONE else "won't do"
    who = mrkdwn.user(item.closed_by) if item.closed_by else "someone"
    lead = "Already marked" if already else "Marked"
    text = styled(mrkdwn.escape_within(item.text, SHOWN), "~")
    return mrkdwn_message(f"{lead} {state} by {who}: {text}")


# -- reminders ----------------------------------------------------------------------


def overdue_to_owner(incident: Incident, item: ActionItem) -> Message:
    assert item.due_on is not None
    return with_item_buttons(
        f"⏰ Your action item from {room_label(incident)} was due {item.due_on.isoformat()}:\n"
        f"{quoted(item.text)}\nIs it done? If it won't be, say why — "
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
    return with_item_buttons(
        f"⏰ As IC of {room_label(incident)}: {lead}.\n{quoted(item.text)}\n"
        "Nudge the owner, find a new one, or settle it here.",
        item,
    )


def postmortem_open(
    incident: Incident, counts: Counts, *, working_days: int, days_since: int | None = None
) -> Message:
    """The first reminder counts working days; a repeat (`days_since`) calendar days."""
    items = (
        f" {counts.open} action item(s) are still open: `/incident actions` lists them."
        if counts.open
        else ""
    )
    after = f"{days_since} days" if days_since is not None else f"{working_days} working days"
    return mrkdwn_message(
        f"📝 The postmortem of {room_label(incident)} is still open, {after} "
        f"after it was resolved.{items} Once the review is done, *Complete postmortem & close* "
        "on the draft closes it."
    )


def reminder_in_room(message: Message, *, mention: str | None, absent: str) -> Message:
    """A reminder meant for `absent`, who is not in the private room, posted there instead
    for the IC (`mention`; the whole room when nobody in it holds the role)."""
    to = mrkdwn.user(mention) if mention else "<!here>"
    lead = (
        f"{to}: this reminder was for {mrkdwn.user(absent)}, who isn't in this private room, "
        "so it is posted here instead of sent to them."
    )
    return Message(text=f"{lead}\n{message.text}", blocks=[section_block(lead), *message.blocks])
