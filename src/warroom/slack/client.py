"""The Web API client: one construction, with Slack's own retry handlers, one connection pool."""

from __future__ import annotations

import aiohttp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

__all__ = ["build_client", "close_pool", "pool_connections"]

RATE_LIMIT_RETRIES = 3
SERVER_ERROR_RETRIES = 2
CONNECTION_RETRIES = 2
TIMEOUT_S = 15


def build_client(token: str, base_url: str) -> AsyncWebClient:
    """429s wait `Retry-After` and try again; 500/503 and dropped connections retry too."""
    return AsyncWebClient(
        token=token,
        base_url=base_url,
        timeout=TIMEOUT_S,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=CONNECTION_RETRIES),
            AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
            AsyncServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
        ],
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
