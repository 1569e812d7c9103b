from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from warroom.domain.incident import Incident
from warroom.domain.room_adoption import CLOCK_SKEW, ExistingChannel, adoption_refusal

WARROOM = "UWARROOMBOT"
DECLARED = datetime(2026, 12, 6, 4, 0, 0, 500_000, tzinfo=UTC)
INCIDENT = Incident(
    id=1,
    team_id="T1",
    number=7,
    title="Payroll",
    impact="x",
    severity="SEV2",
    status="investigating",
    private=True,
    reporter_id="UREPORTER1",
    declared_at=DECLARED,
    pending_channel_name="inc-7-payroll",
)
OURS = ExistingChannel(
    id="C1", name="inc-7-payroll", creator=WARROOM, created=DECLARED, private=True
)


def test_the_channel_warroom_asked_for_is_adopted() -> None:
    assert adoption_refusal(OURS, INCIDENT, made_by=WARROOM) is None
    whole_second = replace(OURS, created=DECLARED.replace(microsecond=0))
    assert adoption_refusal(whole_second, INCIDENT, made_by=WARROOM) is None
    skewed = replace(OURS, created=DECLARED - CLOCK_SKEW)
    assert adoption_refusal(skewed, INCIDENT, made_by=WARROOM) is None


@pytest.mark.parametrize(
    ("channel", "incident", "reason"),
    [
        (OURS, replace(INCIDENT, pending_channel_name=None), "no channel creation is in doubt"),
        (replace(OURS, name="inc-7-payroll-2"), INCIDENT, "not the name Warroom asked for"),
        (replace(OURS, creator="USQUATTER1"), INCIDENT, "created by USQUATTER1, not by Warroom"),
        (
            replace(OURS, created=DECLARED - CLOCK_SKEW - timedelta(seconds=1)),
            INCIDENT,
            "created before the incident was declared",
        ),
        (replace(OURS, private=False), INCIDENT, "public, for a private incident"),
        (OURS, replace(INCIDENT, private=False), "private, for a public one"),
    ],
)
def test_anything_else_is_refused(
    channel: ExistingChannel, incident: Incident, reason: str
) -> None:
    assert adoption_refusal(channel, incident, made_by=WARROOM) == reason
