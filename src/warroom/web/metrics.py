"""`GET /metrics`: Warroom's Prometheus metrics, for the people who run it.

Mounted only when METRICS_ENABLED is true (otherwise the path is a 404 like any
other). With METRICS_TOKEN set, a scrape must carry `Authorization: Bearer
<token>`, compared in constant time on the raw header bytes before anything else
happens; without it the answer is 401 and nothing is read from the store.

Each scrape first reads the store's figures (open incidents per severity, the
scheduler's backlog and lag) through `runtime.vitals`, then answers with
prometheus-client's own exposition, which picks the text format the scraper asks
for (Prometheus text or OpenMetrics) and gzips when asked.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Mapping
from typing import Any

from prometheus_client import make_asgi_app
from starlette.responses import JSONResponse
from starlette.types import Receive, Scope, Send

from warroom.metrics import REQUEST_KINDS, Metrics
from warroom.services.vitals import Vitals

__all__ = ["SCRAPE_QUERY_TIMEOUT_S", "MetricsEndpoint", "request_kind"]

log = logging.getLogger(__name__)

SCRAPE_QUERY_TIMEOUT_S = 5.0
"""The store's figures must come within this (Prometheus's own scrape timeout is 10 s by
default); if they do not, the scrape still answers, with `warroom_database_up 0`."""

_INTERACTIONS = frozenset(REQUEST_KINDS) - {"slash_command", "event", "other", "malformed"}


def request_kind(body: Any) -> str:
    """What kind of Slack request Bolt read: a REQUEST_KINDS value, never request text."""
    if not isinstance(body, Mapping):
        return "other"
    if "command" in body:
        return "slash_command"
    kind = body.get("type")
    if kind == "event_callback":
        return "event"
    return str(kind) if isinstance(kind, str) and kind in _INTERACTIONS else "other"


class MetricsEndpoint:
    """The ASGI app behind `GET /metrics`."""

    def __init__(self, metrics: Metrics, vitals: Vitals, *, token: str | None) -> None:
        self._metrics = metrics
        self._vitals = vitals
        self._token = token.encode() if token is not None else None
        self._exposition = make_asgi_app(registry=metrics.registry)
        self._database_answered = True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._authorized(scope):
            refusal = JSONResponse(
                {"error": "unauthorized"},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="warroom metrics"'},
            )
            await refusal(scope, receive, send)
            return
        await self._read_vitals()
        await self._exposition(scope, receive, send)

    def _authorized(self, scope: Scope) -> bool:
        if self._token is None:
            return True
        given = next((value for name, value in scope["headers"] if name == b"authorization"), b"")
        scheme, _, credentials = bytes(given).partition(b" ")
        matches = hmac.compare_digest(credentials.strip(), self._token)
        return scheme.lower() == b"bearer" and matches

    async def _read_vitals(self) -> None:
        try:
            async with asyncio.timeout(SCRAPE_QUERY_TIMEOUT_S):
                signs = await self._vitals.read()
        except Exception as error:  # the database is down or slow: still answer the scrape
            if self._database_answered:
                log.warning(
                    "/metrics: the database did not answer (%s); reporting "
                    "warroom_database_up 0 until it does",
                    type(error).__name__,
                )
            self._database_answered = False
            self._metrics.vitals(None)
            return
        self._database_answered = True
        self._metrics.vitals(signs)
