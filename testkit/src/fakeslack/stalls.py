"""Holding Web API calls back, to order races and to crash a caller mid-call.

`arm("chat.update")` makes the next call to that method wait, unanswered and
not yet applied, until `release()`. A test can then let a second replica's
call overtake it, or SIGKILL the process that made it. A held call whose
caller has gone by the time it is released is dropped: Slack never applied
it, as when a process dies before its request is read.
"""

from __future__ import annotations

import asyncio

__all__ = ["Stalls"]


class Stalls:
    def __init__(self) -> None:
        self._armed: dict[str, int] = {}
        self._held = 0
        self.dropped = 0
        self._changed: asyncio.Condition | None = None
        self._released: asyncio.Event | None = None

    def arm(self, method: str, *, times: int = 1) -> None:
        """Hold the next `times` calls to `method` until `release()`."""
        self._armed[method] = self._armed.get(method, 0) + times
        if self._released is not None and self._released.is_set():
            self._released = None

    def release(self) -> None:
        """Let every held call go on; calls armed but not made yet will no longer wait."""
        self._armed.clear()
        self._event().set()

    async def held(
        self,
        count: int = 1,
        timeout: float = 10.0,  # noqa: ASYNC109 -- a test helper's deadline
    ) -> None:
        """Wait until `count` calls have been held since this FakeSlack started."""
        changed = self._condition()
        async with changed, asyncio.timeout(timeout):
            await changed.wait_for(lambda: self._held >= count)

    async def hold_if_armed(self, method: str) -> bool:
        """Called for each Web API call; True once a held call is let go (False: not held)."""
        left = self._armed.get(method, 0)
        if left <= 0:
            return False
        self._armed[method] = left - 1
        released = self._event()
        changed = self._condition()
        async with changed:
            self._held += 1
            changed.notify_all()
        await released.wait()
        return True

    def _event(self) -> asyncio.Event:
        if self._released is None:
            self._released = asyncio.Event()
        return self._released

    def _condition(self) -> asyncio.Condition:
        if self._changed is None:
            self._changed = asyncio.Condition()
        return self._changed
