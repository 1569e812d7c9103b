"""`POST /alerts/{source}`: alert notifications from Alertmanager, Grafana or anything
speaking Warroom's generic JSON (`warroom.domain.alert_payloads`).

Each request is authenticated on its raw bytes (`warroom.web.alert_auth`) before
anything parses it. The answers are chosen for the senders' retry rules
(Alertmanager retries a 5xx and gives up on any other code):

- 404 for a source that does not exist, or has no token or secret configured;
- 401 without the right credential, saying what was wrong (the body is not parsed);
- 400 for a body that is not a notification, saying which field is wrong;
- 503 when the notification could not be stored (the database is down), so the
  sender tries again;
- 200 `{"ok": true, "alerts": n, "duplicate": bool}` otherwise; `duplicate` is
  true for a notification already received (a resend, or the other half of an
  Alertmanager HA pair), which changes nothing.

The body is never logged: only the source, the outcome and the number of alerts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Protocol

from pydantic import SecretStr
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from warroom.config import Settings
from warroom.domain.alert_payloads import AlertPayloadError, parse_notification
from warroom.domain.alerts import SOURCES, Notification
from warroom.domain.clock import Clock, system_clock
from warroom.web.alert_auth import SourceSecrets, authenticate

__all__ = ["AlertReceiver", "RequestMetrics", "alert_routes", "source_secrets"]

log = logging.getLogger(__name__)


class AlertReceiver(Protocol):
    async def receive(self, notification: Notification) -> bool:
        """Store the notification: True if it is new, False for a resend already stored."""
        ...


class RequestMetrics(Protocol):
    def alert_request(self, source: str, status: int, seconds: float) -> None: ...


def source_secrets(settings: Settings) -> dict[str, SourceSecrets]:
    """Each source's credentials from the settings; a source with none is switched off."""
    return {
        "alertmanager": SourceSecrets(token=_reveal(settings.alertmanager_token)),
        "grafana": SourceSecrets(
            token=_reveal(settings.grafana_alert_token),
            hmac_secret=_reveal(settings.grafana_alert_hmac_secret),
        ),
        "generic": SourceSecrets(
            token=_reveal(settings.generic_alert_token),
            hmac_secret=_reveal(settings.generic_alert_hmac_secret),
        ),
    }


def alert_routes(
    settings: Settings,
    receiver: AlertReceiver,
    metrics: RequestMetrics,
    *,
    clock: Clock = system_clock,
) -> list[Route]:
    secrets = source_secrets(settings)
    refusals = _RefusalLog()

    async def receive_alerts(request: Request) -> Response:
        source = request.path_params["source"]
        if source not in SOURCES:
            return _error(404, f"unknown alert source (use one of {', '.join(SOURCES)})")
        if not secrets[source].configured:
            return _error(404, f"alert source {source} is not configured")
        started = time.perf_counter()
        answer = await _answer(source, request)
        metrics.alert_request(source, answer.status_code, time.perf_counter() - started)
        return answer

    async def _answer(source: str, request: Request) -> Response:
        body = await request.body()
        verdict = authenticate(source, body, request.headers, secrets[source], clock())
        if not verdict.ok:
            refusals.add(source, verdict.reason)
            return _error(401, verdict.reason)
        try:
            notification = parse_notification(source, body)
        except AlertPayloadError as error:
            log.warning("alerts from %s: refused a malformed notification: %s", source, error)
            return _error(400, str(error))
        count = len(notification.alerts)
        try:
            new = await receiver.receive(notification)
        except Exception as error:  # the store is down: the sender retries a 5xx
            log.error(
                "alerts from %s: could not store %d alert(s) (%s); answered 503 so the "
                "sender retries",
                source,
                count,
                type(error).__name__,
            )
            return _error(503, "could not store the notification; try again")
        log.debug(
            "alerts from %s: %s notification, %d alert(s), %s",
            source,
            notification.status,
            count,
            "new" if new else "a duplicate",
        )
        return JSONResponse({"ok": True, "alerts": count, "duplicate": not new})

    return [Route("/alerts/{source}", receive_alerts, methods=["POST"])]


def _error(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status_code=status)


def _reveal(secret: SecretStr | None) -> str | None:
    return secret.get_secret_value() if secret is not None else None


class _RefusalLog:
    """The first refusal of each source is logged with its reason, then at most one line a
    minute with the count: a misconfigured sender shows at once, a flood costs no log space."""

    def __init__(self, every_s: float = 60.0, now: Callable[[], float] = time.monotonic) -> None:
        self.every_s = every_s
        self.now = now
        self.counts: dict[str, int] = {}
        self.logged_at: dict[str, float] = {}

    def add(self, source: str, reason: str) -> None:
        self.counts[source] = self.counts.get(source, 0) + 1
        now = self.now()
        last = self.logged_at.get(source)
        if last is None or now - last >= self.every_s:
            log.warning(
                "alerts from %s: refused %d request(s) without valid credentials (last: %s)",
                source,
                self.counts[source],
                reason,
            )
            self.counts[source], self.logged_at[source] = 0, now
