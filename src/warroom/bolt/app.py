"""The Bolt app: listeners and the retry filter, behind the signature check of `warroom.web`.

`process_before_response=True`: Bolt answers Slack only when a listener's
function returns, so what a listener writes before returning is stored before
Slack hears "ok" (an event is never acknowledged and then lost). Listeners
therefore return quickly and hand slower Slack calls to `runtime.background`.

A listener that fails because the database is unavailable gets an answer Slack
and the person understand: an event is refused with 503 so Slack delivers it
again later; a command or form asks the person to try again; a click is
answered and the person is told the same privately. Any other failure keeps
Bolt's 500.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.error import BoltUnhandledRequestError
from slack_bolt.response import BoltResponse

from warroom.bolt.authorize import build_authorize
from warroom.bolt.deliveries import claim_deliveries
from warroom.bolt.listeners import (
    action_items,
    alerts,
    cancellation,
    commands,
    declare,
    finder,
    home,
    lifecycle,
    membership,
    people,
    roles,
    state,
    stats,
    statuspage,
    timeline,
    updates,
)
from warroom.bolt.listeners.replies import tell_later
from warroom.runtime import Runtime
from warroom.slack.blocks.text import mrkdwn_message
from warroom.store.engine import DatabaseUnavailable

__all__ = ["DATABASE_DOWN", "build_bolt_app"]

_KIND = re.compile(r"[a-z_]{1,40}")

DATABASE_DOWN = mrkdwn_message(
    "⚠️ Warroom's database is unavailable right now, so nothing was changed. "
    "Please try again in a minute."
)


def build_bolt_app(runtime: Runtime, *, socket_mode: bool = False) -> AsyncApp:
    settings = runtime.settings
    app = AsyncApp(
        # Bolt's default name (its logger names start with it), given: without it Bolt
        # reads the whole call stack's source files to find it, about 0.1 s at start-up.
        name="app.py",
        client=runtime.client,
        signing_secret=None if socket_mode else settings.signing_secret,
        # warroom.web.slack_signature checks the signature on the raw bytes, before
        # Bolt parses anything; Bolt's own check ran after, and logged refused bodies.
        request_verification_enabled=False,
        # Bolt's "unhandled request" warning quotes the body; on_error logs its kind.
        raise_error_for_unhandled_request=True,
        process_before_response=True,
        authorize=build_authorize(runtime.gateway),
        logger=logging.getLogger("warroom.bolt"),
    )
    app.error(answer_database_outage(runtime))
    if not socket_mode:
        app.middleware(claim_deliveries(runtime.store, runtime.clock))
    modules = (
        declare,
        roles,
        state,
        updates,
        lifecycle,
        cancellation,
        timeline,
        action_items,
        membership,
        people,
        finder,
        stats,
        home,
        alerts,
        statuspage,
    )
    for module in modules:
        module.listen(app, runtime)
    subcommands = [sub for module in modules for sub in module.subcommands(runtime)]
    commands.route(app, rooms=runtime.rooms, subcommands=subcommands)

    @app.event(re.compile(".*"))
    async def acknowledge_other_events() -> None:
        """Subscribed events without a listener yet are acknowledged, so Slack stops retrying."""

    return app


def answer_database_outage(
    runtime: Runtime,
) -> Callable[[Exception, dict[str, Any], logging.Logger], Awaitable[BoltResponse | None]]:
    """Bolt's error handler (listeners and middleware alike)."""

    async def on_error(
        error: Exception, body: dict[str, Any], logger: logging.Logger
    ) -> BoltResponse | None:
        if isinstance(error, BoltUnhandledRequestError):
            logger.warning("no listener took a Slack %s request", _kind(body))
            return None
        if not isinstance(error, DatabaseUnavailable):
            logger.error("Failed to run listener function (error: %s)", error, exc_info=error)
            return None
        kind = _kind(body)
        logger.warning("database unavailable, %s not handled: %s", kind, error)
        if kind == "command":
            note = {"response_type": "ephemeral", "text": DATABASE_DOWN.text}
            return BoltResponse(status=200, body={**note, "blocks": DATABASE_DOWN.blocks})
        if kind == "view_submission":
            view = body.get("view") or {}
            inputs = [
                b.get("block_id") for b in view.get("blocks") or [] if b.get("type") == "input"
            ]
            inputs += list((view.get("state") or {}).get("values") or {})
            first = next((block_id for block_id in inputs if block_id), None)
            if first is not None:
                errors = {first: DATABASE_DOWN.text}
                answer: dict[str, Any] = {"response_action": "errors", "errors": errors}
                return BoltResponse(status=200, body=answer)
        if kind in {"block_actions", "shortcut", "message_action"}:
            user = str((body.get("user") or {}).get("id") or "")
            tell_later(runtime, user, DATABASE_DOWN, response_url=body.get("response_url"))
            return BoltResponse(status=200, body="")
        return BoltResponse(status=503, body="")

    return on_error


def _kind(body: dict[str, Any]) -> str:
    """The request's kind, as Slack names them ("block_actions"); anything else the body
    says is "unknown", so this logged word is never text a sender chose."""
    kind = str(body.get("type") or ("command" if body.get("command") else "unknown"))
    return kind if _KIND.fullmatch(kind) else "unknown"
