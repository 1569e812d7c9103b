"""Work that runs after Slack has been answered.

Slack wants an answer within 3 seconds, so listeners write what must not be
lost, acknowledge, and hand the Slack calls that follow to `Background`. It
keeps every task referenced until it ends, logs failures instead of losing
them, and lets shutdown (and tests) wait until nothing is left running.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

__all__ = ["Background"]

log = logging.getLogger(__name__)


class Background:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._idle = asyncio.Event()
        self._idle.set()

    def spawn(self, work: Coroutine[Any, Any, Any], *, name: str) -> None:
        task = asyncio.get_running_loop().create_task(work, name=name)
        self._tasks.add(task)
        self._idle.clear()
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not self._tasks:
            self._idle.set()
        if not task.cancelled() and task.exception() is not None:
            log.error("background task %s failed", task.get_name(), exc_info=task.exception())

    @property
    def running(self) -> int:
        return len(self._tasks)

    async def idle(self) -> None:
        """Wait until every spawned task (and any they spawned) has finished."""
        await self._idle.wait()
