"""Whatever people type after `/incident` or say in a war room: never a 5xx, never
refused by Slack, never a mention, broadcast or link that came from their text."""

from __future__ import annotations

import json

from hypothesis import example, given
from hypothesis import strategies as st

from fakeslack import slash_command
from tests.faults.hostile import (
    PROPERTY_SETTINGS,
    SLACK_MESSAGE_MAX,
    Outbox,
    hostile_text,
    live_markup,
    open_room,
    shown_texts,
)
from tests.harness import REPORTER, TEAM_ID, Harness
from tests.timeline.room import Room, message_shortcut
from warroom.domain.timeline import TYPED_KINDS
from warroom.slack.blocks.timeline import SHORTCUT_CALLBACK_ID

TEXT_SUBCOMMANDS = (*TYPED_KINDS, "action", "role", "severity", "sev", "status", "list", "find")
OTHER_SUBCOMMANDS = ("help", "timeline", "actions", "update", "declare-not")

ROLE_WORDS = ("ic", "IC", "ops", "comms", "scribe", "commander", "", "me")
MENTION = st.sampled_from(["<@UPICKED001|pat>", "<@UPICKED002>", "<@WPICKED003|w>", "me", ""])
DUE = st.sampled_from(["", " due 2099-01-31", " due 1999-01-01", " due 2026-02-30", " due 9"])


@st.composite
def command_text(draw: st.DrawFn) -> str:
    """`<subcommand> <rest>` as Slack delivers it, rest shaped for what the subcommand reads."""
    sub = draw(st.sampled_from(TEXT_SUBCOMMANDS + OTHER_SUBCOMMANDS) | hostile_text())
    rest = draw(hostile_text())
    if sub == "role":
        rest = f"{draw(st.sampled_from(ROLE_WORDS))} {draw(MENTION)} {rest}"
    elif sub == "action":
        rest = f"{rest} {draw(MENTION)}{draw(DUE)}"
    elif sub in {"severity", "sev", "status"}:
        rest = draw(st.sampled_from(["SEV1", "sev3", "mitigated", "identified", rest]))
    return f"{sub} {rest}"


@PROPERTY_SETTINGS
@given(text=command_text(), in_room=st.booleans())
@example(text="severity <!channel> <https://evil.example|ok>", in_room=True)
@example(text="role <@UHYPO12345|m> <@UPICKED001|pat>", in_room=True)
@example(text="note <@UHYPO12345|m> in <#CHYPO123|x>: <https://evil.example|ok>", in_room=True)
@example(text="action see <https://evil.example|ok> <!subteam^SHYPO123|@team>", in_room=True)
@example(text='find "<!here>" NEAR( -x* <https://evil.example|ok>', in_room=False)
@example(text="list <!channel> sev1 &lt;b&gt;", in_room=False)
async def test_command_text_is_answered_and_never_made_live(
    harness: Harness, text: str, in_room: bool
) -> None:
    incident = await open_room(harness)
    outbox = Outbox(harness)
    channel = incident.channel_id if in_room else harness.command_channel
    await outbox.post(
        *slash_command(
            text,
            user_id=REPORTER,
            team_id=TEAM_ID,
            channel_id=channel or "",
            response_url=harness.new_response_url(),
        )
    )
    await outbox.check()


@PROPERTY_SETTINGS
@given(
    text=hostile_text(longest=SLACK_MESSAGE_MAX),
    edited=hostile_text(longest=SLACK_MESSAGE_MAX),
)
@example(text="<@UHYPO12345|mallory> <!here> <https://evil.example|ok>", edited="<#CHYPO123>")
async def test_war_room_messages_are_quoted_and_never_made_live(
    harness: Harness, text: str, edited: str
) -> None:
    incident = await open_room(harness)
    room = Room(harness, incident)
    outbox = Outbox(harness)
    ts = await room.say(text)
    assert await room.send(room.changed(ts, text, edited)) == 200
    pin = {"type": "reaction_added", "user": "UPINNER001", "reaction": "pushpin"}
    pin["item"] = {"type": "message", "channel": room.channel, "ts": ts}
    pin["item_user"] = "UALICE0001"
    assert await room.send(pin) == 200
    outbox.answered(*await harness.command("timeline", channel=room.channel))
    elsewhere = {"type": "message", "user": "UCAROL0001", "text": text, "ts": room.ts()}
    body, kind = message_shortcut(
        elsewhere,
        channel_id=harness.command_channel,
        user_id="UREPORTER1",
        response_url=harness.new_response_url(),
    )
    await outbox.post(body, kind)
    await outbox.check()


def test_the_scanner_sees_what_slack_would_render() -> None:
    """The oracle itself: mrkdwn and top-level text are read, plain_text is not."""
    args = {
        "text": "hi <@UHYPO12345>",
        "blocks": json.dumps(
            [
                {"type": "section", "text": {"type": "mrkdwn", "text": "<!here> x"}},
                {"type": "header", "text": {"type": "plain_text", "text": "<!channel>"}},
                {"type": "context", "elements": [{"type": "mrkdwn", "text": "<#CHYPO123>"}]},
            ]
        ),
        "view": {
            "blocks": [
                {
                    "type": "section",
                    "fields": [{"type": "mrkdwn", "text": "<https://evil.example|ok>"}],
                }
            ]
        },
    }
    found = [m for text in shown_texts(args) for m in live_markup(text)]
    assert found == ["<@UHYPO12345", "<!here", "<#CHYPO", "<https://evil.example"]
    assert live_markup("<@UHYPO1>", allowed=frozenset({"UHYPO1"})) == []
    assert live_markup("\\<@UHYPO1\\>", file=True) == []
    assert SHORTCUT_CALLBACK_ID == "add_to_timeline"
