"""conversations.* against the fake, through the real AsyncWebClient."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from fakeslack import FakeSlack


async def _error(call: object) -> str:
    with pytest.raises(SlackApiError) as raised:
        await call  # type: ignore[misc]
    return str(raised.value.response["error"])


# -- conversations.create ------------------------------------------------------


async def test_create_public_channel(client: AsyncWebClient, fake: FakeSlack) -> None:
    response = await client.conversations_create(name="inc-42-db-down")
    channel = response["channel"]
    assert channel["id"].startswith("C")
    assert channel["name"] == channel["name_normalized"] == "inc-42-db-down"
    assert channel["is_private"] is False and channel["is_channel"] is True
    assert channel["creator"] == fake.bot_user_id
    assert channel["is_member"] is True
    assert set(channel["topic"]) == {"value", "creator", "last_set"}
    state = fake.channel_by_name("inc-42-db-down")
    assert state is not None and state.id == channel["id"]
    assert state.members == {fake.bot_user_id}


async def test_create_private_channel(client: AsyncWebClient, fake: FakeSlack) -> None:
    response = await client.conversations_create(name="inc-7", is_private=True)
    assert response["channel"]["is_private"] is True
    state = fake.channel(response["channel"]["id"])
    assert state is not None and state.is_private


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("", "invalid_name_required"),
        ("Inc-1", "invalid_name_specials"),
        ("inc 1", "invalid_name_specials"),
        ("inc.1", "invalid_name_specials"),
        ("inc-é", "invalid_name_specials"),
        ("#inc-1", "invalid_name_specials"),
        ("a" * 81, "invalid_name_maxlength"),
        ("--_", "invalid_name_punctuation"),
    ],
)
async def test_create_rejects_bad_names(client: AsyncWebClient, name: str, error: str) -> None:
    assert await _error(client.conversations_create(name=name)) == error


async def test_create_accepts_longest_name(client: AsyncWebClient) -> None:
    response = await client.conversations_create(name="a_1-" * 20)
    assert len(response["channel"]["name"]) == 80


async def test_name_taken_including_archived(client: AsyncWebClient, fake: FakeSlack) -> None:
    await client.conversations_create(name="inc-1")
    assert await _error(client.conversations_create(name="inc-1")) == "name_taken"
    fake.add_channel("inc-2", archived=True)
    assert await _error(client.conversations_create(name="inc-2")) == "name_taken"
    fake.add_channel("secret", is_private=True)
    assert await _error(client.conversations_create(name="secret")) == "name_taken"


# -- conversations.invite ------------------------------------------------------


async def _war_room(client: AsyncWebClient) -> str:
    response = await client.conversations_create(name="inc-1")
    return str(response["channel"]["id"])


async def test_invite_adds_members(client: AsyncWebClient, fake: FakeSlack) -> None:
    channel = await _war_room(client)
    response = await client.conversations_invite(channel=channel, users=["U1", "W2"])
    assert response["channel"]["id"] == channel
    state = fake.channel(channel)
    assert state is not None and state.members == {fake.bot_user_id, "U1", "W2"}


async def test_invite_more_than_100_users(client: AsyncWebClient, fake: FakeSlack) -> None:
    channel = await _war_room(client)
    users = [f"U{i:04d}" for i in range(101)]
    assert await _error(client.conversations_invite(channel=channel, users=users)) == (
        "too_many_users"
    )
    response = await client.conversations_invite(channel=channel, users=users[:100])
    assert response["ok"] is True


async def test_invite_already_in_channel_fails_all(client: AsyncWebClient, fake: FakeSlack) -> None:
    channel = await _war_room(client)
    await client.conversations_invite(channel=channel, users="U1")
    with pytest.raises(SlackApiError) as raised:
        await client.conversations_invite(channel=channel, users=["U1", "U2"])
    assert raised.value.response["error"] == "already_in_channel"
    assert raised.value.response["errors"] == [
        {"user": "U1", "ok": False, "error": "already_in_channel"}
    ]
    state = fake.channel(channel)
    assert state is not None and "U2" not in state.members


async def test_invite_force_invites_the_valid_ones(client: AsyncWebClient, fake: FakeSlack) -> None:
    channel = await _war_room(client)
    await client.conversations_invite(channel=channel, users="U1")
    response = await client.conversations_invite(channel=channel, users="U1,U2", force=True)
    assert response["errors"] == [{"user": "U1", "ok": False, "error": "already_in_channel"}]
    state = fake.channel(channel)
    assert state is not None and "U2" in state.members


@pytest.mark.parametrize(
    ("users", "error"),
    [("UWARROOMBOT", "cant_invite_self"), ("X123", "user_not_found"), ("", "no_user")],
)
async def test_invite_user_errors(client: AsyncWebClient, users: str, error: str) -> None:
    channel = await _war_room(client)
    assert await _error(client.conversations_invite(channel=channel, users=users)) == error


async def test_invite_needs_bot_membership(client: AsyncWebClient, fake: FakeSlack) -> None:
    public = fake.add_channel("random")
    assert await _error(client.conversations_invite(channel=public, users="U1")) == (
        "not_in_channel"
    )
    private = fake.add_channel("hidden", is_private=True, members=["U9"])
    assert await _error(client.conversations_invite(channel=private, users="U1")) == (
        "channel_not_found"
    )
    assert await _error(client.conversations_invite(channel="C404", users="U1")) == (
        "channel_not_found"
    )


# -- join, topic, purpose, info, members --------------------------------------


async def test_join_public_only(client: AsyncWebClient, fake: FakeSlack) -> None:
    public = fake.add_channel("incidents")
    response = await client.conversations_join(channel=public)
    assert response["channel"]["is_member"] is True
    again = await client.conversations_join(channel=public)
    assert again["warning"] == "already_in_channel"
    private = fake.add_channel("sec", is_private=True)
    assert await _error(client.conversations_join(channel=private)) == (
        "method_not_supported_for_channel_type"
    )
    archived = fake.add_channel("old", archived=True)
    assert await _error(client.conversations_join(channel=archived)) == "is_archived"
    assert await _error(client.conversations_join(channel="C404")) == "channel_not_found"


async def test_set_topic_and_purpose(client: AsyncWebClient, fake: FakeSlack) -> None:
    channel = await _war_room(client)
    response = await client.conversations_setTopic(channel=channel, topic="SEV1 | IC: <@U1>")
    assert response["channel"]["topic"]["value"] == "SEV1 | IC: <@U1>"
    await client.conversations_setPurpose(channel=channel, purpose="DB down")
    state = fake.channel(channel)
    assert state is not None and (state.topic, state.purpose) == ("SEV1 | IC: <@U1>", "DB down")
    await client.conversations_setTopic(channel=channel, topic="t" * 250)
    assert await _error(client.conversations_setTopic(channel=channel, topic="t" * 251)) == (
        "too_long"
    )
    assert await _error(client.conversations_setPurpose(channel=channel, purpose="p" * 251)) == (
        "too_long"
    )


async def test_set_topic_needs_membership(client: AsyncWebClient, fake: FakeSlack) -> None:
    public = fake.add_channel("random")
    assert await _error(client.conversations_setTopic(channel=public, topic="x")) == (
        "not_in_channel"
    )


async def test_info_and_members(client: AsyncWebClient, fake: FakeSlack) -> None:
    channel = fake.add_channel("inc-3", members=[fake.bot_user_id, "U1", "U2", "U3", "U4"])
    info = await client.conversations_info(channel=channel, include_num_members=True)
    assert info["channel"]["name"] == "inc-3" and info["channel"]["num_members"] == 5
    seen: list[str] = []
    cursor = None
    while True:
        page = await client.conversations_members(channel=channel, limit=2, cursor=cursor)
        seen += page["members"]
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted([fake.bot_user_id, "U1", "U2", "U3", "U4"])
    assert await _error(client.conversations_members(channel=channel, cursor="nope!")) == (
        "invalid_cursor"
    )
    assert await _error(client.conversations_info(channel="C404")) == "channel_not_found"
