"""conversations.history and users.conversations: how a resumed setup finds what Slack has."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from fakeslack import FakeSlack


async def test_history_lists_top_level_messages_newest_first_in_pages(
    client: AsyncWebClient, fake: FakeSlack
) -> None:
    room = (await client.conversations_create(name="inc-1-db"))["channel"]["id"]
    first = (await client.chat_postMessage(channel=room, text="one"))["ts"]
    await client.chat_postMessage(channel=room, text="reply", thread_ts=first)
    second = (await client.chat_postMessage(channel=room, text="two"))["ts"]
    page = await client.conversations_history(channel=room, limit=1)
    assert [m["text"] for m in page["messages"]] == ["two"]
    assert page["has_more"] is True
    cursor = page["response_metadata"]["next_cursor"]
    rest = await client.conversations_history(channel=room, limit=1, cursor=cursor)
    assert [m["ts"] for m in rest["messages"]] == [first]
    assert rest["has_more"] is False
    newer = await client.conversations_history(channel=room, oldest=first)
    assert [m["ts"] for m in newer["messages"]] == [second]


async def test_history_needs_membership(client: AsyncWebClient, fake: FakeSlack) -> None:
    elsewhere = fake.add_channel("elsewhere", members=["U1"])
    with pytest.raises(SlackApiError) as raised:
        await client.conversations_history(channel=elsewhere)
    assert raised.value.response["error"] == "not_in_channel"


async def test_users_conversations_lists_the_bots_channels_by_type(
    client: AsyncWebClient, fake: FakeSlack
) -> None:
    public = (await client.conversations_create(name="inc-1-db"))["channel"]["id"]
    private = (await client.conversations_create(name="inc-2-db", is_private=True))["channel"]
    fake.add_channel("not-mine", members=["U1"])
    gone = (await client.conversations_create(name="inc-0-old"))["channel"]["id"]
    await client.conversations_archive(channel=gone)
    default = await client.users_conversations()
    assert {c["id"] for c in default["channels"]} == {public, gone}
    both = await client.users_conversations(
        types="public_channel,private_channel", exclude_archived=True
    )
    assert {c["id"] for c in both["channels"]} == {public, private["id"]}
    with pytest.raises(SlackApiError) as raised:
        await client.users_conversations(types="channels")
    assert raised.value.response["error"] == "invalid_types"
