"""The postmortem draft as a Slack message: the gist, with the full Markdown attached."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from warroom.domain.postmortem import Postmortem, summary_facts
from warroom.slack import mrkdwn
from warroom.slack.blocks.action_items import add_button
from warroom.slack.blocks.limits import HEADER_TEXT, SECTION_FIELD, TITLE_SHOWN, clip
from warroom.slack.message import Message

__all__ = [
    "POSTMORTEM_COMPLETE_ACTION",
    "draft_on_its_way",
    "postmortem_filename",
    "postmortem_summary",
]

POSTMORTEM_COMPLETE_ACTION = "postmortem_complete"
SHOWN = 1500


def postmortem_filename(reference: str) -> str:
    return f"{reference.lower()}-postmortem.md"


def draft_on_its_way(reference: str, *, joined: bool) -> str:
    """The private answer to `/incident postmortem` (plain text: Slack shows an ack's text
    only to the person who asked)."""
    if joined:
        return (
            f"A postmortem draft of {reference} is already on its way to this channel. "
            "Entries added after it started may not be in it: run `/incident postmortem` "
            "again once it is posted."
        )
    return (
        "Drafting the postmortem again with everything on the timeline now; "
        "it will be posted in this channel."
    )


def postmortem_summary(pm: Postmortem, incident_id: int, *, redraft: bool) -> Message:
    facts = [
        MarkdownTextObject(
            text=clip(f"*{mrkdwn.escape(label)}*\n{mrkdwn.escape(value)}", SECTION_FIELD)
        )
        for label, value in summary_facts(pm)
    ]
    cause = pm.root_cause if pm.root_cause_given else "_Not yet known — the draft has prompts._"
    heading = "Postmortem draft, updated" if redraft else "Postmortem draft"
    blocks = [
        HeaderBlock(block_id="pm_head", text=clip(f"📝 {heading} · {pm.reference}", HEADER_TEXT)),
        SectionBlock(
            block_id="pm_summary",
            text=MarkdownTextObject(
                text=f"*{mrkdwn.escape_within(pm.title, TITLE_SHOWN)}*\n"
                f"{mrkdwn.escape_within(pm.summary, SHOWN)}"
            ),
        ),
        SectionBlock(block_id="pm_facts", fields=facts),
        SectionBlock(
            block_id="pm_cause",
            text=MarkdownTextObject(
                text="*Root cause:* "
                + (mrkdwn.escape_within(cause, SHOWN) if pm.root_cause_given else cause)
            ),
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text="The full draft is attached as Markdown: timeline, roles, Five Whys, "
                    "contributing factors and prompts. `/incident postmortem` drafts it again "
                    "with newer entries. Keep it blameless: systems and decisions, not people."
                )
            ]
        ),
        ActionsBlock(
            block_id="pm_actions",
            elements=[
                add_button(incident_id),
                ButtonElement(
                    action_id=POSTMORTEM_COMPLETE_ACTION,
                    text="Complete postmortem & close",
                    value=str(incident_id),
                    style="primary",
                ),
            ],
        ),
    ]
    text = f"{heading} for {pm.reference}: {mrkdwn.escape_within(pm.title, TITLE_SHOWN)}"
    return Message(text=text, blocks=[b.to_dict() for b in blocks])
