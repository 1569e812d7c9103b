"""The way in for alerts: store each notification before its sender is answered."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from warroom.domain.alerts import Notification
from warroom.domain.clock import Clock
from warroom.services.alerts.desk import PROCESS_ALERTS, SWEEP_AFTER, AlertDesk
from warroom.store import alerts, jobs
from warroom.store.engine import Session, Store
from warroom.store.group_commit import GroupCommit

__all__ = ["AlertIntake"]


class AlertIntake:
    """The way in: store (concurrent requests share a transaction), answer, then let
    the desk work."""

    def __init__(self, store: Store, clock: Clock, desk: AlertDesk) -> None:
        self.clock = clock
        self.desk = desk
        self._writer = GroupCommit(store, self._store)

    async def _store(
        self, session: Session, received: Sequence[tuple[Notification, datetime]]
    ) -> list[bool]:
        """The notifications, and a sweep in case this process dies before the desk
        has handled them."""
        new = await alerts.add_receipts(session, received)
        if any(new):
            now = self.clock()
            await jobs.plan_once(session, PROCESS_ALERTS, due_at=now + SWEEP_AFTER, now=now)
        return new

    async def receive(self, notification: Notification) -> bool:
        """Store the notification; False if it was stored before (a resend)."""
        new = await self._writer.submit((notification, self.clock()))
        if new:
            self.desk.wake()
        return new
