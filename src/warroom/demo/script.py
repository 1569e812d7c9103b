"""The demo's incident, scene by scene: 02:47 declared, 04:40 the postmortem draft; a
second report of the same outage is closed as its duplicate on the way."""

from __future__ import annotations

from typing import Any

from warroom.demo.cast import ANA, BEN, CHI, DEE
from warroom.demo.people import People
from warroom.demo.slack import SlackStandIn
from warroom.demo.transcript import Transcript
from warroom.domain.clock import ManualClock
from warroom.runtime import Runtime
from warroom.store import incidents

__all__ = ["play"]


async def play(
    runtime: Runtime,
    slack: SlackStandIn,
    people: People,
    show: Transcript,
    clock: ManualClock,
    ops: str,
) -> None:
    async def settle() -> None:
        await runtime.background.idle()

    async def tick(**minutes: float) -> None:
        clock.advance(**minutes)
        await runtime.scheduler.tick()
        await settle()

    async def incident_now(incident_id: int = 1) -> Any:
        async with runtime.store.transaction() as session:
            return await incidents.load(session, incident_id)

    show.step("02:47 · ana types /incident declare in #ops")
    await people.command(ANA, "declare Checkout errors spike", ops)
    await settle()
    await people.fill_in(
        ANA,
        {
            "severity": "SEV1",
            "impact": "About 40% of checkout attempts fail with HTTP 500 in the EU.",
            "responders": [BEN, CHI, DEE],
        },
    )
    await settle()
    incident = await incident_now()
    room, card = incident.channel_id, incident.card_ts

    show.step("02:49 · ben takes Incident Commander, chi takes Ops lead, dee takes Comms")
    clock.advance(minutes=2)
    for user, role in ((BEN, "commander"), (CHI, "ops_lead"), (DEE, "comms_lead")):
        await people.press(user, room, card, f"role_take:{role}")
        await settle()

    show.step("02:52 · the team talks in the war room; chi's finding gets a 📌")
    clock.advance(minutes=3)
    finding = await people.say(
        CHI, room, "Error rate 38% on /pay since 02:41, right after deploy 812"
    )
    await people.command(BEN, "hypothesis the connection pool shrank in deploy 812", room)
    await people.react(DEE, room, finding, "pushpin")
    await settle()

    show.step("03:17 · the first status update is due: dee is reminded")
    await tick(minutes=25)

    show.step("03:18 · dee posts the update")
    clock.advance(minutes=1)
    await people.command(DEE, "update", room)
    await settle()
    await people.fill_in(
        DEE,
        {
            "status": "identified",
            "happening": "Deploy 812 halved the DB pool; checkout requests queue and fail.",
            "doing": "Rolling back deploy 812.",
        },
    )
    await settle()

    show.step("03:25 · chi reports the same outage again from #ops; it is closed as a duplicate")
    clock.advance(minutes=7)
    await people.command(CHI, "declare Payments failing in the EU", ops)
    await settle()
    await people.fill_in(CHI, {"severity": "SEV2", "impact": "Card payments fail in the EU."})
    await settle()
    again = await incident_now(2)
    await people.command(CHI, "duplicate INC-1", again.channel_id)
    await settle()

    show.step("03:48 · nobody posts the next update: reminder, ben hears it is late, then everyone")
    await tick(minutes=23)
    await tick(minutes=10)
    await tick(minutes=15)

    show.step("04:18 · still silent: the reminder comes round again, saying for how long")
    await tick(minutes=5)

    show.step("04:19 · the rollback works: ben marks it mitigated, then resolves")
    clock.advance(minutes=1)
    await people.command(BEN, "status mitigated", room)
    await settle()
    clock.advance(minutes=20)
    await people.press(BEN, room, card, "resolve_open")
    await settle()
    await people.fill_in(
        BEN,
        {
            "resolution": "Rolled back deploy 812; error rate back to 0.1% at 04:12.",
            "root_cause": "Deploy 812 set the DB pool size to 10 instead of 100.",
        },
    )
    await settle()

    show.step("04:40 · the postmortem draft arrives in the war room")
    await tick(minutes=1)
    show.flush()
