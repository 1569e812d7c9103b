"""usergroups.users.list: who is in a user group (Warroom admins may be one)."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from fakeslack import FakeSlack
from warroom.slack.errors import SlackFailure
from warroom.slack.gateway import SlackGateway


async def test_lists_the_groups_users(client: AsyncWebClient, fake: FakeSlack) -> None:
    fake.set_usergroup("S0ADMINS01", ["U2", "U1"])
    answer = await client.usergroups_users_list(usergroup="S0ADMINS01")
    assert answer["users"] == ["U1", "U2"]
    assert await SlackGateway(client).usergroup_members("S0ADMINS01") == frozenset({"U1", "U2"})


async def test_an_unknown_group_is_no_such_subteam(client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        await client.usergroups_users_list(usergroup="S0NOTHERE1")
    assert raised.value.response["error"] == "no_such_subteam"
    with pytest.raises(SlackFailure) as failed:
        await SlackGateway(client).usergroup_members("S0NOTHERE1")
    assert failed.value.error == "no_such_subteam"
