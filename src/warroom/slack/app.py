"""The Bolt app: listeners and the retry filter on top of Bolt's own verification.

`process_before_response=True`: Bolt answers Slack only when a listener's
function returns, so what a listener writes before returning is stored before
Slack hears "ok" (an event is never acknowledged and then lost). Listeners
therefore return quickly and hand slower Slack calls to `runtime.background`.
"""

from __future__ import annotations

import logging
import re

from slack_bolt.async_app import AsyncApp

from warroom.runtime import Runtime
from warroom.slack.deliveries import skip_handled_retries
from warroom.slack.listeners import (
    action_items,
    commands,
    declare,
    lifecycle,
    roles,
    state,
    timeline,
    updates,
)

__all__ = ["build_bolt_app"]


def build_bolt_app(runtime: Runtime, *, socket_mode: bool = False) -> AsyncApp:
    settings = runtime.settings
    app = AsyncApp(
        client=runtime.client,
        signing_secret=None if socket_mode else settings.signing_secret,
        request_verification_enabled=not socket_mode,
        process_before_response=True,
        logger=logging.getLogger("warroom.bolt"),
    )
    app.middleware(skip_handled_retries(runtime.store))
    action_items_subs, _ = action_items.install(app, runtime)
    commands.register(
        app,
        rooms=runtime.rooms,
        subcommands=[
            *declare.subcommands(runtime),
            *roles.subcommands(runtime),
            *state.subcommands(runtime),
            *updates.subcommands(runtime),
            *lifecycle.subcommands(runtime),
            *timeline.install(app, runtime),
            *action_items_subs,
        ],
    )
    declare.register(app, runtime)
    roles.register(app, runtime)
    state.register(app, runtime)
    updates.register(app, runtime)
    lifecycle.register(app, runtime)

    @app.event(re.compile(".*"))
    async def acknowledge_other_events() -> None:
        """Subscribed events without a listener yet are acknowledged, so Slack stops retrying."""

    return app
