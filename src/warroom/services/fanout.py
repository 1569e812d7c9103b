"""Running independent Slack calls together and collecting what Slack refused."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from warroom.slack.errors import SlackFailure

__all__ = ["fan_out"]


async def fan_out(*calls: Awaitable[object]) -> list[SlackFailure]:
    """Await `calls` concurrently. Slack refusals (raised, or returned as lists by
    nested fan-outs) are collected and returned; any other error is re-raised."""
    results = await asyncio.gather(*calls, return_exceptions=True)
    failures: list[SlackFailure] = []
    for result in results:
        if isinstance(result, SlackFailure):
            failures.append(result)
        elif isinstance(result, list):
            failures.extend(r for r in result if isinstance(r, SlackFailure))
        elif isinstance(result, BaseException):
            raise result
    return failures
