"""The ASGI app: Slack's request URL and a health check. Whoever runs it closes the runtime."""

from __future__ import annotations

import logging

from slack_bolt.adapter.starlette.async_handler import to_async_bolt_request, to_starlette_response
from slack_bolt.async_app import AsyncApp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from warroom.runtime import Runtime
from warroom.slack.app import build_bolt_app
from warroom.slack.deliveries import OneAtATime, delivery_key, handled
from warroom.store import requests
from warroom.store.engine import DatabaseUnavailable

__all__ = ["create_asgi_app"]

log = logging.getLogger(__name__)


def create_asgi_app(runtime: Runtime, bolt: AsyncApp | None = None) -> Starlette:
    bolt_app = bolt or build_bolt_app(runtime)
    same_delivery = OneAtATime()

    async def slack_events(request: Request) -> Response:
        bolt_request = to_async_bolt_request(request, await request.body())
        key = delivery_key(bolt_request.body)
        async with same_delivery.hold(key):
            response = await bolt_app.async_dispatch(bolt_request)
            if key is not None and handled(response):
                await _remember(key, bolt_request.body)
        return to_starlette_response(response)

    async def _remember(key: str, body: dict[str, object]) -> None:
        """Note a handled delivery, so a retry of it is answered, not executed again."""
        team = body.get("team_id") or (body.get("team") or {})
        team_id = team.get("id") if isinstance(team, dict) else team
        try:
            async with runtime.store.transaction() as session:
                await requests.mark_processed(
                    session, key, team_id=str(team_id) if team_id else None, now=runtime.clock()
                )
        except DatabaseUnavailable as down:
            log.warning("could not remember delivery %s: %s", key, down)
        except Exception:
            log.exception("could not remember delivery %s", key)

    async def healthz(_: Request) -> Response:
        try:
            await runtime.store.ping()
        except Exception as exc:
            return JSONResponse({"ok": False, "database": type(exc).__name__}, status_code=503)
        return JSONResponse({"ok": True, "database": runtime.store.dialect})

    return Starlette(
        routes=[
            Route("/slack/events", slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
    )
