"""Block Kit as plain dicts, for the builders on every declaration's path.

slack_sdk's models validate and serialise each element on every `to_dict()`:
for the card and the declare form that was a tenth of a declaration's CPU. These
functions give the same JSON that the models give (the golden tests compare them
byte for byte), with nothing to convert. Lengths are the caller's to `clip`, as
with the models; `fakeslack.limits` checks the result in the tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "actions",
    "button",
    "context",
    "divider",
    "header",
    "input_block",
    "mrkdwn_text",
    "option",
    "plain",
    "section",
    "static_select",
]

Block = dict[str, Any]


def plain(text: str) -> Block:
    """A plain_text object as a label, button or placeholder shows it (emoji on)."""
    return {"type": "plain_text", "text": text, "emoji": True}


def mrkdwn_text(text: str) -> Block:
    return {"type": "mrkdwn", "text": text}


def option(value: str, text: str, description: str | None = None) -> Block:
    """An option of a select, radio buttons or checkboxes."""
    shown: Block = {"text": {"type": "plain_text", "text": text}, "value": value}
    if description is not None:
        shown["description"] = {"type": "plain_text", "text": description}
    return shown


def header(text: str, *, block_id: str | None = None) -> Block:
    return _with_id({"type": "header", "text": plain(text)}, block_id)


def section(
    text: str | None = None,
    *,
    block_id: str | None = None,
    fields: Sequence[str] = (),
    accessory: Block | None = None,
) -> Block:
    """A section of mrkdwn `text` and/or mrkdwn `fields` (already escaped)."""
    block: Block = {"type": "section"}
    if text is not None:
        block["text"] = mrkdwn_text(text)
    if fields:
        block["fields"] = [mrkdwn_text(field) for field in fields]
    if accessory is not None:
        block["accessory"] = accessory
    return _with_id(block, block_id)


def divider() -> Block:
    return {"type": "divider"}


def context(text: str) -> Block:
    """A context block of one mrkdwn element."""
    return {"type": "context", "elements": [mrkdwn_text(text)]}


def actions(elements: Sequence[Block], *, block_id: str | None = None) -> Block:
    return _with_id({"type": "actions", "elements": list(elements)}, block_id)


def button(action_id: str, text: str, *, value: str, style: str | None = None) -> Block:
    shown: Block = {"type": "button", "action_id": action_id, "text": plain(text), "value": value}
    if style is not None:
        shown["style"] = style
    return shown


def static_select(
    action_id: str, placeholder: str, options: Sequence[Block], initial: Block | None = None
) -> Block:
    select: Block = {
        "type": "static_select",
        "action_id": action_id,
        "placeholder": plain(placeholder),
        "options": list(options),
    }
    if initial is not None:
        select["initial_option"] = initial
    return select


def input_block(
    block_id: str, label: str, element: Block, *, hint: str | None = None, optional: bool = False
) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": element,
    }
    if hint is not None:
        block["hint"] = plain(hint)
    if optional:
        block["optional"] = True
    return block


def _with_id(block: Block, block_id: str | None) -> Block:
    if block_id is not None:
        block["block_id"] = block_id
    return block
