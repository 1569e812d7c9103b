"""Wiring: settings in, every long-lived object out. Built once per process."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import timedelta

from slack_sdk.web.async_client import AsyncWebClient

from warroom.background import Background
from warroom.config import Settings
from warroom.domain.clock import Clock, system_clock
from warroom.domain.policy import Policy
from warroom.metrics import Metrics
from warroom.policy_file import load_policy
from warroom.scheduler.tick import Scheduler
from warroom.services.action_items import ActionItems
from warroom.services.alerts import AlertDesk, AlertIntake
from warroom.services.audience import Audience
from warroom.services.cancellation import CancelService
from warroom.services.dashboard import Dashboard
from warroom.services.declare import FINISH_ROOM, DeclareService
from warroom.services.digest import DIGEST, Digests
from warroom.services.finder import Finder
from warroom.services.home import REFRESH_HOMES, Homes
from warroom.services.lifecycle import ARCHIVE_ROOM, POSTMORTEM_DRAFT, LifecycleService
from warroom.services.people import People
from warroom.services.permissions import Guard, cached_group_members
from warroom.services.postmortems import PostmortemService
from warroom.services.reminders import Reminders
from warroom.services.reports import Reports
from warroom.services.retention import PRUNE, PRUNE_EVERY, Retention
from warroom.services.roles import RoleService
from warroom.services.rooms import Rooms
from warroom.services.similar import SimilarIncidents
from warroom.services.state import StateService
from warroom.services.status_page import StatusPageService
from warroom.services.surfaces import REFRESH_SURFACES, Surfaces
from warroom.services.timeline import TimelineService
from warroom.services.updates import UpdateService
from warroom.services.vitals import Vitals
from warroom.slack.client import build_client
from warroom.slack.errors import may_pass
from warroom.slack.gateway import SlackGateway
from warroom.store.engine import Store, create_engine

__all__ = ["Runtime", "build_runtime"]

SHUTDOWN_GRACE_S = 20


@dataclass
class Runtime:
    settings: Settings
    policy: Policy
    store: Store
    client: AsyncWebClient
    gateway: SlackGateway
    clock: Clock
    background: Background
    guard: Guard
    audience: Audience
    rooms: Rooms
    declare: DeclareService
    roles: RoleService
    state: StateService
    reminders: Reminders
    scheduler: Scheduler
    surfaces: Surfaces
    updates: UpdateService
    lifecycle: LifecycleService
    cancellation: CancelService
    postmortems: PostmortemService
    people: People
    action_items: ActionItems
    timeline: TimelineService
    metrics: Metrics
    vitals: Vitals
    finder: Finder
    reports: Reports
    digests: Digests
    alert_desk: AlertDesk
    alert_intake: AlertIntake
    homes: Homes
    similar: SimilarIncidents
    status_page: StatusPageService
    dashboard: Dashboard

    async def close(self) -> None:
        """Let work already handed to the background finish, then release Slack and the database."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(SHUTDOWN_GRACE_S):
                await self.alert_desk.idle()
                await self.background.idle()
        await self.gateway.close()
        await self.store.dispose()


def build_runtime(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    policy: Policy | None = None,
    gateway: SlackGateway | None = None,
) -> Runtime:
    """Everything wired once. `gateway` replaces the way out to Slack (the services'
    tests pass an in-process double); by default it is built from the settings."""
    policy = policy or load_policy(settings.policy_file)
    store = Store(create_engine(settings.database_url))
    metrics = Metrics()
    if gateway is None:
        client = build_client(
            settings.bot_token, settings.slack_api_url, timeout=settings.slack_timeout
        )
        gateway = SlackGateway(client, observe=metrics.slack_call)
    client = gateway.client
    audience = Audience(gateway, clock)
    guard = Guard(
        store=store,
        permissions=policy.permissions,
        is_member=audience.in_room,
        group_members=cached_group_members(gateway.usergroup_members, clock),
    )
    rooms = Rooms(store, audience)
    homes = Homes(store=store, gateway=gateway, audience=audience, policy=policy, clock=clock)
    surfaces = Surfaces(store=store, gateway=gateway, policy=policy, clock=clock, homes=homes)
    reminders = Reminders(
        store=store,
        gateway=gateway,
        policy=policy,
        clock=clock,
        broadcast_channel=settings.broadcast_channel,
        surfaces=surfaces,
        stakeholder_channel=settings.stakeholder_channel,
        escalation_usergroup=settings.escalation_usergroup,
    )
    lifecycle = LifecycleService(
        store=store,
        gateway=gateway,
        surfaces=surfaces,
        reminders=reminders,
        policy=policy,
        clock=clock,
        broadcast_channel=settings.broadcast_channel,
        guard=guard,
    )
    people = People(store=store, gateway=gateway, clock=clock)
    postmortems = PostmortemService(
        store=store, gateway=gateway, policy=policy, clock=clock, people=people
    )
    state = StateService(
        store=store,
        gateway=gateway,
        surfaces=surfaces,
        policy=policy,
        clock=clock,
        reminders=reminders,
        broadcast_channel=settings.broadcast_channel,
        guard=guard,
    )
    action_items = ActionItems(
        store=store,
        gateway=gateway,
        policy=policy,
        clock=clock,
        audience=audience,
        guard=guard,
        people=people,
        homes=homes,
    )
    declare = DeclareService(
        store=store,
        gateway=gateway,
        policy=policy,
        clock=clock,
        reminders=reminders,
        broadcast_channel=settings.broadcast_channel,
        surfaces=surfaces,
    )
    reports = Reports(store=store, policy=policy, clock=clock)
    alert_desk = AlertDesk(
        store=store,
        gateway=gateway,
        policy=policy,
        clock=clock,
        declare=declare,
        broadcast_channel=settings.broadcast_channel,
    )
    digests = Digests(
        store=store,
        gateway=gateway,
        reports=reports,
        policy=policy,
        clock=clock,
        broadcast_channel=settings.broadcast_channel,
    )
    return Runtime(
        settings=settings,
        policy=policy,
        store=store,
        client=client,
        gateway=gateway,
        clock=clock,
        background=Background(),
        guard=guard,
        audience=audience,
        rooms=rooms,
        declare=declare,
        roles=RoleService(
            store=store,
            gateway=gateway,
            surfaces=surfaces,
            policy=policy,
            clock=clock,
            reminders=reminders,
            guard=guard,
            audience=audience,
        ),
        state=state,
        reminders=reminders,
        scheduler=Scheduler(
            store=store,
            clock=clock,
            lease=timedelta(seconds=settings.job_lease),
            transient=may_pass,
            handlers={
                **reminders.handlers(),
                FINISH_ROOM: declare.finish_room,
                POSTMORTEM_DRAFT: postmortems.on_job,
                ARCHIVE_ROOM: lifecycle.archive_room,
                REFRESH_SURFACES: surfaces.on_job,
                PRUNE: Retention(store, clock, timedelta(days=settings.retention_days)).on_job,
                DIGEST: digests.on_job,
                **action_items.handlers(),
                REFRESH_HOMES: homes.on_job,
                **alert_desk.handlers(),
            },
            recurring={PRUNE: PRUNE_EVERY},
            planners=(digests.plan,),
        ),
        postmortems=postmortems,
        people=people,
        surfaces=surfaces,
        updates=UpdateService(
            store=store,
            gateway=gateway,
            surfaces=surfaces,
            state=state,
            reminders=reminders,
            policy=policy,
            clock=clock,
            stakeholder_channel=settings.stakeholder_channel,
            guard=guard,
        ),
        lifecycle=lifecycle,
        cancellation=CancelService(
            store=store,
            gateway=gateway,
            surfaces=surfaces,
            reminders=reminders,
            audience=audience,
            policy=policy,
            clock=clock,
            broadcast_channel=settings.broadcast_channel,
            guard=guard,
        ),
        action_items=action_items,
        timeline=TimelineService(
            store=store, rooms=rooms, clock=clock, policy=policy, guard=guard, gateway=gateway
        ),
        metrics=metrics,
        vitals=Vitals(store=store, policy=policy, clock=clock),
        finder=Finder(store=store, audience=audience, policy=policy, clock=clock),
        reports=reports,
        digests=digests,
        alert_desk=alert_desk,
        alert_intake=AlertIntake(store=store, clock=clock, desk=alert_desk),
        homes=homes,
        similar=SimilarIncidents(store=store, gateway=gateway, audience=audience),
        status_page=StatusPageService(store=store, policy=policy, clock=clock, guard=guard),
        dashboard=Dashboard(
            store=store,
            audience=audience,
            policy=policy,
            clock=clock,
            people=people,
            reports=reports,
        ),
    )
