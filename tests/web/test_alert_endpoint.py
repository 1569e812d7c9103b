"""`POST /alerts/{source}` over real HTTP: a Starlette app made of `alert_routes` (behind
the app-wide body cap, as in `create_asgi_app`), a recording receiver and metrics."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware

from warroom.config import ConfigError, Settings, load_settings
from warroom.domain.alerts import Notification
from warroom.domain.clock import ManualClock
from warroom.web.alerts import alert_routes
from warroom.web.bounded_body import MAX_BODY_BYTES, BoundedBody
from warroom.web.server import serve_locally

DATA = Path(__file__).parents[1] / "data" / "alerts"
CAPTURED = DATA / "alertmanager-0.25.0-captured"
GRAFANA = DATA / "grafana-constructed"
VECTOR = json.loads((GRAFANA / "hmac-test-vector.json").read_text())
AM_TOKEN = "alertmanager-token-0123456789"
GENERIC_TOKEN = "generic-token-0123456789abcdef"
GENERIC_SECRET = "generic-secret-0123456789abcdef"
SIGNED_AT = datetime.fromtimestamp(int(VECTOR["with_timestamp"]["timestamp"]), UTC)


class RecordingReceiver:
    def __init__(self) -> None:
        self.received: list[Notification] = []
        self.keys: set[str] = set()
        self.failure: Exception | None = None

    async def receive(self, notification: Notification) -> bool:
        if self.failure is not None:
            raise self.failure
        self.received.append(notification)
        new = notification.receipt_key not in self.keys
        self.keys.add(notification.receipt_key)
        return new


class RecordingMetrics:
    def __init__(self) -> None:
        self.requests: list[tuple[str, int]] = []

    def alert_request(self, source: str, status: int, seconds: float) -> None:
        assert seconds >= 0
        self.requests.append((source, status))


class Site:
    def __init__(self, base: str, receiver: RecordingReceiver, metrics: RecordingMetrics) -> None:
        self.base = base
        self.receiver = receiver
        self.metrics = metrics

    async def post(
        self, path: str, body: bytes, headers: dict[str, str] | None = None, method: str = "POST"
    ) -> tuple[int, Any]:
        async with (
            aiohttp.ClientSession() as session,
            session.request(method, self.base + path, data=body, headers=headers) as response,
        ):
            text = await response.text()
            is_json = response.content_type == "application/json"
            return response.status, json.loads(text) if is_json else text


def settings(**secrets: str) -> Settings:
    return load_settings(_env_file=None, **secrets)


@contextlib.asynccontextmanager
async def serve(config: Settings, clock: ManualClock) -> AsyncIterator[Site]:
    receiver, metrics = RecordingReceiver(), RecordingMetrics()
    app = Starlette(
        routes=alert_routes(config, receiver, metrics, clock=clock),
        middleware=[Middleware(BoundedBody, max_bytes=MAX_BODY_BYTES, read_timeout_s=5.0)],
    )
    async with serve_locally(app) as base:
        yield Site(base, receiver, metrics)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(SIGNED_AT)


@pytest.fixture
async def site(clock: ManualClock) -> AsyncIterator[Site]:
    config = settings(
        alertmanager_token=AM_TOKEN,
        grafana_alert_hmac_secret=VECTOR["secret"],
        generic_alert_token=GENERIC_TOKEN,
        generic_alert_hmac_secret=GENERIC_SECRET,
    )
    async with serve(config, clock) as served:
        yield served


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}


def captured(name: str) -> bytes:
    return (CAPTURED / f"{name}.json").read_bytes()


async def test_an_alertmanager_notification_is_received_once(site: Site) -> None:
    body = captured("02-firing-grouped-3-alerts")

    first = await site.post("/alerts/alertmanager", body, bearer(AM_TOKEN))
    again = await site.post("/alerts/alertmanager", body, bearer(AM_TOKEN))

    assert first == (200, {"ok": True, "alerts": 3, "duplicate": False})
    assert again == (200, {"ok": True, "alerts": 3, "duplicate": True})
    notification = site.receiver.received[0]
    assert notification.source == "alertmanager"
    assert notification.group_key == '{}:{alertname="InstanceDown", service="api"}'
    assert site.metrics.requests == [("alertmanager", 200), ("alertmanager", 200)]


async def test_grafana_signed_with_and_without_a_timestamp(site: Site, clock: ManualClock) -> None:
    body = (GRAFANA / VECTOR["body_file"]).read_bytes()
    plain = {"X-Grafana-Alerting-Signature": VECTOR["without_timestamp"]["signature"]}
    stamped = {
        "X-Grafana-Alerting-Signature": VECTOR["with_timestamp"]["signature"],
        "X-Grafana-Alerting-Timestamp": VECTOR["with_timestamp"]["timestamp"],
    }

    assert (await site.post("/alerts/grafana", body, plain))[0] == 200
    assert (await site.post("/alerts/grafana", body, stamped))[1]["duplicate"] is True
    clock.advance(minutes=6)
    status, answer = await site.post("/alerts/grafana", body, stamped)

    assert status == 401
    assert "5 minutes" in answer["error"]
    assert len(site.receiver.received) == 2


async def test_generic_with_a_token_or_a_signature(site: Site, clock: ManualClock) -> None:
    body = json.dumps(
        {"alerts": [{"name": "Backup", "starts_at": "2026-12-06T03:10:00Z"}]}
    ).encode()
    timestamp = str(int(clock().timestamp()))
    digest = hmac.new(GENERIC_SECRET.encode(), f"{timestamp}:".encode() + body, hashlib.sha256)
    signed = {
        "X-Warroom-Timestamp": timestamp,
        "X-Warroom-Signature": f"sha256={digest.hexdigest()}",
    }

    assert await site.post("/alerts/generic", body, bearer(GENERIC_TOKEN)) == (
        200,
        {"ok": True, "alerts": 1, "duplicate": False},
    )
    assert (await site.post("/alerts/generic", body, signed))[1]["duplicate"] is True
    assert site.receiver.received[0].group_key == "Backup"


async def test_unknown_source(site: Site) -> None:
    status, answer = await site.post("/alerts/pagerduty", b"{}", bearer(AM_TOKEN))
    assert status == 404
    assert answer == {"error": "unknown alert source (use one of alertmanager, grafana, generic)"}
    assert site.metrics.requests == []


async def test_a_source_without_secrets_is_switched_off(clock: ManualClock) -> None:
    async with serve(settings(alertmanager_token=AM_TOKEN), clock) as site:
        body = (GRAFANA / VECTOR["body_file"]).read_bytes()
        headers = {"X-Grafana-Alerting-Signature": VECTOR["without_timestamp"]["signature"]}

        status, answer = await site.post("/alerts/grafana", body, headers)

        assert (status, answer) == (404, {"error": "alert source grafana is not configured"})
        assert (await site.post("/alerts/generic", b"{}"))[0] == 404
        assert site.receiver.received == []


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {AM_TOKEN}"},
        {"Authorization": f"Bearer {GENERIC_TOKEN}"},  # another source's
    ],
)
async def test_without_the_right_token_the_body_is_not_parsed(
    site: Site, headers: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)

    status, answer = await site.post("/alerts/alertmanager", b"not even json", headers)

    assert status == 401
    assert answer["error"]  # why, for whoever sets the sender up
    assert "JSON" not in answer["error"]
    assert site.receiver.received == []
    assert "not even json" not in caplog.text


async def test_a_malformed_body_is_400_with_the_field(site: Site) -> None:
    doc = json.loads(captured("02-firing-grouped-3-alerts"))
    doc["alerts"][2]["startsAt"] = "yesterday"

    status, answer = await site.post(
        "/alerts/alertmanager", json.dumps(doc).encode(), bearer(AM_TOKEN)
    )

    assert (status, answer) == (400, {"error": "alerts[2].startsAt is not an RFC 3339 time"})
    assert site.receiver.received == []


async def test_a_store_failure_is_503_so_the_sender_retries(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    site.receiver.failure = ConnectionRefusedError("database at 10.0.0.5 is down")
    body = captured("01-firing-single")

    status, answer = await site.post("/alerts/alertmanager", body, bearer(AM_TOKEN))

    assert status == 503
    assert "try again" in answer["error"]
    assert "ConnectionRefusedError" in caplog.text
    site.receiver.failure = None
    assert (await site.post("/alerts/alertmanager", body, bearer(AM_TOKEN)))[0] == 200


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_only_post(site: Site, method: str) -> None:
    status, _ = await site.post("/alerts/alertmanager", b"", bearer(AM_TOKEN), method=method)
    assert status == 405


async def test_the_app_wide_body_cap_applies(site: Site) -> None:
    status, answer = await site.post(
        "/alerts/alertmanager", b" " * (MAX_BODY_BYTES + 1), bearer(AM_TOKEN)
    )
    assert (status, answer) == (413, {"error": "request body too large"})


async def test_the_log_has_source_outcome_and_count_never_the_body(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="warroom.web.alerts")
    doc = json.loads(captured("01-firing-single"))
    doc["alerts"][0]["annotations"]["summary"] = "SECRET-MARKER"

    await site.post("/alerts/alertmanager", json.dumps(doc).encode(), bearer(AM_TOKEN))
    doc["status"] = "bogus"
    await site.post("/alerts/alertmanager", json.dumps(doc).encode(), bearer(AM_TOKEN))
    await site.post("/alerts/alertmanager", json.dumps(doc).encode(), bearer("wrong"))

    messages = [record.getMessage() for record in caplog.records]
    assert "alerts from alertmanager: firing notification, 1 alert(s), new" in messages
    assert any("malformed notification: status is not firing or resolved" in m for m in messages)
    assert any("refused 1 request(s) without valid credentials" in m for m in messages)
    assert "SECRET-MARKER" not in caplog.text
    assert AM_TOKEN not in caplog.text


async def test_refusals_are_logged_once_a_minute(
    site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="warroom.web.alerts")
    for _ in range(5):
        assert (await site.post("/alerts/alertmanager", b"{}", bearer("wrong")))[0] == 401
    refusals = [r for r in caplog.records if "without valid credentials" in r.getMessage()]
    assert len(refusals) == 1


async def test_generic_timestamps_are_checked_against_the_clock(
    site: Site, clock: ManualClock
) -> None:
    body = json.dumps({"alerts": [{"name": "A", "starts_at": "2026-12-06T03:10:00Z"}]}).encode()
    old = str(int((clock() - timedelta(minutes=10)).timestamp()))
    digest = hmac.new(GENERIC_SECRET.encode(), f"{old}:".encode() + body, hashlib.sha256)
    headers = {"X-Warroom-Timestamp": old, "X-Warroom-Signature": f"sha256={digest.hexdigest()}"}

    status, answer = await site.post("/alerts/generic", body, headers)

    assert status == 401 and "5 minutes" in answer["error"]


def test_alert_secrets_are_optional_and_checked() -> None:
    blank = load_settings(_env_file=None, grafana_alert_token="  ")
    assert blank.grafana_alert_token is None
    with pytest.raises(ConfigError) as short:
        load_settings(_env_file=None, generic_alert_hmac_secret="hunter2")
    assert str(short.value).startswith(
        "GENERIC_ALERT_HMAC_SECRET is shorter than 16 characters: use a random string"
    )
    with pytest.raises(ConfigError, match="ALERTMANAGER_TOKEN has spaces"):
        load_settings(_env_file=None, alertmanager_token="two words of a long token")
