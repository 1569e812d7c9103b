"""The public status page's service: which incidents it shows (severities, the flag,
never a private one), only stakeholder-safe plain text, and who may set the flag."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.services.conftest import REPORTER, World
from warroom.domain.permissions import NotPermitted
from warroom.domain.policy import StatusPagePolicy
from warroom.domain.status_update import StatusUpdate
from warroom.services.lifecycle import Refused
from warroom.services.status_page import StatusPageService
from warroom.store import status_page

pytestmark = pytest.mark.both_databases  # the store's query is new: run it on both

OUTSIDER = "UOUTSIDER9"


def service(world: World, **settings: object) -> StatusPageService:
    runtime = world.runtime
    policy = replace(runtime.policy, status_page=StatusPagePolicy(**{"enabled": True, **settings}))
    return StatusPageService(
        store=runtime.store, policy=policy, clock=world.clock, guard=runtime.guard
    )


async def post_update(world: World, incident_id: int, happening: str, impact: str) -> None:
    promised = world.clock() + timedelta(minutes=30)
    update = StatusUpdate("identified", happening, impact, "Rolling back", promised)
    await world.runtime.updates.post(incident_id, update, REPORTER)


async def test_the_status_page_is_off_by_default(world: World) -> None:
    assert world.runtime.status_page.enabled is False
    assert world.runtime.policy.status_page == StatusPagePolicy()


async def test_it_shows_the_listed_severities_open_and_resolved(world: World) -> None:
    page_service = service(world)
    sev1 = await world.declare("Payments down", severity="SEV1")
    sev2 = await world.declare("Search slow", severity="SEV2")
    await world.declare("A typo on the About page", severity="SEV3")
    await world.runtime.lifecycle.resolve(sev2.id, "We added capacity.", None, REPORTER)

    page = await page_service.page()

    assert [i.reference for i in page.current] == [sev1.reference]
    assert [i.reference for i in page.past] == [sev2.reference]
    (shown,) = page.current
    assert (shown.severity, shown.severity_label, shown.status_label) == (
        "SEV1",
        "Critical",
        "Investigating",
    )
    assert shown.happening is None  # no update yet: nothing typed is shown
    assert page.past[0].resolution == "We added capacity."


async def test_the_flag_shows_a_sev3_and_hides_a_sev1(world: World) -> None:
    page_service = service(world)
    sev1 = await world.declare("Payments down", severity="SEV1")
    sev3 = await world.declare("Exports are slow", severity="SEV3")

    shown = await page_service.show(sev3.id, REPORTER)
    hidden = await page_service.hide(sev1.id, REPORTER)
    again = await page_service.hide(sev1.id, REPORTER)

    assert (shown.shown, shown.changed, hidden.shown, hidden.changed) == (True, True, False, True)
    assert again.changed is False
    page = await page_service.page()
    assert [i.reference for i in page.current] == [sev3.reference]


async def test_a_private_incident_is_never_shown_and_cannot_be_flagged(world: World) -> None:
    page_service = service(world)
    secret = await world.declare("Breach investigation", severity="SEV1", private=True)

    with pytest.raises(Refused, match="private"):
        await page_service.show(secret.id, REPORTER)
    async with world.runtime.store.transaction() as session:  # even if flagged behind our back
        await status_page.set_flag(session, secret.id, True)

    page = await page_service.page()
    assert page.current == () and page.past == ()


async def test_only_who_may_post_updates_may_set_the_flag(world: World) -> None:
    page_service = service(world)
    incident = await world.declare("Payments down", severity="SEV1")

    with pytest.raises(NotPermitted):
        await page_service.hide(incident.id, OUTSIDER)

    assert [i.reference for i in (await page_service.page()).current] == [incident.reference]


async def test_names_links_and_channels_are_stripped_from_what_is_shown(world: World) -> None:
    page_service = service(world)
    incident = await world.declare("Payments down", severity="SEV1")
    await post_update(
        world,
        incident.id,
        "<@U0ALICE> and @bob.smith rolled back; see <https://grafana.internal/d/x|the graph> "
        "and https://wiki.internal/runbook in <#C0WARROOM|inc-42-payments> or #inc-42",
        "EU card payments fail <!here> & ops@example.com knows",
    )

    (shown,) = (await page_service.page()).current

    assert shown.happening == (
        "someone and someone rolled back; see the graph and [link removed] in "
        "an internal channel or an internal channel"
    )
    assert shown.impact == "EU card payments fail & ops@example.com knows"
    assert shown.status_label == "Identified"
    assert shown.next_update_at is not None


async def test_resolved_more_than_90_days_ago_drops_off(world: World) -> None:
    page_service = service(world)
    old = await world.declare("Payments down", severity="SEV1")
    await world.runtime.lifecycle.resolve(old.id, "Fixed.", None, REPORTER)
    world.clock.advance(days=91)
    recent = await world.declare("Payments down again", severity="SEV1")
    await world.runtime.lifecycle.resolve(recent.id, "Fixed again.", None, REPORTER)

    page = await page_service.page()

    assert [i.reference for i in page.past] == [recent.reference]


async def test_a_cancelled_incident_is_not_shown(world: World) -> None:
    page_service = service(world, severities=("SEV1", "SEV2", "SEV3"))
    incident = await world.declare("Probe misconfigured", severity="SEV1")
    await world.runtime.cancellation.cancel(incident.id, "false alarm", REPORTER)

    page = await page_service.page()

    assert page.current == () and page.past == ()
