"""Who Warroom is in Slack, asked once (auth.test) and kept for every request.

Bolt's single-workspace default asks on the first request after start-up and,
if Slack fails that one call, answers the person with "Please install this app"
(or an HTTP 500). Here a failed lookup only means it is asked again on the next
request; meanwhile requests go ahead with the token alone. Only the event
listeners need the bot's ids (to skip Warroom's own messages), and they refuse
an event until the ids are known, so Slack delivers it again later.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient

from warroom.slack.errors import SlackFailure
from warroom.slack.gateway import SlackGateway

__all__ = ["build_authorize"]

log = logging.getLogger(__name__)

Authorize = Callable[..., Awaitable[AuthorizeResult]]


def build_authorize(gateway: SlackGateway) -> Authorize:
    client: AsyncWebClient = gateway.client
    known: list[AuthorizeResult] = []

    async def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        if known:
            return known[0]
        try:
            found = await gateway.auth_test()
        except SlackFailure as failure:
            log.warning("could not ask Slack who Warroom is (will ask again): %s", failure)
            return AuthorizeResult(
                enterprise_id=enterprise_id, team_id=team_id, bot_token=client.token
            )
        result = AuthorizeResult(
            enterprise_id=found.get("enterprise_id"),
            team_id=found.get("team_id"),
            team=found.get("team"),
            url=found.get("url"),
            bot_id=found.get("bot_id"),
            bot_user_id=found.get("user_id"),
            bot_token=client.token,
        )
        known.append(result)
        return result

    return authorize
