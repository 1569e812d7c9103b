"""The ASGI app: Slack's request URL, a health check, alert intake, and (when
enabled) Prometheus metrics. Whoever runs it closes the runtime."""

from __future__ import annotations

import logging
import time
from urllib.parse import parse_qsl

from slack_bolt.adapter.starlette.async_handler import to_async_bolt_request, to_starlette_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, request_response

from warroom.bolt.app import build_bolt_app
from warroom.bolt.deliveries import CLAIMED, Finisher
from warroom.runtime import Runtime
from warroom.web.alerts import alert_routes
from warroom.web.bounded_body import MAX_BODY_BYTES, BoundedBody
from warroom.web.metrics import MetricsEndpoint, request_kind
from warroom.web.signin import session_middleware, signin_routes
from warroom.web.slack_signature import SlackSignatureRequired
from warroom.web.status_page import status_page_routes
from warroom.web.ui import ui_routes

__all__ = ["create_asgi_app"]

log = logging.getLogger(__name__)

_MALFORMED = (ValueError, TypeError, AttributeError, KeyError, IndexError)
"""What Bolt raises reading a body that is not a Slack request (bad JSON, not UTF-8, a
JSON list); only a signed request gets this far, so the one who sent it holds the secret."""


def _read_body_right(request: AsyncBoltRequest) -> None:
    """Bolt (1.30) takes any form body with "payload" anywhere in it for an
    interaction, so `/incident note payload too large` reached no listener and Slack
    showed the person an error. Such a body without a `payload` field is a slash
    command's, and is read again here; the raw body, which the signature covers, is
    left as it came. Every other body Bolt reads right."""
    raw = request.raw_body
    if "payload" not in raw or raw.startswith("{") or request.content_type == "application/json":
        return
    if request.body:
        return  # Bolt found the `payload` field (every interaction): no second parse
    fields = dict(parse_qsl(raw, keep_blank_values=True))
    if "payload" not in fields:
        request.body = fields
        request.context = build_async_context(AsyncBoltContext({}), fields)


def create_asgi_app(runtime: Runtime, bolt: AsyncApp | None = None) -> Starlette:
    bolt_app = bolt or build_bolt_app(runtime)
    claims = Finisher(runtime.store, runtime.clock, runtime.background)

    async def slack_events(request: Request) -> Response:
        started = time.perf_counter()
        try:
            bolt_request = to_async_bolt_request(request, await request.body())
            _read_body_right(bolt_request)
        except _MALFORMED as error:
            log.warning(
                "refused a signed Slack request Bolt cannot read (%s)", type(error).__name__
            )
            runtime.metrics.request("malformed", time.perf_counter() - started)
            return JSONResponse({"error": "malformed request"}, status_code=400)
        try:
            response = await bolt_app.async_dispatch(bolt_request)
            claimed = bolt_request.context.get(CLAIMED)
            if claimed is not None:
                await claims.finish(claimed, response)
            return to_starlette_response(response)
        finally:
            kind = request_kind(bolt_request.body)
            runtime.metrics.request(kind, time.perf_counter() - started)

    async def healthz(_: Request) -> Response:
        try:
            await runtime.store.ping()
        except Exception as exc:
            return JSONResponse({"ok": False, "database": type(exc).__name__}, status_code=503)
        return JSONResponse({"ok": True, "database": runtime.store.dialect})

    async def no_icon(_: Request) -> Response:
        """Browsers ask every site for one; an empty answer, not a 404 in their console."""
        return Response(status_code=204, headers={"Cache-Control": "public, max-age=86400"})

    signed_slack_events = SlackSignatureRequired(
        request_response(slack_events), runtime.settings.signing_secret
    )
    routes: list[BaseRoute] = [
        Route("/slack/events", signed_slack_events, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/favicon.ico", no_icon, methods=["GET"]),
        *alert_routes(runtime.settings, runtime.alert_intake, runtime.metrics, clock=runtime.clock),
        *status_page_routes(runtime.status_page),
    ]
    if runtime.settings.metrics_enabled:
        token = runtime.settings.metrics_token
        metrics = MetricsEndpoint(
            runtime.metrics,
            runtime.vitals,
            token=token.get_secret_value() if token is not None else None,
        )
        routes.append(Route("/metrics", metrics, methods=["GET"]))
    middleware = [
        Middleware(
            BoundedBody,
            max_bytes=MAX_BODY_BYTES,
            read_timeout_s=runtime.settings.request_read_timeout,
        )
    ]
    if runtime.settings.web_ui_enabled:
        routes.extend(signin_routes(runtime))
        routes.extend(ui_routes(runtime))
        middleware.append(session_middleware(runtime.settings))
    return Starlette(routes=routes, middleware=middleware)
