"""The timeline in Slack: typed entries, the key-timeline pages, the shortcut's modal and notes.

Stored text captured from Slack is shown with `mrkdwn.requote` (mentions of
people stay, broadcasts never fire); plain text written by services is escaped.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from warroom.domain.incident import Incident
from warroom.domain.timeline import KeyPage, SlackMessage, TimelineItem, without_label
from warroom.slack import mrkdwn
from warroom.slack.blocks.limits import OPTION_TEXT, SECTION_TEXT, clip
from warroom.slack.blocks.text import mrkdwn_section
from warroom.slack.message import Message

__all__ = [
    "PICK_BLOCK",
    "PICK_CALLBACK_ID",
    "SHORTCUT_CALLBACK_ID",
    "SHOW_EARLIER_ACTION",
    "ShortcutOrigin",
    "added_to_timeline",
    "no_incident_to_add_to",
    "not_added",
    "on_hidden_incident",
    "pick_incident_modal",
    "picked_incident",
    "timeline_page",
    "typed_entry",
    "typed_usage",
]

SHORTCUT_CALLBACK_ID = "add_to_timeline"
PICK_CALLBACK_ID = "add_to_timeline_pick"
PICK_BLOCK = "incident"
PICK_ACTION = "incident"
SHOW_EARLIER_ACTION = "timeline_show_earlier"
METADATA_MAX = 3000
SECTION_MAX = 3000
ENTRY_SHOWN = 700
PREVIEW_SHOWN = 1500

_KINDS: dict[str, tuple[str, str]] = {
    "declared": ("🚨", "Declared"),
    "alert": ("🔔", "Alert"),
    "role_changed": ("👤", "Role"),
    "severity_changed": ("📶", "Severity"),
    "status_changed": ("🔄", "Status"),
    "status_update": ("📣", "Status update"),
    "reminder": ("⏰", "Reminder"),
    "mitigated": ("🩹", "Mitigated"),
    "resolved": ("✅", "Resolved"),
    "closed": ("🏁", "Closed"),
    "note": ("📝", "Note"),
    "symptom": ("🤒", "Symptom"),
    "hypothesis": ("🤔", "Hypothesis"),
    "action": ("🛠️", "Action"),
    "result": ("📊", "Result"),
    "message": ("💬", "Message"),
    "file_share": ("📎", "File"),
    "bot_message": ("🤖", "Bot"),
    "pending": ("❔", "Message"),
}


def _kind(kind: str) -> tuple[str, str]:
    return _KINDS.get(kind, ("•", kind.replace("_", " ").capitalize()))


def _section(text: str, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = mrkdwn_section(text, block_id).to_dict()
    return block


def _shown(text: str, *, slack_format: bool, limit: int) -> str:
    return mrkdwn.requote_within(text, limit) if slack_format else mrkdwn.escape_within(text, limit)


# -- typed entries ---------------------------------------------------------------


def typed_entry(item: TimelineItem) -> Message:
    """Posted in the room for `/incident note …` and its siblings."""
    emoji, label = _kind(item.kind)
    who = mrkdwn.user(item.author_id) if item.author_id else "someone"
    head = f"{emoji} *{label}* from {who}: "
    body = _shown(item.text, slack_format=True, limit=SECTION_MAX - len(head))
    return Message(text=f"{label} from {who}: {body}", blocks=[_section(head + body)])


def typed_usage(kinds: Sequence[str], used: str) -> Message:
    text = (
        f"Add what to say after `/incident {mrkdwn.escape_within(used, 40)}`, e.g. "
        f"`/incident {mrkdwn.escape_within(used, 40)} error rate is back to normal`. "
        f"Entry kinds: {', '.join(f'`{kind}`' for kind in kinds)}."
    )
    return Message(text=text, blocks=[_section(text)])


# -- the key timeline --------------------------------------------------------------


def _entry_line(item: TimelineItem, zone: tzinfo) -> str:
    emoji, label = _kind(item.kind)
    head = f"{mrkdwn.date(item.occurred_at, '{date_num} {time_secs}', zone)} · {emoji} *{label}*"
    if item.author_id:
        head += f" · {mrkdwn.user(item.author_id)}"
    flags = []
    if item.highlighted:
        flags.append("📌")
    if item.edited_at is not None:
        flags.append("_(edited)_")
    if flags:
        head += " " + " ".join(flags)
    if item.deleted_at is not None:
        who = mrkdwn.user(item.deleted_by) if item.deleted_by else "its author"
        when = mrkdwn.date(item.deleted_at, "{date_num} {time_secs}", zone)
        return f"{head}\n_deleted by {who} at {when}_"
    text = without_label(label, item.text)
    body = _shown(text, slack_format=item.slack_format, limit=ENTRY_SHOWN)
    if item.files:
        names = ", ".join(item.files)
        body = (body + "\n" if body else "") + "📎 " + mrkdwn.escape_within(names, 300)
    if not body:
        body = "_message not captured_"
    return f"{head}\n{body}"


def timeline_page(page: KeyPage, *, highlight_emoji: str, zone: tzinfo) -> Message:
    """One page of key entries, newest last, with "Show earlier" while there are more."""
    incident = page.incident
    reference = incident.reference
    if not page.items:
        text = (
            f"*Key timeline of {reference}* is empty so far. Mark a message with "
            f":{highlight_emoji}:, pin it, or log one with `/incident note <text>`."
        )
        return Message(text=f"Key timeline of {reference}: empty", blocks=[_section(text)])
    last = page.total - page.newer
    first = max(1, last - len(page.items) + 1)
    summary = f"entries {first}-{last} of {page.total}, newest last"
    blocks = [_section(f"🗒️ *Key timeline of {reference}* · {summary}", "timeline_head")]
    blocks.extend(_section(_entry_line(item, zone)) for item in page.items)
    notes = ContextBlock(
        elements=[
            MarkdownTextObject(
                text=f"Mark more with :{highlight_emoji}:, a pin, or the "
                "*Add to incident timeline* message shortcut."
            )
        ]
    )
    if page.earlier is not None:
        button = ButtonElement(
            action_id=SHOW_EARLIER_ACTION, text="Show earlier", value=page.earlier.encode()
        )
        blocks.append(ActionsBlock(block_id="timeline_more", elements=[button]).to_dict())
    blocks.append(notes.to_dict())
    return Message(text=f"Key timeline of {reference} ({summary})", blocks=blocks)


# -- the message shortcut -------------------------------------------------------------


@dataclass(frozen=True)
class ShortcutOrigin:
    """The message a shortcut was used on, carried through the modal's private_metadata."""

    message: SlackMessage
    response_url: str | None

    def encode(self) -> str:
        """JSON within Slack's 3,000-character limit (a very long text is shortened)."""
        text, data = self.message.text, dict(self.message.data)
        while True:
            encoded = json.dumps(
                self._fields(text, data), ensure_ascii=False, separators=(",", ":")
            )
            over = len(encoded) - METADATA_MAX
            if over <= 0:
                return encoded
            if len(text) > 1:
                text = clip(text, max(1, len(text) - over))
            elif data:
                data = {}
            else:
                raise ValueError("a shortcut origin without text still exceeds private_metadata")

    def _fields(self, text: str, data: dict[str, Any]) -> dict[str, Any]:
        m = self.message
        return {
            "c": m.channel_id,
            "ts": m.ts,
            "k": m.kind,
            "a": m.author_id,
            "t": text,
            "e": m.edited_ts,
            "d": data,
            "r": self.response_url,
        }

    @classmethod
    def decode(cls, metadata: str | None) -> ShortcutOrigin | None:
        try:
            raw = json.loads(metadata or "")
            message = SlackMessage(
                channel_id=str(raw["c"]),
                ts=str(raw["ts"]),
                kind=str(raw["k"]),
                author_id=raw.get("a"),
                text=str(raw.get("t") or ""),
                edited_ts=raw.get("e"),
                data=dict(raw.get("d") or {}),
            )
        except (ValueError, KeyError, TypeError):
            return None
        return cls(message=message, response_url=raw.get("r"))


def _quoted(text: str) -> str:
    return "\n".join(f">{line}" for line in (text or "_(no text)_").split("\n"))


def pick_incident_modal(incidents: Sequence[Incident], origin: ShortcutOrigin) -> dict[str, Any]:
    """Choose the open incident whose timeline gets a message from another channel."""
    preview = _shown(origin.message.text, slack_format=True, limit=PREVIEW_SHOWN)
    author = mrkdwn.user(origin.message.author_id) if origin.message.author_id else "someone"
    options = [
        Option(
            value=str(i.id),
            text=PlainTextObject(text=clip(f"{i.reference}: {i.title}", OPTION_TEXT)),
        )
        for i in incidents[:100]
    ]
    view = View(
        type="modal",
        callback_id=PICK_CALLBACK_ID,
        title="Add to timeline",
        submit="Add",
        close="Cancel",
        private_metadata=origin.encode(),
        blocks=[
            SectionBlock(
                block_id="preview",
                text=MarkdownTextObject(
                    text=clip(f"{author} wrote:\n{_quoted(preview)}", SECTION_TEXT)
                ),
            ),
            InputBlock(
                block_id=PICK_BLOCK,
                label="Incident",
                hint="It is added as a key entry at the time the message was posted.",
                element=StaticSelectElement(
                    action_id=PICK_ACTION,
                    placeholder="Pick an open incident",
                    options=options,
                    initial_option=options[0] if len(options) == 1 else None,
                ),
            ),
        ],
    )
    result: dict[str, Any] = view.to_dict()
    return result


def picked_incident(view: dict[str, Any]) -> tuple[int | None, ShortcutOrigin | None]:
    values = view.get("state", {}).get("values", {})
    chosen = (values.get(PICK_BLOCK, {}).get(PICK_ACTION) or {}).get("selected_option") or {}
    try:
        incident_id = int(chosen.get("value", ""))
    except ValueError:
        incident_id = None
    return incident_id, ShortcutOrigin.decode(view.get("private_metadata"))


def added_to_timeline(incident: Incident) -> Message:
    room = f" ({mrkdwn.channel(incident.channel_id)})" if incident.channel_id else ""
    text = f"📌 Added to the key timeline of *{incident.reference}*{room}, at its original time."
    return Message(text=text, blocks=[_section(text)])


def no_incident_to_add_to() -> Message:
    text = (
        "There is no open incident you can add this message to. "
        "Declare one with `/incident declare`."
    )
    return Message(text=text, blocks=[_section(text)])


def on_hidden_incident() -> Message:
    """The message is on an incident the user may not see; which one is not said."""
    text = "⚠️ This message is already on an incident you can't see, so it wasn't added."
    return Message(text=text, blocks=[_section(text)])


def not_added(reason: str) -> Message:
    text = f"⚠️ Not added to the timeline: {mrkdwn.escape(reason)}"
    return Message(text=text, blocks=[_section(text)])
