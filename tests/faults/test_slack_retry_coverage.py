"""The retry table (retry_cases.CASES) covers every request kind Warroom accepts.

A listener registered on Bolt, a subcommand in the `/incident` router, or an
event, shortcut or command in manifest.yml without a line in CASES fails here,
so the retry tests cannot quietly miss a new kind.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import yaml
from slack_bolt.async_app import AsyncApp, AsyncBoltRequest
from slack_bolt.response import BoltResponse

from fakeslack import block_actions, event_callback, slash_command, view_submission
from tests.faults.retry_cases import CASES
from tests.faults.retry_scene import Kind, Request, kind_of
from tests.harness import Harness
from tests.timeline.room import message_shortcut
from warroom.bolt.app import build_bolt_app

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"
KINDS = {case.kind for case in CASES}


def request_of(kind: Kind) -> Request:
    """The smallest request of `kind`, as Slack would send it."""
    family, name = kind
    if family == "command":
        return slash_command(name)
    if family == "block_actions":
        return block_actions(name, "1")
    if family == "view_submission":
        return view_submission(name, {})
    if family == "message_action":
        message = {"type": "message", "user": "U1", "text": "hi", "ts": "1.000001"}
        return message_shortcut(
            message, channel_id="C1", user_id="U1", response_url="", callback_id=name
        )
    assert family == "event", kind
    event_type, _, subtype = name.partition("/")
    event: dict[str, Any] = {"type": event_type.split(".")[0], "ts": "1.000001"}
    if event_type.startswith("message."):
        event["channel_type"] = {"channels": "channel", "groups": "group"}[event_type[8:]]
    if subtype:
        event["subtype"] = subtype
    return event_callback(event)


async def matches(app: AsyncApp, listener: Any, kind: Kind) -> bool:
    body, content_type = request_of(kind)
    request = AsyncBoltRequest(body=body.decode(), headers={"content-type": content_type})
    app._init_context(request)
    return bool(await listener.async_matches(req=request, resp=BoltResponse(status=200)))


def listeners(app: AsyncApp) -> list[Any]:
    return list(app._async_listeners)


def test_every_kind_in_the_table_is_built_as_it_says() -> None:
    for case in CASES:
        assert kind_of(request_of(case.kind)) == case.kind


async def test_every_bolt_listener_has_a_retry_case(harness: Harness) -> None:
    app = build_bolt_app(harness.runtime)
    uncovered = []
    for listener in listeners(app):
        if not [kind for kind in KINDS if await matches(app, listener, kind)]:
            uncovered.append(listener.ack_function.__qualname__)
    assert uncovered == [], f"listeners with no line in retry_cases.CASES: {uncovered}"


async def test_every_non_event_case_reaches_a_listener(harness: Harness) -> None:
    app = build_bolt_app(harness.runtime)
    unrouted = []
    for kind in sorted(KINDS):
        if kind[0] != "event" and not [lr for lr in listeners(app) if await matches(app, lr, kind)]:
            unrouted.append(kind)
    assert unrouted == [], f"cases no listener takes (a typo?): {unrouted}"


async def test_every_incident_subcommand_has_a_retry_case(harness: Harness) -> None:
    app = build_bolt_app(harness.runtime)
    (router,) = [lr for lr in listeners(app) if await matches(app, lr, ("command", "help"))]
    table = inspect.getclosurevars(router.ack_function).nonlocals["table"]
    assert "declare" in table, "the /incident router's table moved; read it from its new place"
    missing = sorted(name for name in table if ("command", name) not in KINDS)
    assert missing == [], f"/incident subcommands with no line in retry_cases.CASES: {missing}"


def test_everything_the_manifest_sends_has_a_retry_case() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())
    commands = [c["command"] for c in manifest["features"]["slash_commands"]]
    assert commands == ["/incident"], "a new slash command needs its own cases"
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    covered = {name.split("/")[0] for family, name in KINDS if family == "event"}
    assert sorted(set(events) - covered) == [], "subscribed events with no retry case"
    shortcuts = {s["callback_id"] for s in manifest["features"]["shortcuts"]}
    assert shortcuts <= {name for family, name in KINDS if family == "message_action"}
