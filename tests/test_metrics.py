"""`GET /metrics`, through the real ASGI app, read with the Prometheus client's own parser:
off unless enabled, the bearer token, Slack calls and errors per method and code,
request latency per kind, open incidents per severity, the scheduler's backlog."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from importlib.metadata import version
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from fakeslack import event_callback, url_verification
from tests.harness import Clock, Harness, start_harness
from tests.test_lifecycle import resolve
from warroom.config import ConfigError, Settings, load_settings
from warroom.metrics import Metrics
from warroom.runtime import build_runtime
from warroom.store import jobs
from warroom.web.asgi import create_asgi_app
from warroom.web.metrics import request_kind
from warroom.web.server import serve_locally

TOKEN = "0f8e2a9c4b7d6e5f1a3c5e7f9b1d3f5a"


@contextlib.asynccontextmanager
async def with_metrics(
    database_url: str, clock: Clock, token: str | None = None
) -> AsyncIterator[Harness]:
    async with start_harness(
        database_url, clock, metrics_enabled=True, metrics_token=token
    ) as running:
        yield running


async def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as response:
        return response.status, dict(response.headers), await response.text()


def metrics_url(harness: Harness) -> str:
    return harness.url.removesuffix("/slack/events") + "/metrics"


async def scrape(harness: Harness, token: str | None = None) -> list[Sample]:
    headers = {"Authorization": f"Bearer {token}"} if token else None
    status, response_headers, text = await get(metrics_url(harness), headers)
    assert status == 200, text
    assert response_headers["Content-Type"].startswith("text/plain")
    return [s for family in text_string_to_metric_families(text) for s in family.samples]


def value(samples: list[Sample], name: str, **labels: str) -> float | None:
    found = [s.value for s in samples if s.name == name and s.labels == labels]
    assert len(found) <= 1
    return found[0] if found else None


async def test_off_unless_enabled(harness: Harness) -> None:
    status, _, _ = await get(metrics_url(harness))
    assert status == 404


async def test_the_token_is_required_when_set(database_url: str, clock: Clock) -> None:
    async with with_metrics(database_url, clock, token=TOKEN) as harness:
        url = metrics_url(harness)
        for headers in (
            None,
            {"Authorization": "Bearer not-the-token"},
            {"Authorization": f"Bearer {TOKEN}x"},
            {"Authorization": f"Basic {TOKEN}"},
            {"Authorization": TOKEN},
        ):
            status, response_headers, text = await get(url, headers)
            assert status == 401, headers
            assert response_headers["WWW-Authenticate"].startswith("Bearer")
            assert "warroom_" not in text

        samples = await scrape(harness, TOKEN)
        assert value(samples, "warroom_build_info", version=version("warroom")) == 1
        assert value(samples, "warroom_database_up") == 1


async def test_slack_calls_and_errors_per_method_and_code(database_url: str, clock: Clock) -> None:
    async with with_metrics(database_url, clock) as harness:
        harness.slack.fail("conversations.setTopic", "too_long")
        await harness.declare()
        await harness.settle()
        samples = await scrape(harness)

    calls = "warroom_slack_api_calls_total"
    errors = "warroom_slack_api_errors_total"
    slack = harness.slack
    for method in ("conversations.create", "chat.postMessage", "views.open"):
        assert value(samples, calls, method=method) == len(slack.calls_to(method)) > 0, method
    assert value(samples, calls, method="conversations.setTopic") == 1
    assert value(samples, errors, method="conversations.setTopic", error="too_long") == 1
    assert value(samples, errors, method="conversations.create", error="too_long") is None
    assert value(samples, calls, method="response_url") == len(slack.calls_to("response_url"))
    duration = "warroom_slack_api_call_duration_seconds_count"
    assert value(samples, duration, method="conversations.create") == 1


async def test_request_latency_per_kind(database_url: str, clock: Clock) -> None:
    async with with_metrics(database_url, clock) as harness:
        incident = await harness.declare()
        await resolve(harness, incident, "Rolled back")
        message = {"type": "message", "channel": incident.channel_id, "user": "UREPORTER1"}
        assert (await harness.post(*event_callback({**message, "text": "hi", "ts": "1.1"})))[
            0
        ] == 200
        assert (await harness.post(*url_verification("challenge")))[0] == 200
        samples = await scrape(harness)

    histogram = "warroom_slack_request_duration_seconds"
    counts = {
        kind: value(samples, f"{histogram}_count", kind=kind)
        for kind in ("slash_command", "view_submission", "block_actions", "event")
    }
    assert counts == {"slash_command": 1, "view_submission": 2, "block_actions": 1, "event": 1}
    assert value(samples, f"{histogram}_count", kind="url_verification") == 1
    assert value(samples, f"{histogram}_count", kind="view_closed") == 0
    assert (value(samples, f"{histogram}_sum", kind="view_submission") or 0) > 0
    buckets = [s for s in samples if s.name == f"{histogram}_bucket"]
    assert {s.labels["kind"] for s in buckets} >= set(counts)
    assert not [s for s in samples if "Checkout" in str(s.labels)], "no user text as a label"


@pytest.mark.both_databases
async def test_open_incidents_per_severity_and_the_scheduler_backlog(
    database_url: str, clock: Clock
) -> None:
    async with with_metrics(database_url, clock) as harness:
        sev1 = await harness.declare(title="Payments down", severity="SEV1")
        await harness.declare(title="Payroll leak", severity="SEV2", private=["private"])
        resolved = await harness.declare(title="Search slow", severity="SEV2")
        await resolve(harness, resolved, "Reindexed")
        await harness.declare(title="Typo on the status page", severity="SEV4")
        samples = await scrape(harness)
        text = (await get(metrics_url(harness)))[2]

        open_ = "warroom_open_incidents"
        assert {
            severity: value(samples, open_, severity=severity)
            for severity in ("SEV1", "SEV2", "SEV3", "SEV4")
        } == {"SEV1": 1, "SEV2": 1, "SEV3": 0, "SEV4": 1}
        assert "Payroll" not in text and "Payments" not in text

        await harness.tick()  # what fell due at once (the postmortem draft) is done
        samples = await scrape(harness)
        assert value(samples, "warroom_scheduler_due_jobs") == len(await due_now(harness)) == 0
        assert value(samples, "warroom_scheduler_lag_seconds") == 0

        harness.clock.advance(hours=3)  # reminders fall due; nobody ticks
        due = await due_now(harness)
        assert len(due) >= 2, "declaring planned reminders"
        samples = await scrape(harness)
        assert value(samples, "warroom_scheduler_due_jobs") == len(due)
        lag = harness.clock() - min(due)
        assert value(samples, "warroom_scheduler_lag_seconds") == lag.total_seconds()
        assert lag > timedelta(hours=2)

        await harness.tick()  # runs them; the repeats it plans fall due now, not hours ago
        samples = await scrape(harness)
        assert value(samples, "warroom_scheduler_due_jobs") == len(await due_now(harness))
        assert value(samples, "warroom_scheduler_lag_seconds") == 0
        assert value(samples, open_, severity="SEV1") == 1, sev1.reference


async def due_now(harness: Harness) -> list[Any]:
    """When each pending job that is due now fell due, read straight from the store."""
    now = harness.clock()
    async with harness.runtime.store.read() as session:
        ids = [i.id for i in await harness.incidents()]
        pending = [job for incident_id in ids for job in await jobs.pending(session, incident_id)]
    return [job.due_at for job in pending if job.due_at <= now]


async def test_a_scrape_answers_while_the_database_is_down() -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token="xoxb-x",
        slack_signing_secret="s",
        database_url="postgresql+asyncpg://postgres@127.0.0.1:1/nowhere",
        metrics_enabled=True,
    )
    runtime = build_runtime(settings)
    async with serve_locally(create_asgi_app(runtime)) as base:
        status, _, text = await get(f"{base}/metrics")
    await runtime.close()
    assert status == 200
    samples = [s for f in text_string_to_metric_families(text) for s in f.samples]
    assert value(samples, "warroom_database_up") == 0
    assert not [s for s in samples if s.name == "warroom_open_incidents"]
    assert value(samples, "warroom_build_info", version=version("warroom")) == 1


def test_each_runtime_has_its_own_registry() -> None:
    first, second = Metrics(), Metrics()
    first.slack_call("chat.postMessage", None, 0.01)
    first.slack_call("chat.postMessage", "ratelimited", 0.01)
    assert (
        first.registry.get_sample_value(
            "warroom_slack_api_calls_total", {"method": "chat.postMessage"}
        )
        == 2
    )
    assert (
        second.registry.get_sample_value(
            "warroom_slack_api_calls_total", {"method": "chat.postMessage"}
        )
        is None
    )


def test_an_error_that_is_not_a_slack_code_is_not_a_label() -> None:
    metrics = Metrics()
    metrics.slack_call("response_url", "<html>Bad gateway for U123 'Checkout'</html>", 0.2)
    metrics.slack_call("chat.postMessage", "http_503", 0.2)
    errors = "warroom_slack_api_errors_total"
    registry = metrics.registry
    assert registry.get_sample_value(errors, {"method": "response_url", "error": "other"}) == 1
    assert registry.get_sample_value(errors, {"method": "chat.postMessage", "error": "http_503"})


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ({"command": "/incident", "text": "declare"}, "slash_command"),
        ({"type": "block_actions"}, "block_actions"),
        ({"type": "view_submission"}, "view_submission"),
        ({"type": "view_closed"}, "view_closed"),
        ({"type": "shortcut"}, "shortcut"),
        ({"type": "event_callback", "event": {"type": "message"}}, "event"),
        ({"type": "url_verification"}, "url_verification"),
        ({"type": "Checkout returns 500s"}, "other"),
        ({"type": ["block_actions"]}, "other"),
        ([], "other"),
    ],
)
def test_request_kinds_are_slack_s_never_the_sender_s(body: Any, kind: str) -> None:
    assert request_kind(body) == kind


def test_the_settings_are_off_and_without_a_token_by_default() -> None:
    settings = load_settings(_env_file=None, metrics_token="  ")
    assert settings.metrics_enabled is False and settings.metrics_token is None
    with pytest.raises(ConfigError) as refused:
        load_settings(_env_file=None, metrics_enabled="true", metrics_token="two words")
    assert str(refused.value).startswith("METRICS_TOKEN ") and "two words" not in str(refused.value)
