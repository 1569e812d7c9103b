"""The alert desk against the in-process gateway double, on both databases: what each
route does, resends and storms, resolution, cycles, and the triage card's choices."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from importlib.resources import files
from pathlib import Path

import pytest

from tests.harness import Clock
from tests.services.conftest import World
from tests.services.gateway_double import BOT_USER, GatewayDouble
from warroom.config import Settings
from warroom.domain.alert_payloads import parse_notification
from warroom.domain.alerts import FIRING, RESOLVED, Alert, Notification
from warroom.domain.policy import parse_policy
from warroom.runtime import build_runtime
from warroom.store import alerts, incidents, timeline

pytestmark = pytest.mark.both_databases

CAPTURED = Path(__file__).parents[1] / "data" / "alerts" / "alertmanager-0.25.0-captured"

ROUTES = """
[[alert_routes]]
name = "payments-down"
match = { service = "payments" }
action = "declare"
severity = "SEV1"
title = "{{ labels.alertname }} on {{ labels.service }}"
responders = ["UONCALL01"]

[[alert_routes]]
name = "noise"
match = { severity = "info" }
action = "attach"
"""


async def _world(database_url: str, clock: Clock, routes: str) -> AsyncIterator[World]:
    slack = GatewayDouble(clock_now=clock())
    broadcast = slack.add_channel("incidents", members=[BOT_USER])
    text = files("warroom").joinpath("default_policy.toml").read_text(encoding="utf-8")
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token="xoxb-not-used",
        slack_signing_secret="not-used",
        database_url=database_url,
        broadcast_channel=broadcast,
    )
    runtime = build_runtime(
        settings, clock=clock, gateway=slack, policy=parse_policy(text + routes)
    )
    try:
        yield World(runtime, slack, clock, broadcast)
    finally:
        await runtime.close()


@pytest.fixture
async def desk(database_url: str, clock: Clock) -> AsyncIterator[World]:
    async for world in _world(database_url, clock, ROUTES):
        yield world


def _alert(fingerprint: str, status: str = FIRING, *, at: datetime, **labels: str) -> Alert:
    return Alert(
        fingerprint=fingerprint,
        status=FIRING if status == FIRING else RESOLVED,
        labels={"alertname": "HighErrorRate", **labels},
        annotations={"summary": f"errors on {fingerprint}"},
        starts_at=at,
        ends_at=at + timedelta(minutes=5) if status == RESOLVED else None,
        source_url="https://prometheus.example.com/graph?g0.expr=up",
    )


def _notification(key: str, *alerts_: Alert, **common: str) -> Notification:
    firing = any(a.status == FIRING for a in alerts_)
    return Notification(
        source="alertmanager",
        group_key=key,
        status=FIRING if firing else RESOLVED,
        alerts=alerts_,
        common_labels={"alertname": "HighErrorRate", **common},
    )


async def _settle(world: World) -> None:
    """Process what waits, then run every job that is due (and what those set off)."""
    await world.runtime.alert_desk.idle()
    await world.runtime.alert_desk.process()
    for _ in range(5):
        report = await world.runtime.scheduler.tick()
        await world.runtime.background.idle()
        if not report.claimed:
            return


def _cards(world: World) -> list[str]:
    return [
        m.text
        for m in world.slack.messages_in(world.broadcast)
        if "firing" in m.text or "✅" in m.text
    ]


async def test_an_unrouted_group_gets_one_triage_card_and_a_resend_changes_nothing(
    desk: World,
) -> None:
    body = (CAPTURED / "02-firing-grouped-3-alerts.json").read_bytes()
    notification = parse_notification("alertmanager", body)
    assert await desk.runtime.alert_intake.receive(notification) is True
    assert await desk.runtime.alert_intake.receive(notification) is False
    await _settle(desk)
    cards = desk.slack.messages_in(desk.broadcast)
    assert len(cards) == 1
    assert "3 firing" in cards[0].text
    actions = [b for b in cards[0].blocks if b["type"] == "actions"]
    assert [e["action_id"] for e in actions[0]["elements"]] == ["alert_declare", "alert_dismiss"]


async def test_a_storm_gives_one_card_per_group_updated_in_place(desk: World) -> None:
    now = desk.clock()
    for n in range(1000):
        group = f"group-{n % 4}"
        alert = _alert(f"fp-{n}", at=now - timedelta(seconds=n % 60), instance=f"host-{n}")
        await desk.runtime.alert_intake.receive(_notification(group, alert))
    await _settle(desk)
    desk.clock.advance(seconds=5)  # the cards catch up once the burst is over
    await _settle(desk)
    posts = [c for c in desk.slack.calls if c.method == "chat.postMessage"]
    assert len(posts) == 4
    cards = desk.slack.messages_in(desk.broadcast)
    assert sorted(c.text.split(" — ")[1] for c in cards) == ["250 firing"] * 4
    edits = [c for c in desk.slack.calls if c.method == "chat.update"]
    assert len(edits) <= 8


async def test_a_declare_route_opens_an_incident_that_started_with_its_first_alert(
    desk: World,
) -> None:
    start = desk.clock() - timedelta(minutes=7)
    first = _alert("a1", at=start, service="payments")
    second = _alert("a2", at=start + timedelta(minutes=2), service="payments")
    await desk.runtime.alert_intake.receive(_notification("pay", first, second, service="payments"))
    await _settle(desk)
    async with desk.runtime.store.read() as session:
        incident = (
            await incidents.find_by_declare_key(session, f"alerts:{1}:1")
            or (await incidents.open_in_team(session, "T0SERVICES", limit=1))[0]
        )
        entries = await timeline.key_entries(session, incident.id, before=None, limit=50)
    assert incident.title == "HighErrorRate on payments"
    assert incident.severity == "SEV1"
    assert incident.started_at == start
    assert "UONCALL01" in incident.invitees
    assert incident.channel_id is not None
    said = [m.text for m in desk.slack.messages_in(incident.channel_id)]
    assert any("Declared by Warroom for the alert *HighErrorRate* (2 firing" in t for t in said)
    texts = [e.text for e in entries if e.kind == "alert"]
    link = "https://prometheus.example.com/graph?g0.expr=up"
    assert sorted(texts) == [
        f"HighErrorRate firing: errors on a1 [service=payments] {link}",
        f"HighErrorRate firing: errors on a2 [service=payments] {link}",
    ]


async def test_resolving_every_alert_tells_the_room_once(desk: World) -> None:
    start = desk.clock() - timedelta(minutes=3)
    a1, a2 = _alert("a1", at=start, service="payments"), _alert("a2", at=start, service="payments")
    await desk.runtime.alert_intake.receive(_notification("pay", a1, a2, service="payments"))
    await _settle(desk)
    async with desk.runtime.store.read() as session:
        (incident,) = await incidents.open_in_team(session, "T0SERVICES", limit=5)
    assert incident.channel_id is not None
    done1 = _alert("a1", RESOLVED, at=start, service="payments")
    await desk.runtime.alert_intake.receive(_notification("pay", done1, a2, service="payments"))
    await _settle(desk)
    said = [m.text for m in desk.slack.messages_in(incident.channel_id) if "✅" in m.text]
    assert said == []
    done2 = _alert("a2", RESOLVED, at=start, service="payments")
    resolved = _notification("pay", done1, done2, service="payments")
    await desk.runtime.alert_intake.receive(resolved)
    await desk.runtime.alert_intake.receive(resolved)
    await _settle(desk)
    said = [
        m.text for m in desk.slack.messages_in(incident.channel_id) if "have resolved" in m.text
    ]
    assert len(said) == 1 and "All 2 alerts" in said[0]


async def test_a_late_firing_copy_never_reopens_a_resolved_alert(desk: World) -> None:
    start = desk.clock() - timedelta(minutes=3)
    resolved = _alert("a1", RESOLVED, at=start)
    await desk.runtime.alert_intake.receive(_notification("late", resolved))
    await desk.runtime.alert_intake.receive(_notification("late", _alert("a1", at=start)))
    await _settle(desk)
    async with desk.runtime.store.read() as session:
        group = await alerts.load_group(session, 1)
    assert (group.firing, group.resolved) == (0, 1)


async def test_attach_from_the_card_puts_the_alerts_on_that_incident(desk: World) -> None:
    incident = await desk.declare("Checkout is slow")
    await desk.runtime.alert_intake.receive(
        _notification("slow", _alert("s1", at=desk.clock() - timedelta(minutes=30)))
    )
    await _settle(desk)
    (card,) = [m for m in desk.slack.messages_in(desk.broadcast) if "HighErrorRate" in m.text]
    select = next(
        e for b in card.blocks if b["type"] == "actions" for e in b["elements"] if "options" in e
    )
    assert select["options"][0]["value"].endswith(f":{incident.id}")
    await desk.runtime.alert_desk.attach(1, incident.id, by="UPICKER01")
    async with desk.runtime.store.read() as session:
        after = await incidents.load(session, incident.id)
        entries = await timeline.key_entries(session, incident.id, before=None, limit=50)
    assert after.started_at == desk.clock() - timedelta(minutes=30)
    assert any(e.kind == "alert" for e in entries)
    (card,) = [m for m in desk.slack.messages_in(desk.broadcast) if "HighErrorRate" in m.text]
    assert not any(b["type"] == "actions" for b in card.blocks)
    assert f"*{incident.reference}*" in str(card.blocks)


async def test_dismissed_stays_quiet_until_it_fires_again_after_resolving(desk: World) -> None:
    start = desk.clock() - timedelta(minutes=3)
    await desk.runtime.alert_intake.receive(_notification("flap", _alert("f1", at=start)))
    await _settle(desk)
    await desk.runtime.alert_desk.dismiss(1, by="UPICKER01")
    await desk.runtime.alert_intake.receive(_notification("flap", _alert("f1", RESOLVED, at=start)))
    await _settle(desk)
    assert len([c for c in desk.slack.calls if c.method == "chat.postMessage"]) == 1
    desk.clock.advance(minutes=10)
    await desk.runtime.alert_intake.receive(
        _notification("flap", _alert("f1", at=desk.clock() - timedelta(seconds=30)))
    )
    await _settle(desk)
    posts = [c for c in desk.slack.calls if c.method == "chat.postMessage"]
    assert len(posts) == 2


async def test_an_attach_route_without_an_incident_falls_back_to_a_card(desk: World) -> None:
    await desk.runtime.alert_intake.receive(
        _notification("info", _alert("i1", at=desk.clock(), severity="info"), severity="info")
    )
    await _settle(desk)
    (card,) = desk.slack.messages_in(desk.broadcast)
    assert "route noise" in str(card.blocks)


async def test_notifications_a_dead_process_left_are_swept_up(desk: World) -> None:
    """Stored, then the process died before its desk woke: the sweep job handles them."""
    desk.runtime.alert_desk.wake = lambda: None  # type: ignore[method-assign]
    await desk.runtime.alert_intake.receive(_notification("orphan", _alert("o1", at=desk.clock())))
    assert not (await desk.runtime.scheduler.tick()).claimed  # not due yet
    desk.clock.advance(seconds=11)
    await desk.runtime.scheduler.tick()
    await _settle(desk)
    (card,) = desk.slack.messages_in(desk.broadcast)
    assert "1 firing" in card.text


async def test_two_replicas_taking_the_same_notifications_make_one_group(
    desk: World, database_url: str
) -> None:
    other = build_runtime(
        desk.runtime.settings, clock=desk.clock, gateway=desk.slack, policy=desk.runtime.policy
    )
    try:
        for n in range(30):
            notification = _notification("twin", _alert(f"t{n}", at=desk.clock()))
            await desk.runtime.alert_intake.receive(notification)
        await desk.runtime.alert_desk.idle()
        for n in range(30, 60):
            notification = _notification("twin", _alert(f"t{n}", at=desk.clock()))
            await other.alert_intake.receive(notification)
        await asyncio.gather(desk.runtime.alert_desk.process(), other.alert_desk.process())
        await other.alert_desk.idle()
        await _settle(desk)
    finally:
        await other.close()
    async with desk.runtime.store.read() as session:
        group = await alerts.load_group(session, 1)
        assert await alerts.waiting_receipts(session, limit=10) == []
    assert (group.firing, group.resolved) == (60, 0)
    assert len([c for c in desk.slack.calls if c.method == "chat.postMessage"]) == 1


async def test_a_second_group_for_the_same_problem_joins_the_open_incident(desk: World) -> None:
    """Two senders (or two routes) alerting on payments: one incident, not two."""
    start = desk.clock() - timedelta(minutes=4)
    first = _notification("pay-a", _alert("p1", at=start, service="payments"), service="payments")
    await desk.runtime.alert_intake.receive(first)
    await _settle(desk)
    other = replace(
        _notification("pay-b", _alert("p2", at=start, service="payments"), service="payments"),
        source="grafana",
    )
    await desk.runtime.alert_intake.receive(other)
    await _settle(desk)
    async with desk.runtime.store.read() as session:
        (incident,) = await incidents.open_in_team(session, "T0SERVICES", limit=5)
        groups = await alerts.groups_of_incident(session, incident.id)
    assert [g.source for g in groups] == ["alertmanager", "grafana"]
    assert incident.channel_id is not None
    said = [m.text for m in desk.slack.messages_in(incident.channel_id)]
    assert any("Warroom attached the alert *HighErrorRate*" in t for t in said)
