"""Fixtures: a fresh FakeSlack per test and real slack_sdk clients pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from slack_sdk.http_retry import builtin_async_handlers
from slack_sdk.web.async_client import AsyncWebClient

from warroom.fakeslack import FakeSlack


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as server:
        yield server


@pytest.fixture
def client(fake: FakeSlack) -> AsyncWebClient:
    # No retry handlers: each test sees exactly what the fake answered.
    return AsyncWebClient(token=fake.token, base_url=fake.api_url, retry_handlers=[])


@pytest.fixture
def no_retry_jitter(monkeypatch: pytest.MonkeyPatch) -> None:
    """slack_sdk waits Retry-After + random() seconds; drop the random part."""
    monkeypatch.setattr(builtin_async_handlers.random, "random", lambda: 0.0)
