"""Other people's and other apps' tokens: Slack answers as whoever the token belongs to."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from fakeslack import FakeSlack

SQUATTER = "USQUATTER1"
OTHER_BOT_USER = "UOTHERBOT1"
OTHER_BOT_ID = "B0OTHERBOT"


def client_for(fake: FakeSlack, token: str) -> AsyncWebClient:
    return AsyncWebClient(token=token, base_url=fake.api_url, retry_handlers=[])


async def test_a_channel_is_created_by_the_tokens_user_and_says_so(
    client: AsyncWebClient, fake: FakeSlack
) -> None:
    squatter = client_for(fake, fake.token_for(SQUATTER))
    before = int(datetime.now(UTC).timestamp())
    made = (await squatter.conversations_create(name="inc-9-db"))["channel"]
    assert made["creator"] == SQUATTER and made["created"] >= before
    assert made["is_private"] is False
    await squatter.conversations_invite(channel=made["id"], users=[fake.bot_user_id])
    info = (await client.conversations_info(channel=made["id"]))["channel"]
    assert (info["creator"], info["created"], info["is_member"]) == (
        SQUATTER,
        made["created"],
        True,
    )
    listed = (await client.users_conversations())["channels"]
    assert [(c["name"], c["creator"]) for c in listed] == [("inc-9-db", SQUATTER)]
    ours = (await client.conversations_create(name="inc-9-db-2", is_private=True))["channel"]
    assert ours["creator"] == fake.bot_user_id and ours["is_private"] is True


async def test_a_message_carries_its_posters_user_and_bot_id(
    client: AsyncWebClient, fake: FakeSlack
) -> None:
    room = fake.add_channel("room", members=[fake.bot_user_id])
    other = client_for(fake, fake.token_for(OTHER_BOT_USER, bot_id=OTHER_BOT_ID))
    assert (await other.auth_test())["user_id"] == OTHER_BOT_USER
    await other.conversations_join(channel=room)
    blocks = [{"type": "section", "block_id": "headline", "text": {"type": "mrkdwn", "text": "x"}}]
    theirs = (await other.chat_postMessage(channel=room, text="x", blocks=blocks))["message"]
    ours = (await client.chat_postMessage(channel=room, text="y", blocks=blocks))["message"]
    assert (theirs["user"], theirs["bot_id"]) == (OTHER_BOT_USER, OTHER_BOT_ID)
    assert (ours["user"], ours["bot_id"]) == (fake.bot_user_id, "B0WARROOMBOT")
    history = (await client.conversations_history(channel=room))["messages"]
    assert [(m["user"], m["bot_id"]) for m in history] == [
        (fake.bot_user_id, "B0WARROOMBOT"),
        (OTHER_BOT_USER, OTHER_BOT_ID),
    ]


async def test_an_unknown_token_is_refused(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as refused:
        await client_for(fake, "xoxp-nobody").auth_test()
    assert refused.value.response["error"] == "invalid_auth"
