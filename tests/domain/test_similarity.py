"""Similar open incidents: the pure score behind "Join INC-N instead"."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from warroom.domain.incident import Incident
from warroom.domain.similarity import (
    THRESHOLD,
    Candidate,
    label_score,
    most_similar,
    score,
    words,
)

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
BASE = Incident(
    id=1,
    team_id="T1",
    number=1,
    title="Checkout returns 500s",
    impact="About 30% of EU checkouts fail",
    severity="SEV2",
    status="investigating",
    private=False,
    reporter_id="UREP",
    declared_at=AT,
    channel_id="CROOM1",
)


def incident(number: int, title: str, impact: str = "", **fields: Any) -> Incident:
    return replace(
        BASE, id=number, number=number, title=title, impact=impact,
        channel_id=f"CROOM{number}", **fields,
    )  # fmt: skip


def test_words_are_normalised_stemmed_and_stopwords_dropped() -> None:
    assert words("The Payments are timing out!") == {"paymen", "timing"[:6].removesuffix("ing")}
    assert words("timeouts") == words("Timeout") == {"timeou"}
    assert words("500s on /checkout") == {"500", "checko"}
    assert words("") == frozenset() and words(None) == frozenset()
    assert words("a I is the") == frozenset()
    assert words("Zahlungen schlagen fehl") == {"zahlun", "schlag", "fehl"}


def test_the_same_problem_in_other_words_is_found() -> None:
    open_now = [
        incident(1, "Checkout returns 500s", "EU checkouts fail"),
        incident(2, "Login page slow"),
        incident(3, "Search index lagging"),
    ]

    found = most_similar(Candidate("Checkout 500 errors", "Customers can't pay"), open_now)

    assert [s.incident.number for s in found] == [1]
    assert found[0].score >= THRESHOLD


def test_unrelated_incidents_are_not_offered() -> None:
    open_now = [incident(1, "Checkout returns 500s"), incident(2, "Login page slow")]

    assert most_similar(Candidate("Kafka consumer lag on billing"), open_now) == []


def test_nothing_open_or_nothing_said_finds_nothing() -> None:
    assert most_similar(Candidate("Checkout down"), []) == []
    assert most_similar(Candidate(""), [incident(1, "Checkout down")]) == []
    assert most_similar(Candidate("the a of"), [incident(1, "the a of")]) == []


def test_resolved_incidents_and_rooms_not_made_yet_are_never_offered() -> None:
    resolved = incident(1, "Checkout down", resolved_at=AT)
    no_room = replace(incident(2, "Checkout down"), channel_id=None)

    assert most_similar(Candidate("Checkout down"), [resolved, no_room]) == []


def test_best_first_newest_first_among_equals_and_at_most_the_limit() -> None:
    open_now = [incident(n, "Checkout down") for n in range(1, 6)]
    open_now.append(incident(9, "Checkout down in EU for card payments"))

    found = most_similar(Candidate("Checkout down"), open_now, limit=3)

    assert [s.incident.number for s in found] == [5, 4, 3]
    assert found[0].score == 1.0


def test_impact_and_summary_words_count_less_than_the_title() -> None:
    by_summary = incident(1, "Elevated errors", summary="checkout payments failing")
    by_title = incident(2, "Checkout payments failing")
    candidate = Candidate("Checkout payments failing")

    assert score(candidate, by_title) > score(candidate, by_summary) > 0


def test_alerts_with_the_same_alertname_and_service_are_the_same_problem() -> None:
    firing = {"alertname": "HighErrorRate", "service": "checkout", "severity": "page"}
    same = {"alertname": "HighErrorRate", "service": "checkout", "severity": "page"}
    other_service = {"alertname": "HighErrorRate", "service": "search"}
    other_alert = {"alertname": "DiskFull", "service": "checkout"}

    assert label_score(firing, same) == 1.0
    assert label_score(firing, other_service) < THRESHOLD
    assert THRESHOLD <= label_score(firing, {"alertname": "HighErrorRate"}) < 1.0
    assert label_score(firing, other_alert) == 0.0
    assert label_score(firing, {}) == 0.0 == label_score({}, {})


def test_labels_find_an_incident_whose_title_says_something_else() -> None:
    labelled = incident(1, "Payments degraded")
    candidate = Candidate("[FIRING:1] HighErrorRate", labels={"alertname": "HighErrorRate"})

    assert most_similar(candidate, [labelled]) == []
    found = most_similar(candidate, [labelled], labels={1: {"alertname": "HighErrorRate"}})
    assert [s.incident.number for s in found] == [1]
