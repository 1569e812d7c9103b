"""users.info and users.list against the stand-in, and the gateway reading them."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from fakeslack import FakeSlack
from warroom.domain.people import Person
from warroom.slack.errors import SlackFailure
from warroom.slack.gateway import SlackGateway


async def test_users_info_shows_the_profile_set_up(client: AsyncWebClient, fake: FakeSlack) -> None:
    fake.add_user(
        "UANA", "ana", display_name="Ana Lopez", real_name="Ana López", tz="Europe/Madrid"
    )
    user = (await client.users_info(user="UANA"))["user"]
    assert (user["id"], user["name"], user["real_name"], user["tz"]) == (
        "UANA",
        "ana",
        "Ana López",
        "Europe/Madrid",
    )
    assert user["profile"]["display_name"] == "Ana Lopez"
    assert user["team_id"] == fake.team_id and user["deleted"] is False
    with pytest.raises(SlackApiError) as refused:
        await client.users_info(user="C123")
    assert refused.value.response["error"] == "user_not_found"


async def test_users_list_pages_with_a_cursor(client: AsyncWebClient, fake: FakeSlack) -> None:
    for n in range(5):
        fake.add_user(f"U{n:04d}", f"person{n}")
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        answer = await client.users_list(limit=2, cursor=cursor)
        pages += 1
        seen += [member["id"] for member in answer["members"]]
        cursor = answer["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert pages == 3 and seen == sorted({*seen}) and len(seen) == 6  # and the bot
    assert fake.bot_user_id in seen
    with pytest.raises(SlackApiError) as refused:
        await client.users_list(cursor="not a cursor")
    assert refused.value.response["error"] == "invalid_cursor"


async def test_the_gateway_maps_users_to_people(fake: FakeSlack) -> None:
    fake.add_user("UANA", "ana", display_name="Ana Lopez", tz="Europe/Madrid")
    fake.add_user("UBEN", "ben", display_name="", real_name="Ben Okafor")
    fake.add_user("UCHI", "chi", display_name="", real_name="", deleted=True)
    gateway = SlackGateway(AsyncWebClient(token=fake.token, base_url=fake.api_url))
    try:
        ana = await gateway.user("UANA")
        assert ana == Person("UANA", "Ana Lopez", "Europe/Madrid", "ana", fake.team_id)
        assert (await gateway.user("UBEN")).name == "Ben Okafor"
        everyone = [person async for page in gateway.users() for person in page]
        assert {p.user_id: p.name for p in everyone} == {
            fake.bot_user_id: "warroom",
            "UANA": "Ana Lopez",
            "UBEN": "Ben Okafor",
            "UCHI": "chi",
        }
        assert [p.deleted for p in everyone if p.user_id == "UCHI"] == [True]
        fake.fail("users.info", "user_not_visible")
        with pytest.raises(SlackFailure) as failed:
            await gateway.user("UANA")
        assert failed.value.error == "user_not_visible"
        fake.fail("users.list", "ratelimited")
        with pytest.raises(SlackFailure):
            [page async for page in gateway.users()]
        assert [c.method for c in fake.faulted_calls()] == ["users.info", "users.list"]
    finally:
        await gateway.close()
