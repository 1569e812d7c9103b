from dataclasses import replace
from datetime import UTC, datetime, timedelta

from warroom.domain.cadence import (
    COMMANDER_ESCALATE,
    COMMANDER_NAG,
    UPDATE_BROADCAST,
    UPDATE_DUE,
    UPDATE_OVERDUE,
    UPDATE_STAKEHOLDERS,
    Step,
    commander_repeat_interval,
    commander_steps,
    next_update_due,
    update_interval,
    update_repeat_interval,
    update_steps,
)
from warroom.policy_file import load_policy

POLICY = load_policy()
MONDAY_3AM = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)


def test_interval_follows_severity_and_status() -> None:
    assert update_interval(POLICY, "SEV1", "investigating") == timedelta(minutes=30)
    assert update_interval(POLICY, "SEV1", "mitigated") == timedelta(hours=1)
    assert update_interval(POLICY, "SEV2", "identified") == timedelta(hours=1)
    assert update_interval(POLICY, "SEV4", "investigating") is None
    assert update_interval(POLICY, "SEV1", "resolved") is None


def test_next_due() -> None:
    assert next_update_due(POLICY, "SEV1", "investigating", since=MONDAY_3AM) == (
        MONDAY_3AM + timedelta(minutes=30)
    )
    assert next_update_due(POLICY, "SEV4", "investigating", since=MONDAY_3AM) is None


def test_sev3_reminders_wait_for_business_hours() -> None:
    friday_4pm = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)
    due = next_update_due(POLICY, "SEV3", "investigating", since=friday_4pm)
    assert due == datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Saturday 4pm -> Monday 9am
    steps = update_steps(POLICY, "SEV3", due)
    assert [s.kind for s in steps] == [UPDATE_DUE, UPDATE_OVERDUE]
    assert steps[1].at == datetime(2026, 11, 30, 11, 0, tzinfo=UTC)


def test_sev1_escalation_ladder() -> None:
    due = MONDAY_3AM + timedelta(minutes=30)
    assert update_steps(POLICY, "SEV1", due) == [
        Step(UPDATE_DUE, due),
        Step(UPDATE_OVERDUE, due + timedelta(minutes=10)),
        Step(UPDATE_BROADCAST, due + timedelta(minutes=25)),
        Step(UPDATE_STAKEHOLDERS, due + timedelta(minutes=25)),
    ]


def test_commander_steps() -> None:
    assert commander_steps(POLICY, "SEV1", declared_at=MONDAY_3AM) == [
        Step(COMMANDER_NAG, MONDAY_3AM + timedelta(minutes=5)),
        Step(COMMANDER_ESCALATE, MONDAY_3AM + timedelta(minutes=15)),
    ]
    assert commander_steps(POLICY, "SEV3", declared_at=MONDAY_3AM) == []


def test_repeats_follow_the_cadence_in_effect_unless_the_policy_says_otherwise() -> None:
    assert update_repeat_interval(POLICY, "SEV1", "investigating") == timedelta(minutes=30)
    assert update_repeat_interval(POLICY, "SEV1", "mitigated") == timedelta(hours=1)
    assert update_repeat_interval(POLICY, "SEV4", "investigating") is None
    assert commander_repeat_interval(POLICY, "SEV2", "identified") == timedelta(hours=1)
    assert commander_repeat_interval(POLICY, "SEV3", "investigating") is None
    sev1 = POLICY.severity("SEV1")
    quiet = replace(
        POLICY,
        severities=(
            replace(sev1, update_repeat_every=None, commander_repeat_every=timedelta(hours=2)),
        ),
    )
    assert update_repeat_interval(quiet, "SEV1", "investigating") is None
    assert commander_repeat_interval(quiet, "SEV1", "investigating") == timedelta(hours=2)
