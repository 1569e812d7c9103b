"""Alert webhook bodies, real and malformed, into `Notification`s."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.domain import alert_payloads
from warroom.domain.alert_payloads import (
    MAX_ALERTS,
    MAX_ANNOTATION_VALUE,
    MAX_LABEL_VALUE,
    AlertPayloadError,
    parse_notification,
)
from warroom.domain.alerts import FIRING, RESOLVED, label_fingerprint

DATA = Path(__file__).parent.parent / "data" / "alerts"
CAPTURED = DATA / "alertmanager-0.25.0-captured"
V034 = DATA / "alertmanager-0.34-constructed"
GRAFANA = DATA / "grafana-constructed"

STARTED = datetime(2026, 12, 6, 2, 57, 15, 769406, tzinfo=UTC)
FIRST_RESOLVED = datetime(2026, 12, 6, 2, 57, 22, 515898, tzinfo=UTC)
REST_RESOLVED = datetime(2026, 12, 6, 2, 57, 35, 99495, tzinfo=UTC)
CHECKOUT = '{}:{alertname="HighErrorRate", service="checkout"}'
INSTANCE_DOWN = '{}:{alertname="InstanceDown", service="api"}'
API_1, API_2, API_3 = "be7e28aa388185d5", "b325f28774c2b09a", "b062522340668547"

# file, group key, status, [(fingerprint, status, ends_at)], truncated
ALERTMANAGER_CASES = [
    ("01-firing-single", CHECKOUT, FIRING, [("9af040c3e05c7d46", FIRING, None)], 0),
    (
        "02-firing-grouped-3-alerts",
        INSTANCE_DOWN,
        FIRING,
        [(API_1, FIRING, None), (API_2, FIRING, None), (API_3, FIRING, None)],
        0,
    ),
    (
        "03-resolved-single",
        CHECKOUT,
        RESOLVED,
        [("9af040c3e05c7d46", RESOLVED, FIRST_RESOLVED)],
        0,
    ),
    (
        "04-grouped-mixed-1-resolved-2-firing",
        INSTANCE_DOWN,
        FIRING,
        [(API_1, FIRING, None), (API_2, RESOLVED, FIRST_RESOLVED), (API_3, FIRING, None)],
        0,
    ),
    (
        "05-grouped-resolved-remaining-2",
        INSTANCE_DOWN,
        RESOLVED,
        [(API_1, RESOLVED, REST_RESOLVED), (API_3, RESOLVED, REST_RESOLVED)],
        0,
    ),
    (
        "06-firing-truncated-max_alerts-2",
        '{}/{team="db"}:{alertname="PostgresReplicationLag", service="postgres"}',
        FIRING,
        [("77cb7f2644837325", FIRING, None), ("59887dd35678b5ac", FIRING, None)],
        1,
    ),
]


def alertmanager_files() -> list[Any]:
    cases = []
    for name, *expected in ALERTMANAGER_CASES:
        cases.append(pytest.param(CAPTURED / f"{name}.json", *expected, id=f"0.25-{name}"))
        if (V034 / f"{name}.json").exists():
            cases.append(pytest.param(V034 / f"{name}.json", *expected, id=f"0.34-{name}"))
    return cases


@pytest.mark.parametrize(
    ("path", "group_key", "status", "alerts", "truncated"), alertmanager_files()
)
def test_alertmanager_notifications(
    path: Path,
    group_key: str,
    status: str,
    alerts: list[tuple[str, str, datetime | None]],
    truncated: int,
) -> None:
    notification = parse_notification("alertmanager", path.read_bytes())

    assert notification.source == "alertmanager"
    assert notification.group_key == group_key
    assert notification.status == status
    assert notification.truncated == truncated
    assert [(a.fingerprint, a.status, a.ends_at) for a in notification.alerts] == alerts
    assert all(a.starts_at == STARTED for a in notification.alerts)
    assert notification.external_url == "http://localhost:19093"
    assert dict(notification.group_labels)["alertname"] in group_key


def test_alertmanager_alert_details() -> None:
    notification = parse_notification(
        "alertmanager", (CAPTURED / "01-firing-single.json").read_bytes()
    )

    (alert,) = notification.alerts
    assert alert.name == "HighErrorRate"
    assert alert.labels["service"] == "checkout"
    assert alert.summary
    assert alert.source_url is not None and alert.source_url.startswith("http://localhost:9090/")
    assert alert.starts_at.tzinfo is UTC
    assert notification.common_labels["alertname"] == "HighErrorRate"


def test_a_resend_has_the_same_receipt_key_and_the_newer_schema_changes_nothing() -> None:
    older = parse_notification(
        "alertmanager", (CAPTURED / "04-grouped-mixed-1-resolved-2-firing.json").read_bytes()
    )
    newer = parse_notification(
        "alertmanager", (V034 / "04-grouped-mixed-1-resolved-2-firing.json").read_bytes()
    )
    assert older == newer
    assert older.receipt_key == newer.receipt_key


def test_an_older_style_body_without_alert_status_or_fingerprint() -> None:
    body = (DATA / "prometheus-msteams" / "prom_post_request.json").read_bytes()

    notification = parse_notification("alertmanager", body)

    (alert,) = notification.alerts
    assert alert.status == FIRING  # the notification's
    assert alert.fingerprint == label_fingerprint(alert.labels)
    assert alert.starts_at == datetime(2018, 3, 7, 11, 33, 21, 873077, tzinfo=UTC)  # -05:00, ns
    assert alert.ends_at is None
    assert alert.source_url is None


@pytest.mark.parametrize(
    ("name", "status", "alerts"),
    [
        (
            "firing-2-alerts",
            FIRING,
            [("5d7c1c0a8f2e9b31", FIRING, None), ("c1b6e4f09a7d2e85", FIRING, None)],
        ),
        (
            "resolved-1-alert",
            RESOLVED,
            [("5d7c1c0a8f2e9b31", RESOLVED, datetime(2026, 12, 6, 3, 25, tzinfo=UTC))],
        ),
        (
            "firing-1-resolved-1",
            FIRING,
            [
                ("c1b6e4f09a7d2e85", FIRING, None),
                ("5d7c1c0a8f2e9b31", RESOLVED, datetime(2026, 12, 6, 3, 25, tzinfo=UTC)),
            ],
        ),
    ],
)
def test_grafana_notifications(
    name: str, status: str, alerts: list[tuple[str, str, datetime | None]]
) -> None:
    notification = parse_notification("grafana", (GRAFANA / f"{name}.json").read_bytes())

    assert notification.source == "grafana"
    assert notification.group_key == '{}:{alertname="HighMemoryUsage", grafana_folder="Infra"}'
    assert notification.status == status
    assert notification.truncated == 0
    assert notification.external_url == "https://grafana.example.com/"
    assert [(a.fingerprint, a.status, a.ends_at) for a in notification.alerts] == alerts
    for alert in notification.alerts:
        assert alert.starts_at == datetime(2026, 12, 6, 3, 10, tzinfo=UTC)
        assert alert.name == "HighMemoryUsage"
        assert alert.source_url is not None
        assert alert.source_url.startswith("https://grafana.example.com/alerting/grafana/")


# --- the generic format -------------------------------------------------------------


def generic(*alerts: Any, **top: Any) -> bytes:
    return json.dumps({**top, "alerts": list(alerts)}).encode()


def test_the_documented_generic_example() -> None:
    body = generic(
        {
            "name": "CheckoutLatencyHigh",
            "status": "firing",
            "labels": {"service": "checkout", "severity": "critical"},
            "annotations": {"summary": "p99 checkout latency above 2 s"},
            "starts_at": "2026-12-06T03:10:00Z",
            "ends_at": None,
            "fingerprint": "checkout-p99",
            "url": "https://grafana.example.com/d/checkout",
        },
        group_key="checkout-latency",
    )

    notification = parse_notification("generic", body)

    assert notification.source == "generic"
    assert notification.group_key == "checkout-latency"
    assert notification.status == FIRING
    (alert,) = notification.alerts
    assert alert.fingerprint == "checkout-p99"
    assert alert.name == "CheckoutLatencyHigh"
    assert alert.labels == {
        "alertname": "CheckoutLatencyHigh",
        "service": "checkout",
        "severity": "critical",
    }
    assert alert.summary == "p99 checkout latency above 2 s"
    assert alert.starts_at == datetime(2026, 12, 6, 3, 10, tzinfo=UTC)
    assert alert.source_url == "https://grafana.example.com/d/checkout"


def test_the_example_in_the_documentation_parses() -> None:
    docs = alert_payloads.__doc__ or ""
    example = docs.split("```json\n", 1)[1].split("```", 1)[0]
    assert parse_notification("generic", example.encode()).alerts[0].name == "CheckoutLatencyHigh"


def test_generic_defaults() -> None:
    body = generic(
        {"labels": {"alertname": "DiskFull", "host": "db-1"}, "starts_at": "2026-12-06T03:10:00Z"},
        {
            "name": "Backup",
            "status": "resolved",
            "starts_at": "2026-12-06T04:10:00.5+01:00",
            "ends_at": "2026-12-06T03:20:00Z",
        },
    )

    notification = parse_notification("generic", body)

    disk, backup = notification.alerts
    assert notification.group_key == "Backup,DiskFull"
    assert notification.status == FIRING
    assert disk.status == FIRING and disk.ends_at is None and disk.source_url is None
    assert disk.fingerprint == label_fingerprint({"alertname": "DiskFull", "host": "db-1"})
    assert backup.status == RESOLVED
    assert backup.starts_at == datetime(2026, 12, 6, 3, 10, 0, 500000, tzinfo=UTC)
    assert backup.ends_at == datetime(2026, 12, 6, 3, 20, tzinfo=UTC)
    assert backup.fingerprint == label_fingerprint({"alertname": "Backup"})


def test_generic_all_resolved_is_a_resolved_notification() -> None:
    body = generic({"name": "A", "status": "resolved", "starts_at": "2026-12-06T03:10:00Z"})
    assert parse_notification("generic", body).status == RESOLVED


def test_the_same_generic_body_twice_is_the_same_receipt() -> None:
    body = generic({"name": "A", "starts_at": "2026-12-06T03:10:00Z"})
    assert (
        parse_notification("generic", body).receipt_key
        == parse_notification("generic", body).receipt_key
    )


# --- malformed bodies -----------------------------------------------------------------

GOOD_ALERT = {
    "status": "firing",
    "labels": {"alertname": "A"},
    "annotations": {},
    "startsAt": "2026-12-06T02:57:15.769406Z",
    "endsAt": "0001-01-01T00:00:00Z",
    "generatorURL": "http://prometheus/graph",
    "fingerprint": "0123456789abcdef",
}


def alertmanager(*alerts: Any, **top: Any) -> bytes:
    doc = {"groupKey": "{}:{}", "status": "firing", "receiver": "warroom", "alerts": list(alerts)}
    return json.dumps({**doc, **top}).encode()


def with_alert(**fields: Any) -> bytes:
    alert = {**GOOD_ALERT, **fields}
    return alertmanager(GOOD_ALERT, GOOD_ALERT, {k: v for k, v in alert.items() if v is not ...})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "the body is not JSON"),
        (b"{not json", "the body is not JSON"),
        (b"\xff\xfe\x00garbage", "the body is not JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "the body is not JSON"),
        (b"[]", "the body is not a JSON object"),
        (b'"firing"', "the body is not a JSON object"),
        (alertmanager(GOOD_ALERT, status="pending"), "status is not firing or resolved"),
        (alertmanager(GOOD_ALERT, status=None), "status is missing"),
        (alertmanager(GOOD_ALERT, groupKey=None), "groupKey is missing"),
        (alertmanager(GOOD_ALERT, groupKey=""), "groupKey is empty"),
        (alertmanager(GOOD_ALERT, groupKey=7), "groupKey is not a string"),
        (alertmanager(GOOD_ALERT, alerts=None), "alerts is missing"),
        (alertmanager(GOOD_ALERT, alerts={}), "alerts is not a list"),
        (alertmanager(alerts=[]), "alerts is empty"),
        (alertmanager(GOOD_ALERT, truncatedAlerts=-1), "truncatedAlerts is not a count"),
        (alertmanager(GOOD_ALERT, truncatedAlerts=True), "truncatedAlerts is not a count"),
        (alertmanager(GOOD_ALERT, truncatedAlerts=1.5), "truncatedAlerts is not a count"),
        (alertmanager(GOOD_ALERT, groupLabels=[]), "groupLabels is not an object"),
        (alertmanager(GOOD_ALERT, commonLabels={"a": 1}), "commonLabels.a is not a string"),
        (alertmanager(GOOD_ALERT, externalURL=5), "externalURL is not a string"),
        (alertmanager(GOOD_ALERT, "x"), "alerts[1] is not an object"),
        (with_alert(startsAt="yesterday"), "alerts[2].startsAt is not an RFC 3339 time"),
        (with_alert(startsAt="2026-12-06"), "alerts[2].startsAt is not an RFC 3339 time"),
        (with_alert(startsAt="2026-12-06T02:57:15"), "alerts[2].startsAt is not an RFC 3339 time"),
        (with_alert(startsAt="2026-02-30T00:00:00Z"), "alerts[2].startsAt is not an RFC 3339 time"),
        (with_alert(startsAt="2026-12-06T25:00:00Z"), "alerts[2].startsAt is not an RFC 3339 time"),
        (
            with_alert(startsAt="2026-12-06T02:00:00+24:00"),
            "alerts[2].startsAt is not an RFC 3339 time",
        ),
        (
            with_alert(startsAt="0001-01-01T00:00:00+01:00"),
            "alerts[2].startsAt is not an RFC 3339 time",
        ),
        (
            with_alert(startsAt="\uff12\uff10\uff12\uff16-12-06T02:57:15Z"),  # full-width digits
            "alerts[2].startsAt is not an RFC 3339 time",
        ),
        (with_alert(startsAt=1765000000), "alerts[2].startsAt is not an RFC 3339 time"),
        (with_alert(startsAt=...), "alerts[2].startsAt is missing"),
        (with_alert(startsAt="0001-01-01T00:00:00Z"), "alerts[2].startsAt is the zero time"),
        (with_alert(endsAt="soon"), "alerts[2].endsAt is not an RFC 3339 time"),
        (with_alert(status="ok"), "alerts[2].status is not firing or resolved"),
        (with_alert(labels=...), "alerts[2].labels is missing"),
        (with_alert(labels=["a"]), "alerts[2].labels is not an object"),
        (with_alert(labels={"severity": 1}), "alerts[2].labels.severity is not a string"),
        (with_alert(labels={"a b\n": None}), 'alerts[2].labels."a b\\n" is not a string'),
        (
            with_alert(annotations={"summary": ["x"]}),
            "alerts[2].annotations.summary is not a string",
        ),
        (with_alert(fingerprint=12), "alerts[2].fingerprint is not a string"),
        (with_alert(generatorURL={}), "alerts[2].generatorURL is not a string"),
        (alertmanager(*[GOOD_ALERT] * (MAX_ALERTS + 1)), "alerts has 1001 alerts, more than 1000"),
    ],
)
def test_malformed_alertmanager_bodies(body: bytes, message: str) -> None:
    for source in ("alertmanager", "grafana"):
        with pytest.raises(AlertPayloadError) as raised:
            parse_notification(source, body)
        assert str(raised.value) == message


def generic_alert(**fields: Any) -> bytes:
    alert = {"name": "A", "starts_at": "2026-12-06T03:10:00Z", **fields}
    return generic({k: v for k, v in alert.items() if v is not ...})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (generic_alert(start_at="x"), "alerts[0].start_at is not a field of the generic format"),
        (generic(status="firing"), "status is not a field of the generic format"),
        (generic_alert(starts_at=...), "alerts[0].starts_at is missing"),
        (generic_alert(starts_at=None), "alerts[0].starts_at is missing"),
        (generic_alert(starts_at="now"), "alerts[0].starts_at is not an RFC 3339 time"),
        (generic_alert(ends_at="later"), "alerts[0].ends_at is not an RFC 3339 time"),
        (generic_alert(name=...), "alerts[0].name is missing (or give labels.alertname)"),
        (generic_alert(name=""), "alerts[0].name is empty"),
        (generic_alert(name=3), "alerts[0].name is not a string"),
        (
            generic_alert(labels={"alertname": "B"}),
            "alerts[0].name and alerts[0].labels.alertname differ",
        ),
        (generic_alert(status="acknowledged"), "alerts[0].status is not firing or resolved"),
        (generic_alert(fingerprint=""), "alerts[0].fingerprint is empty"),
        (generic_alert(url=1), "alerts[0].url is not a string"),
        (generic_alert(labels={"x": 1.5}), "alerts[0].labels.x is not a string"),
        (generic_alert(), None),
        (json.dumps({"group_key": 1, "alerts": []}).encode(), "alerts is empty"),
        (
            json.dumps(
                {"group_key": 1, "alerts": [{"name": "A", "starts_at": "2026-12-06T03:10:00Z"}]}
            ).encode(),
            "group_key is not a string",
        ),
        (json.dumps({}).encode(), "alerts is missing"),
        (generic("firing"), "alerts[0] is not an object"),
        (generic_alert(starts_at="0001-01-01T00:00:00Z"), "alerts[0].starts_at is the zero time"),
    ],
)
def test_malformed_generic_bodies(body: bytes, message: str | None) -> None:
    if message is None:
        parse_notification("generic", body)
        return
    with pytest.raises(AlertPayloadError) as raised:
        parse_notification("generic", body)
    assert str(raised.value).startswith(message)


def test_no_truncated_count_is_none_truncated() -> None:
    body = alertmanager(GOOD_ALERT, truncatedAlerts=None)
    assert parse_notification("alertmanager", body).truncated == 0


def test_an_unknown_source() -> None:
    with pytest.raises(AlertPayloadError, match="unknown alert source"):
        parse_notification("pagerduty", b"{}")


def test_an_error_is_a_value_error() -> None:
    assert issubclass(AlertPayloadError, ValueError)


# --- sizes and times ------------------------------------------------------------------


def test_overlong_values_are_clipped_not_refused() -> None:
    body = with_alert(
        labels={"alertname": "A", "long": "v" * 5000, "k" * 300: "x"},
        annotations={"description": "d" * 10_000},
    )

    alert = parse_notification("alertmanager", body).alerts[2]

    assert len(alert.labels["long"]) == MAX_LABEL_VALUE
    assert alert.labels["long"].endswith("…")
    assert len(alert.annotations["description"]) == MAX_ANNOTATION_VALUE
    assert max(len(name) for name in alert.labels) == 200


def test_an_overlong_group_key_or_fingerprint_stays_distinct() -> None:
    one = parse_notification("alertmanager", alertmanager(GOOD_ALERT, groupKey="k" * 5000 + "1"))
    two = parse_notification("alertmanager", alertmanager(GOOD_ALERT, groupKey="k" * 5000 + "2"))
    assert len(one.group_key) == len(two.group_key) == 500
    assert one.group_key != two.group_key

    long_fingerprint = with_alert(fingerprint="f" * 1000)
    assert len(parse_notification("alertmanager", long_fingerprint).alerts[2].fingerprint) == 500


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://x", "https://x/" + "a" * 3000, "", "  "]
)
def test_a_link_that_is_no_web_link_is_dropped(url: str) -> None:
    alert = parse_notification("alertmanager", with_alert(generatorURL=url)).alerts[2]
    assert alert.source_url is None


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2026-12-06T02:57:15Z", datetime(2026, 12, 6, 2, 57, 15, tzinfo=UTC)),
        ("2026-12-06t02:57:15z", datetime(2026, 12, 6, 2, 57, 15, tzinfo=UTC)),
        ("2026-12-06 02:57:15Z", datetime(2026, 12, 6, 2, 57, 15, tzinfo=UTC)),
        ("2026-12-06T02:57:15.1Z", datetime(2026, 12, 6, 2, 57, 15, 100000, tzinfo=UTC)),
        ("2026-12-06T02:57:15.769406123Z", datetime(2026, 12, 6, 2, 57, 15, 769406, tzinfo=UTC)),
        ("2026-12-06T02:57:15.999999999Z", datetime(2026, 12, 6, 2, 57, 15, 999999, tzinfo=UTC)),
        ("2026-12-06T04:57:15+02:00", datetime(2026, 12, 6, 2, 57, 15, tzinfo=UTC)),
        ("2026-12-05T21:27:15-05:30", datetime(2026, 12, 6, 2, 57, 15, tzinfo=UTC)),
        ("2026-12-06T02:57:15-00:00", datetime(2026, 12, 6, 2, 57, 15, tzinfo=UTC)),
    ],
)
def test_times_are_utc(text: str, moment: datetime) -> None:
    alert = parse_notification("alertmanager", with_alert(startsAt=text, endsAt=text)).alerts[2]
    assert alert.starts_at == moment == alert.ends_at
    assert alert.starts_at.utcoffset() is not None
    assert alert.starts_at.tzinfo is UTC


@pytest.mark.parametrize("ends_at", ["0001-01-01T00:00:00Z", "", None])
def test_no_end_time(ends_at: str | None) -> None:
    assert parse_notification("alertmanager", with_alert(endsAt=ends_at)).alerts[2].ends_at is None


# --- whatever the body, the answer is a Notification or an AlertPayloadError ------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
FIELDS = st.sampled_from(
    [
        "groupKey",
        "group_key",
        "status",
        "alerts",
        "labels",
        "startsAt",
        "starts_at",
        "name",
        "truncatedAlerts",
        "endsAt",
        "fingerprint",
        "annotations",
        "commonLabels",
    ]
)
ALERTISH = st.dictionaries(
    FIELDS, JSON | st.sampled_from(["firing", "2026-12-06T02:57:15Z"]), max_size=8
)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(
    source=st.sampled_from(["alertmanager", "grafana", "generic"]),
    top=st.dictionaries(FIELDS, JSON | st.lists(ALERTISH, max_size=3), max_size=6),
)
def test_any_json_object_parses_or_says_why(source: str, top: dict[str, Any]) -> None:
    try:
        notification = parse_notification(source, json.dumps(top).encode())
    except AlertPayloadError as error:
        assert str(error) and "\n" not in str(error)
    else:
        assert notification.alerts
        assert all(a.starts_at.tzinfo is UTC for a in notification.alerts)


@settings(max_examples=200, deadline=None)
@given(body=st.binary(max_size=200))
def test_any_bytes_parse_or_say_why(body: bytes) -> None:
    for source in ("alertmanager", "grafana", "generic"):
        with contextlib.suppress(AlertPayloadError):
            parse_notification(source, body)
