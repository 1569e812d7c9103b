"""The Slack clients: one construction each, with Slack's own retry handlers.

A 429 waits out `Retry-After` and tries again; 500/503 and dropped connections
are retried with backoff. A call that times out is not retried here: Slack may
have carried it out, and sending it again could post a message twice. The
caller hears about it (`SlackFailure("unreachable")`) and decides: a person is
told, a due job is retried by the scheduler after checking it still applies.
"""

from __future__ import annotations

import aiohttp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

__all__ = ["DEFAULT_TIMEOUT_S", "build_client", "build_webhook", "close_pool", "pool_connections"]

RATE_LIMIT_RETRIES = 3
SERVER_ERROR_RETRIES = 2
CONNECTION_RETRIES = 2
DEFAULT_TIMEOUT_S = 15


def _retry_handlers() -> list[AsyncRetryHandler]:
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES),
        AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        AsyncServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
    ]


def build_client(token: str, base_url: str, *, timeout: int = DEFAULT_TIMEOUT_S) -> AsyncWebClient:
    """The Web API client; `timeout` is the seconds one attempt may take (SLACK_TIMEOUT)."""
    return AsyncWebClient(
        token=token, base_url=base_url, timeout=timeout, retry_handlers=_retry_handlers()
    )


def pool_connections(client: AsyncWebClient) -> None:
    """Give `client` one HTTP session, made on first use inside the running loop.

    Without it slack_sdk opens a session and a TCP connection for every call and
    closes them after: about half of a call's CPU under load, for nothing.
    """
    if client.session is None or client.session.closed:
        client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=client.timeout))


async def close_pool(client: AsyncWebClient) -> None:
    if client.session is not None:
        await client.session.close()
        client.session = None


def build_webhook(
    url: str, *, timeout: int = DEFAULT_TIMEOUT_S, session: aiohttp.ClientSession | None = None
) -> AsyncWebhookClient:
    """A response_url poster, retried like Web API calls. Given the Web API client's
    `session`, it reuses that pool's connections instead of opening its own."""
    return AsyncWebhookClient(
        url, timeout=timeout, session=session, retry_handlers=_retry_handlers()
    )
