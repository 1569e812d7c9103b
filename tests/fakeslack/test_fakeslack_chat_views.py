"""chat.*, pins, reactions, users.info and views.* against the fake."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from fakeslack import FakeSlack, new_trigger_id


async def _failure(call: object) -> dict[str, Any]:
    with pytest.raises(SlackApiError) as raised:
        await call  # type: ignore[misc]
    return dict(raised.value.response.data)


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _modal(title: str = "Declare incident", **extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "declare",
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Declare"},
        "blocks": [
            {
                "type": "input",
                "block_id": "title",
                "label": {"type": "plain_text", "text": "Title"},
                "element": {"type": "plain_text_input", "action_id": "value"},
            }
        ],
        **extra,
    }


@pytest.fixture
def room(fake: FakeSlack) -> str:
    return fake.add_channel("inc-1", members=[fake.bot_user_id, "U1"])


# -- chat.postMessage ---------------------------------------------------------


async def test_post_message_stores_and_returns_it(
    client: AsyncWebClient, fake: FakeSlack, room: str
) -> None:
    blocks = [_section("*SEV1* declared")]
    first = await client.chat_postMessage(channel=room, text="SEV1 declared", blocks=blocks)
    second = await client.chat_postMessage(channel=room, text="second")
    assert first["channel"] == room
    assert first["message"]["user"] == fake.bot_user_id and first["message"]["bot_id"]
    assert first["message"]["blocks"] == blocks
    assert float(first["ts"]) < float(second["ts"])
    assert [m["text"] for m in fake.messages(room)] == ["SEV1 declared", "second"]


async def test_post_message_threads(client: AsyncWebClient, fake: FakeSlack, room: str) -> None:
    parent = await client.chat_postMessage(channel=room, text="timeline")
    reply = await client.chat_postMessage(channel=room, text="14:02 paged", thread_ts=parent["ts"])
    assert reply["message"]["thread_ts"] == parent["ts"]
    stored = fake.message(room, parent["ts"])
    assert stored is not None and stored["reply_count"] == 1


async def test_post_message_to_user_opens_dm(client: AsyncWebClient, fake: FakeSlack) -> None:
    first = await client.chat_postMessage(channel="U77", text="you are IC")
    second = await client.chat_postMessage(channel="U77", text="reminder")
    assert first["channel"].startswith("D") and first["channel"] == second["channel"]
    assert fake.dm_channel("U77") == first["channel"]
    assert len(fake.messages(first["channel"])) == 2


async def test_post_message_errors(client: AsyncWebClient, fake: FakeSlack, room: str) -> None:
    outside = fake.add_channel("random")
    archived = fake.add_channel("old", members=[fake.bot_user_id], archived=True)
    cases = [
        (client.chat_postMessage(channel="C404", text="x"), "channel_not_found"),
        (client.chat_postMessage(channel=outside, text="x"), "not_in_channel"),
        (client.chat_postMessage(channel=archived, text="x"), "is_archived"),
        (client.api_call("chat.postMessage", json={"channel": room, "text": ""}), "no_text"),
        (client.chat_postMessage(channel=room, text="x" * 40_001), "msg_too_long"),
    ]
    for call, error in cases:
        assert (await _failure(call))["error"] == error
    await client.chat_postMessage(channel=room, text="x" * 40_000)


async def test_post_message_rejects_broken_blocks(client: AsyncWebClient, room: str) -> None:
    too_many = [_section(str(i)) for i in range(51)]
    failure = await _failure(client.chat_postMessage(channel=room, text="x", blocks=too_many))
    assert failure["error"] == "invalid_blocks"
    assert failure["response_metadata"]["messages"] == [
        "[ERROR] no more than 50 items allowed [json-pointer:/blocks]"
    ]
    header = [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}]
    failure = await _failure(client.chat_postMessage(channel=room, text="x", blocks=header))
    assert "/blocks/0/text/text" in failure["response_metadata"]["messages"][0]
    await client.chat_postMessage(channel=room, text="x", blocks=too_many[:50])


# -- chat.update, postEphemeral, getPermalink ---------------------------------


async def test_update_replaces_text_and_blocks(
    client: AsyncWebClient, fake: FakeSlack, room: str
) -> None:
    posted = await client.chat_postMessage(channel=room, text="old", blocks=[_section("old")])
    updated = await client.chat_update(channel=room, ts=posted["ts"], text="new")
    assert updated["ts"] == posted["ts"] and updated["text"] == "new"
    stored = fake.message(room, posted["ts"])
    assert stored is not None and stored["text"] == "new" and "blocks" not in stored
    await client.chat_update(channel=room, ts=posted["ts"], text="b", blocks=[_section("b")])
    stored = fake.message(room, posted["ts"])
    assert stored is not None and stored["blocks"] == [_section("b")]


async def test_update_errors(client: AsyncWebClient, fake: FakeSlack, room: str) -> None:
    human = fake.add_message(room, "I said this", user="U1")
    posted = await client.chat_postMessage(channel=room, text="bot")
    cases = [
        (client.chat_update(channel=room, ts="1.000001", text="x"), "message_not_found"),
        (client.chat_update(channel=room, ts=human, text="x"), "cant_update_message"),
        (client.chat_update(channel=room, ts=posted["ts"], text="x" * 4001), "msg_too_long"),
        (client.chat_update(channel="C404", ts=posted["ts"], text="x"), "channel_not_found"),
    ]
    for call, error in cases:
        assert (await _failure(call))["error"] == error


async def test_ephemeral_and_permalink(client: AsyncWebClient, fake: FakeSlack, room: str) -> None:
    response = await client.chat_postEphemeral(channel=room, user="U1", text="only you")
    assert response["message_ts"]
    assert fake.ephemerals(room)[0]["to"] == "U1"
    failure = await _failure(client.chat_postEphemeral(channel=room, user="U2", text="x"))
    assert failure["error"] == "user_not_in_channel"
    posted = await client.chat_postMessage(channel=room, text="x")
    link = await client.chat_getPermalink(channel=room, message_ts=posted["ts"])
    assert link["permalink"].endswith(f"/archives/{room}/p{posted['ts'].replace('.', '')}")
    failure = await _failure(client.chat_getPermalink(channel=room, message_ts="1.000002"))
    assert failure["error"] == "message_not_found"


# -- pins, reactions, users ---------------------------------------------------


async def test_pins(client: AsyncWebClient, fake: FakeSlack, room: str) -> None:
    posted = await client.chat_postMessage(channel=room, text="summary")
    await client.pins_add(channel=room, timestamp=posted["ts"])
    state = fake.channel(room)
    assert state is not None and state.pins == (posted["ts"],)
    again = await _failure(client.pins_add(channel=room, timestamp=posted["ts"]))
    assert again["error"] == "already_pinned"
    missing = await _failure(client.pins_add(channel=room, timestamp="1.000003"))
    assert missing["error"] == "message_not_found"
    nothing = await _failure(client.api_call("pins.add", params={"channel": room}))
    assert nothing["error"] == "no_item_specified"
    await client.pins_remove(channel=room, timestamp=posted["ts"])
    unpinned = await _failure(client.pins_remove(channel=room, timestamp=posted["ts"]))
    assert unpinned["error"] == "not_pinned"


async def test_reactions_and_users(client: AsyncWebClient, fake: FakeSlack, room: str) -> None:
    posted = await client.chat_postMessage(channel=room, text="ack?")
    await client.reactions_add(channel=room, timestamp=posted["ts"], name="eyes")
    stored = fake.message(room, posted["ts"])
    assert stored is not None and stored["reactions"][0]["name"] == "eyes"
    failure = await _failure(
        client.reactions_add(channel=room, timestamp=posted["ts"], name="eyes")
    )
    assert failure["error"] == "already_reacted"
    await client.reactions_remove(channel=room, timestamp=posted["ts"], name="eyes")
    stored = fake.message(room, posted["ts"])
    assert stored is not None and "reactions" not in stored
    for name, error in (("eyes", "no_reaction"), ("not an emoji", "invalid_name")):
        failure = await _failure(
            client.reactions_remove(channel=room, timestamp=posted["ts"], name=name)
        )
        assert failure["error"] == error
    missing = await _failure(client.reactions_remove(channel=room, timestamp="1.000003", name="x"))
    assert missing["error"] == "message_not_found"
    bad = await _failure(client.reactions_remove(channel=room, timestamp="yesterday", name="x"))
    assert bad["error"] == "bad_timestamp"
    nothing = await _failure(client.api_call("reactions.remove", params={"name": "eyes"}))
    assert nothing["error"] == "no_item_specified"
    fake.add_user("U1", "alice")
    user = await client.users_info(user="U1")
    assert user["user"]["name"] == "alice" and user["user"]["is_bot"] is False
    assert (await _failure(client.users_info(user="B1")))["error"] == "user_not_found"


# -- views --------------------------------------------------------------------


async def test_views_open_returns_view_with_id_and_hash(
    client: AsyncWebClient, fake: FakeSlack
) -> None:
    response = await client.views_open(trigger_id=new_trigger_id(), view=_modal())
    view = response["view"]
    assert view["id"].startswith("V") and view["hash"]
    assert view["callback_id"] == "declare" and view["state"] == {"values": {}}
    assert fake.view(view["id"]) == view


async def test_trigger_ids_are_single_use(client: AsyncWebClient) -> None:
    trigger = new_trigger_id()
    await client.views_open(trigger_id=trigger, view=_modal())
    reused = await _failure(client.views_open(trigger_id=trigger, view=_modal()))
    assert reused["error"] == "exchanged_trigger_id"
    pushed = await _failure(client.views_push(trigger_id=trigger, view=_modal()))
    assert pushed["error"] == "exchanged_trigger_id"
    expired = await _failure(client.views_open(trigger_id="expired", view=_modal()))
    assert expired["error"] == "expired_trigger_id"
    bogus = await _failure(client.views_open(trigger_id="not-a-trigger", view=_modal()))
    assert bogus["error"] == "invalid_trigger_id"


async def test_views_open_validates_view(client: AsyncWebClient) -> None:
    failure = await _failure(
        client.views_open(trigger_id=new_trigger_id(), view=_modal(title="t" * 25))
    )
    assert failure["error"] == "invalid_arguments"
    assert failure["response_metadata"]["messages"] == [
        "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]"
    ]


async def test_views_update_and_hash_conflict(client: AsyncWebClient, fake: FakeSlack) -> None:
    opened = (await client.views_open(trigger_id=new_trigger_id(), view=_modal()))["view"]
    updated = await client.views_update(
        view_id=opened["id"], hash=opened["hash"], view=_modal(title="Declared")
    )
    assert updated["view"]["id"] == opened["id"]
    assert updated["view"]["title"]["text"] == "Declared"
    stale = await _failure(
        client.views_update(view_id=opened["id"], hash=opened["hash"], view=_modal())
    )
    assert stale["error"] == "hash_conflict"
    missing = await _failure(client.views_update(view_id="V404", view=_modal()))
    assert missing["error"] == "not_found"


async def test_views_publish_home(client: AsyncWebClient, fake: FakeSlack) -> None:
    home = {"type": "home", "blocks": [_section("Open incidents: 0")]}
    first = await client.views_publish(user_id="U1", view=home)
    second = await client.views_publish(user_id="U1", view=home)
    assert first["view"]["id"] == second["view"]["id"]
    assert fake.home_view("U1") == second["view"]
    modal = await _failure(client.views_publish(user_id="U1", view=_modal()))
    assert modal["error"] == "invalid_arguments"
