"""The weekly digest in the broadcast channel: last week's incidents, the report's key
figures, the action items past due.

Off unless the policy's `[digest]` enables it, and nothing is posted while no
broadcast channel is set (said once in the log). One `digest` job stands for each
digest, its payload the moment it is for; the scheduler claims it with a lease, so
one replica runs it at a time.

Exactly one digest a week:

- Planning is keyed by that moment (`jobs.plan_unique`): the scheduler's start on
  every replica plans the next digest, and each digest plans the one after it before
  it posts, so a run retried after a crash or a Slack failure plans nothing twice and
  a digest that can never be posted still leaves next week's planned.
- A run retried after it may have posted (the scheduler's `attempts` above one)
  looks for its own message in the channel first (`find_own_message`, by a block id
  carrying the moment), as the declaration's announcement does.
- When the policy is switched off, the start drops what is pending, and a run that
  finds it off posts nothing and plans nothing. A pending digest the policy's day or
  time no longer names is dropped at start too (the new schedule's is planned).
- A digest more than `STALE_AFTER` late (Warroom was down) is skipped: last week's
  news a week on is noise. The next one is planned all the same.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from warroom.domain.clock import Clock
from warroom.domain.digest import Digest, digest_of, next_digest, on_schedule, week_before
from warroom.domain.policy import Policy
from warroom.domain.report import ReportPeriod
from warroom.services.reports import Reports
from warroom.slack.blocks.digest import digest_block_id, digest_message
from warroom.slack.gateway import SlackGateway
from warroom.store import digests, jobs
from warroom.store.engine import Session, Store
from warroom.store.jobs import Job

__all__ = ["DIGEST", "NAMED_AT_MOST", "STALE_AFTER", "Digests"]

log = logging.getLogger(__name__)

DIGEST = "digest"
STALE_AFTER = timedelta(days=1)
NAMED_AT_MOST = 200
"""Public incidents read for the list (the message shows fewer, then "and N more")."""


def _moment(job: Job) -> datetime:
    return datetime.fromisoformat(str(job.payload["at"]))


@dataclass
class Digests:
    store: Store
    gateway: SlackGateway
    reports: Reports
    policy: Policy
    clock: Clock
    broadcast_channel: str | None
    _said_no_channel: bool = field(default=False, repr=False)

    def _can_post(self) -> bool:
        if not self.policy.digest.enabled:
            return False
        if self.broadcast_channel is None:
            if not self._said_no_channel:
                log.warning(
                    "the weekly digest is enabled in the policy, but BROADCAST_CHANNEL is "
                    "not set: no digest will be posted"
                )
                self._said_no_channel = True
            return False
        return True

    async def plan(self) -> None:
        """At the scheduler's start: plan the next digest if the policy wants one and it
        can be posted; drop pending digests it no longer wants."""
        now, schedule, zone = self.clock(), self.policy.digest, self.policy.zone
        can_post = self._can_post()
        async with self.store.transaction() as session:
            pending = await jobs.pending_of_kind(session, DIGEST)
            if not can_post:
                if pending:
                    await jobs.cancel(session, None, [DIGEST])
                    log.info("dropped %d planned weekly digest(s): it is off", len(pending))
                return
            stale = [job.id for job in pending if not on_schedule(_moment(job), schedule, zone)]
            await self._plan(session, next_digest(now, schedule, zone), now=now, drop=stale)

    async def _plan(
        self, session: Session, at: datetime, *, now: datetime, drop: list[int]
    ) -> None:
        if await jobs.plan_unique(
            session, DIGEST, due_at=at, now=now, payload={"at": at.isoformat()}, drop=drop
        ):
            log.info("weekly digest planned for %s", at.isoformat())

    async def on_job(self, job: Job) -> None:
        at, now = _moment(job), self.clock()
        if not self._can_post():
            log.info("weekly digest for %s not posted: it is off", at.isoformat())
            return
        schedule, zone = self.policy.digest, self.policy.zone
        async with self.store.transaction() as session:
            await self._plan(session, next_digest(max(at, now), schedule, zone), now=now, drop=[])
        if not on_schedule(at, schedule, zone):
            log.info("weekly digest for %s skipped: the policy names another time", at)
            return
        if now - at > STALE_AFTER:
            log.warning("weekly digest for %s skipped: %s late", at.isoformat(), now - at)
            return
        await self.post(at, retried=job.attempts > 1)

    async def post(self, at: datetime, *, retried: bool = False) -> None:
        """Post the digest for the week ending `at`; on a retry, not if an earlier try
        already did."""
        assert self.broadcast_channel is not None
        channel = self.broadcast_channel
        if retried and await self.gateway.find_own_message(channel, digest_block_id(at), since=at):
            log.info("weekly digest for %s was posted by an earlier try", at.isoformat())
            return
        digest = await self.compose(at)
        await self.gateway.post(channel, digest_message(digest, self.policy), join_if_needed=True)
        log.info(
            "weekly digest for %s posted: %d incident(s), %d overdue action item(s)",
            at.isoformat(),
            digest.incidents,
            digest.overdue_items,
        )

    async def compose(self, at: datetime) -> Digest:
        """The digest of the week ending at `at`."""
        zone = self.policy.zone
        since = week_before(at, zone)
        label = f"week to {at.astimezone(zone).date().isoformat()}"
        report = await self.reports.of_period(ReportPeriod(since, at, label))
        today = at.astimezone(zone).date()
        async with self.store.read() as session:
            counts = await digests.week_counts(session, since=since, until=at)
            named = await digests.declared_public(
                session, since=since, until=at, limit=NAMED_AT_MOST
            )
            overdue = await digests.overdue_counts(session, today=today)
            public = [incident for incident, private, _ in overdue if not private]
            overdue_named = await digests.public_incidents(session, public[:NAMED_AT_MOST])
        return digest_of(
            since=since,
            until=at,
            policy=self.policy,
            report=report,
            counts=counts,
            named=named,
            overdue=overdue,
            overdue_named=overdue_named,
        )
