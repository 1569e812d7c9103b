"""A declared incident's war room for every timeline test (on both databases)."""

from __future__ import annotations

import pytest

from tests.harness import Harness
from tests.timeline.room import Room


@pytest.fixture
async def room(harness: Harness) -> Room:
    return Room(harness, await harness.declare())
