"""`/incident declare`, end to end: signed requests in, Slack calls out, both databases."""

from __future__ import annotations

from tests.harness import REPORTER, Harness


async def test_happy_path(harness: Harness) -> None:
    incident = await harness.declare(
        title="Checkout returns 500s", severity="SEV1", responders=["UALICE", "UBOB"]
    )
    slack = harness.slack
    assert incident.reference == "INC-1"
    assert incident.provisioned_at is not None and incident.provision_error is None
    channel = slack.channel(incident.channel_id or "")
    assert channel is not None and channel.name == "inc-1-checkout-returns-500s"
    assert {REPORTER, "UALICE", "UBOB"} <= channel.members
    print(harness.told())
