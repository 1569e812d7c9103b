"""views.open of the demo's Web API, and the view checks and storage the test kit's
views.push/update/publish (`fakeslack.api_views`) share."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from warroom.demo.slack.params import get_str
from warroom.demo.slack.state import ApiError, Workspace

__all__ = [
    "EXPIRED_TRIGGER_ID",
    "VIEW_MAX_BYTES",
    "VIEW_METHODS",
    "check_external_id",
    "checked_view",
    "invalid",
    "open_view",
    "store_view",
]

Json = dict[str, Any]
Handler = Callable[[Workspace, Json], Json]

VIEW_MAX_BYTES = 250_000
EXPIRED_TRIGGER_ID = "expired"
# views.open docs: 'The expected format for the trigger_id argument is "132456.7890123.abcdef".'
_TRIGGER = re.compile(r"\d+\.\d+\.[0-9a-f]+")


def invalid(*messages: str) -> ApiError:
    return ApiError(
        "invalid_arguments", response_metadata={"messages": [f"[ERROR] {m}" for m in messages]}
    )


def _trigger(ws: Workspace, args: Json) -> str:
    trigger = get_str(args, "trigger_id") or get_str(args, "interactivity_pointer")
    if not trigger:
        raise invalid("missing required field: trigger_id")
    if trigger == EXPIRED_TRIGGER_ID:
        raise ApiError("expired_trigger_id")
    if trigger in ws.used_triggers:
        raise ApiError("exchanged_trigger_id")
    if not _TRIGGER.fullmatch(trigger):
        raise ApiError("invalid_trigger_id")
    return trigger


def checked_view(ws: Workspace, args: Json) -> Json:
    view = args.get("view")
    if view is None:
        raise invalid("missing required field: view")
    if not isinstance(view, dict):
        raise invalid("must provide an object [json-pointer:/view]")
    if len(json.dumps(view).encode()) > VIEW_MAX_BYTES:
        raise ApiError("view_too_large")
    problems = ws.checks.view_problems(view)
    if problems:
        raise invalid(*problems)
    return view


def check_external_id(ws: Workspace, view: Json, view_id: str | None) -> None:
    external_id = view.get("external_id")
    if isinstance(external_id, str) and external_id:
        holder = ws.external_ids.get(external_id)
        if holder is not None and holder != view_id:
            raise ApiError("duplicate_external_id")


def store_view(
    ws: Workspace,
    view: Json,
    *,
    view_id: str | None = None,
    root_view_id: str | None = None,
    previous_view_id: str | None = None,
) -> Json:
    view_id = view_id or ws.new_id("V")
    old = ws.views.get(view_id)
    if old is not None and old.get("external_id"):
        ws.external_ids.pop(old["external_id"], None)
    external_id = view.get("external_id") or ""
    stored: Json = {
        "id": view_id,
        "team_id": ws.team_id,
        "type": view["type"],
        "blocks": ws.copy_json(view.get("blocks", [])),
        "private_metadata": view.get("private_metadata", ""),
        "callback_id": view.get("callback_id", ""),
        "state": {"values": {}},
        "hash": ws.new_hash(),
        "clear_on_close": bool(view.get("clear_on_close", False)),
        "notify_on_close": bool(view.get("notify_on_close", False)),
        "root_view_id": root_view_id or view_id,
        "previous_view_id": previous_view_id,
        "app_id": ws.app_id,
        "external_id": external_id,
        "app_installed_team_id": ws.team_id,
        "bot_id": ws.bot_id,
    }
    for key in ("title", "submit", "close"):
        stored[key] = ws.copy_json(view.get(key))
    if view["type"] == "modal":
        stored["submit_disabled"] = bool(view.get("submit_disabled", False))
    ws.views[view_id] = stored
    if external_id:
        ws.external_ids[external_id] = view_id
    return {"ok": True, "view": ws.copy_json(stored)}


def _modal(view: Json) -> Json:
    if view.get("type") != "modal":
        raise invalid("must be modal [json-pointer:/view/type]")
    return view


def open_view(ws: Workspace, args: Json) -> Json:
    """views.open (and the test kit's views.push): a single-use trigger_id for a new modal."""
    trigger = _trigger(ws, args)
    view = _modal(checked_view(ws, args))
    check_external_id(ws, view, None)
    ws.used_triggers.add(trigger)
    return store_view(ws, view)


VIEW_METHODS: dict[str, Handler] = {
    "views.open": open_view,
}
