from datetime import UTC, datetime, timedelta

from warroom.domain.status_update import (
    UPDATE_TEXT_MAX,
    StatusUpdate,
    StatusUpdateForm,
    validate_status_update,
)

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
STATUSES = ("investigating", "identified", "mitigated")


def form(**changes: object) -> StatusUpdateForm:
    base: dict[str, object] = {
        "status": "identified",
        "happening": " DB failover stuck ",
        "impact": "EU checkout",
        "doing": "Promoting replica",
        "next_update_at": NOW + timedelta(minutes=30),
    }
    base.update(changes)
    return StatusUpdateForm(**base)  # type: ignore[arg-type]


def test_valid_update_is_trimmed() -> None:
    result = validate_status_update(form(), now=NOW, next_update_required=True, statuses=STATUSES)
    assert isinstance(result, StatusUpdate) and result.happening == "DB failover stuck"


def test_every_question_must_be_answered() -> None:
    errors = validate_status_update(
        form(happening=" ", impact=None, doing="x" * (UPDATE_TEXT_MAX + 1), status="resolved"),
        now=NOW,
        next_update_required=True,
        statuses=STATUSES,
    )
    assert set(errors) == {"happening", "impact", "doing", "status"}  # type: ignore[arg-type]


def test_next_update_never_in_the_past_and_required_with_a_cadence() -> None:
    past = validate_status_update(
        form(next_update_at=NOW - timedelta(minutes=5)),
        now=NOW,
        next_update_required=True,
        statuses=STATUSES,
    )
    assert set(past) == {"next_update"}  # type: ignore[arg-type]
    missing = validate_status_update(
        form(next_update_at=None), now=NOW, next_update_required=True, statuses=STATUSES
    )
    assert set(missing) == {"next_update"}  # type: ignore[arg-type]
    optional = validate_status_update(
        form(next_update_at=None), now=NOW, next_update_required=False, statuses=STATUSES
    )
    assert isinstance(optional, StatusUpdate) and optional.next_update_at is None
