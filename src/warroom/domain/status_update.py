"""A status update: the four questions every stakeholder asks, checked before it is sent."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["UPDATE_TEXT_MAX", "StatusUpdate", "StatusUpdateForm", "validate_status_update"]

UPDATE_TEXT_MAX = 1500
CLOCK_SKEW = timedelta(minutes=1)
QUESTIONS = {
    "happening": "Say what is happening now.",
    "impact": "Say who is affected and how.",
    "doing": "Say what the team is doing about it.",
}


@dataclass(frozen=True)
class StatusUpdateForm:
    status: str | None
    happening: str | None
    impact: str | None
    doing: str | None
    next_update_at: datetime | None


@dataclass(frozen=True)
class StatusUpdate:
    status: str
    happening: str
    impact: str
    doing: str
    next_update_at: datetime | None


def validate_status_update(
    form: StatusUpdateForm,
    *,
    now: datetime,
    next_update_required: bool,
    statuses: Collection[str],
) -> StatusUpdate | dict[str, str]:
    """A valid update, or a message per field (keys match the modal's block ids)."""
    errors: dict[str, str] = {}
    texts: dict[str, str] = {}
    for field, ask in QUESTIONS.items():
        text = (getattr(form, field) or "").strip()
        if not text:
            errors[field] = ask
        elif len(text) > UPDATE_TEXT_MAX:
            errors[field] = f"Keep it to {UPDATE_TEXT_MAX} characters (it has {len(text)})."
        texts[field] = text
    if form.status not in statuses:
        errors["status"] = "Pick the status."
    if form.next_update_at is None:
        if next_update_required:
            errors["next_update"] = "Say when the next update comes."
    elif form.next_update_at < now - CLOCK_SKEW:
        errors["next_update"] = "The next update can't be in the past."
    if errors:
        return errors
    assert form.status is not None
    return StatusUpdate(
        status=form.status,
        happening=texts["happening"],
        impact=texts["impact"],
        doing=texts["doing"],
        next_update_at=form.next_update_at,
    )
