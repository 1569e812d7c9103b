"""Fixtures: a fresh FakeSlack per test and real slack_sdk clients pointed at it."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from slack_sdk.web.async_client import AsyncWebClient

from fakeslack import FakeSlack


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
    """slack_sdk's 429 handler sleeps Retry-After + random.random() s; drop the random part."""
    monkeypatch.setattr(random, "random", lambda: 0.0)
