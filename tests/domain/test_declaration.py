from datetime import UTC, datetime, timedelta

import pytest

from warroom.domain.declaration import (
    IMPACT_MAX,
    TITLE_MAX,
    Declaration,
    DeclarationForm,
    validate_declaration,
)
from warroom.policy_file import load_policy

NOW = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
POLICY = load_policy()


def form(**changes: object) -> DeclarationForm:
    base: dict[str, object] = {
        "title": "Checkout down",
        "severity": "SEV1",
        "impact": "All EU customers",
        "started_at": None,
        "private": False,
        "responders": (),
    }
    base.update(changes)
    return DeclarationForm(**base)  # type: ignore[arg-type]


def test_valid_form_is_cleaned() -> None:
    result = validate_declaration(
        form(title="  Checkout \t down  ", severity="sev1", responders=("U1", "U2", "U1")),
        POLICY,
        NOW,
    )
    assert result == Declaration(
        title="Checkout down",
        severity="SEV1",
        impact="All EU customers",
        started_at=None,
        private=False,
        responders=("U1", "U2"),
    )


@pytest.mark.parametrize("title", [None, "", "   ", "\n\t"])
def test_blank_title(title: str | None) -> None:
    assert set(validate_declaration(form(title=title), POLICY, NOW)) == {"title"}  # type: ignore[arg-type]


def test_title_over_limit() -> None:
    errors = validate_declaration(form(title="x" * (TITLE_MAX + 1)), POLICY, NOW)
    assert isinstance(errors, dict) and str(TITLE_MAX) in errors["title"]
    assert isinstance(validate_declaration(form(title="x" * TITLE_MAX), POLICY, NOW), Declaration)


@pytest.mark.parametrize("severity", [None, "", "SEV9", "critical"])
def test_severity_is_required_and_known(severity: str | None) -> None:
    errors = validate_declaration(form(severity=severity), POLICY, NOW)
    assert isinstance(errors, dict) and "higher" in errors["severity"]


def test_impact_required_and_bounded() -> None:
    assert set(validate_declaration(form(impact=" "), POLICY, NOW)) == {"impact"}  # type: ignore[arg-type]
    assert set(validate_declaration(form(impact="x" * (IMPACT_MAX + 1)), POLICY, NOW)) == {"impact"}  # type: ignore[arg-type]


def test_start_time_in_future_is_refused_past_is_kept() -> None:
    errors = validate_declaration(form(started_at=NOW + timedelta(hours=1)), POLICY, NOW)
    assert isinstance(errors, dict) and "future" in errors["started_at"]
    past = NOW - timedelta(hours=2)
    result = validate_declaration(form(started_at=past), POLICY, NOW)
    assert isinstance(result, Declaration) and result.started_at == past


def test_all_errors_reported_together() -> None:
    errors = validate_declaration(
        form(title="", severity=None, impact="", started_at=NOW + timedelta(days=1)), POLICY, NOW
    )
    assert set(errors) == {"title", "severity", "impact", "started_at"}  # type: ignore[arg-type]
