"""Warroom's Prometheus metrics, on a registry of their own (one per runtime, never the
library's global one, so two apps in one process, or a test after another, never
share or clash).

The runtime builds one `Metrics` and hands its recorders to what measures:
the gateway reports every Slack call (`slack_call`), the ASGI app every Slack
request (`request`), and `/metrics` the store's figures at scrape time
(`vitals`). Labels are only ever values Warroom chose (a request kind, a Web API
method, a severity key) or Slack's own error codes, never text a person typed.
"""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    Info,
    PlatformCollector,
    ProcessCollector,
)

from warroom.services.vitals import VitalSigns

__all__ = ["REQUEST_KINDS", "Metrics", "build_version"]

REQUEST_KINDS = (
    "slash_command",
    "block_actions",
    "block_suggestion",
    "view_submission",
    "view_closed",
    "shortcut",
    "message_action",
    "event",
    "url_verification",
    "other",
    "malformed",
)
"""What Slack sends to `/slack/events`, as the request histogram labels it: the slash
command, each interaction payload's `type`, Events API callbacks, the URL check;
`other` for anything else Bolt was given, `malformed` for a signed body Bolt cannot
read."""

_ERROR_CODE = re.compile(r"^[a-z0-9_.]{1,64}$")
OTHER_ERROR = "other"
"""The label of an error that is not a Slack error code (a response_url answering with
an HTML page, say): its text could be anything, so it is never a label."""


def build_version() -> str:
    """The version `warroom --version` prints: the installed package's (pyproject's)."""
    try:
        return version("warroom")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


class Metrics:
    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        GCCollector(registry=registry)
        Info("warroom_build", "The Warroom version running.", registry=registry).info(
            {"version": build_version()}
        )
        self._requests = Histogram(
            "warroom_slack_request_duration_seconds",
            "Time from a signed Slack request reaching Warroom to its answer, by kind.",
            ["kind"],
            registry=registry,
        )
        for kind in REQUEST_KINDS:
            self._requests.labels(kind)
        self._alert_requests = Histogram(
            "warroom_alert_request_duration_seconds",
            "Time from an alert webhook request reaching Warroom to its answer, by source "
            "and HTTP status (200 stored or a resend, 401 refused, 400 malformed, 503 not "
            "stored).",
            ["source", "status"],
            registry=registry,
        )
        self._slack_calls = Counter(
            "warroom_slack_api_calls",
            "Slack Web API calls (and response_url posts) made, after the SDK's own retries.",
            ["method"],
            registry=registry,
        )
        self._slack_errors = Counter(
            "warroom_slack_api_errors",
            "Slack calls that failed, by method and Slack's error code "
            "(http_NNN: an HTTP status; unreachable: no answer in SLACK_TIMEOUT).",
            ["method", "error"],
            registry=registry,
        )
        self._slack_seconds = Histogram(
            "warroom_slack_api_call_duration_seconds",
            "Time one Slack call took, retries included.",
            ["method"],
            registry=registry,
        )
        self._open_incidents = Gauge(
            "warroom_open_incidents",
            "Incidents not yet resolved, by severity (private ones counted).",
            ["severity"],
            registry=registry,
        )
        self._due_jobs = Gauge(
            "warroom_scheduler_due_jobs",
            "Scheduler jobs due now that no replica has claimed.",
            registry=registry,
        )
        self._lag = Gauge(
            "warroom_scheduler_lag_seconds",
            "How long the longest-waiting unclaimed due job has been due (0 when none is).",
            registry=registry,
        )
        self._database_up = Gauge(
            "warroom_database_up",
            "1 if the database answered this scrape's queries, else 0 "
            "(the incident figures are then absent, the scheduler's NaN).",
            registry=registry,
        )

    def request(self, kind: str, seconds: float) -> None:
        """A Slack request answered after `seconds`; `kind` is one of REQUEST_KINDS."""
        self._requests.labels(kind if kind in REQUEST_KINDS else "other").observe(seconds)

    def alert_request(self, source: str, status: int, seconds: float) -> None:
        """An alert webhook request from `source` answered with `status` after `seconds`."""
        self._alert_requests.labels(source, str(status)).observe(seconds)

    def slack_call(self, method: str, error: str | None, seconds: float) -> None:
        """A Slack call that took `seconds` and succeeded (`error` None) or failed."""
        self._slack_calls.labels(method).inc()
        self._slack_seconds.labels(method).observe(seconds)
        if error is not None:
            code = error if _ERROR_CODE.match(error) else OTHER_ERROR
            self._slack_errors.labels(method, code).inc()

    def vitals(self, signs: VitalSigns | None) -> None:
        """The store's figures as just read; None when the database did not answer."""
        self._open_incidents.clear()
        if signs is None:
            self._database_up.set(0)
            self._due_jobs.set(float("nan"))
            self._lag.set(float("nan"))
            return
        self._database_up.set(1)
        for severity, count in signs.open_incidents.items():
            self._open_incidents.labels(severity).set(count)
        self._due_jobs.set(signs.due_jobs)
        self._lag.set(signs.lag.total_seconds())
