"""views.push, views.update and views.publish: tests call them, `warroom demo`
never does (its views.open, and the checks and storage shared here, are
`warroom.demo.slack.api_views`)."""

from __future__ import annotations

from typing import Any

from fakeslack.workspace import KitWorkspace, on_kit_workspace
from warroom.demo.slack.api_views import (
    check_external_id,
    checked_view,
    invalid,
    open_view,
    store_view,
)
from warroom.demo.slack.params import get_str
from warroom.demo.slack.server import Handler
from warroom.demo.slack.state import ApiError, Workspace

__all__ = ["VIEW_METHODS"]

Json = dict[str, Any]


def update_view(ws: Workspace, args: Json) -> Json:
    view_id = get_str(args, "view_id")
    external_id = get_str(args, "external_id")
    if not view_id and not external_id:
        raise invalid("missing required field: view_id or external_id")
    if not view_id and external_id:
        view_id = ws.external_ids.get(external_id)
    current = ws.views.get(view_id) if view_id else None
    if current is None or view_id is None:
        raise ApiError("not_found")
    view = checked_view(ws, args)
    given_hash = get_str(args, "hash")
    if given_hash and given_hash != current["hash"]:
        raise ApiError("hash_conflict")
    check_external_id(ws, view, view_id)
    return store_view(
        ws,
        view,
        view_id=view_id,
        root_view_id=current.get("root_view_id"),
        previous_view_id=current.get("previous_view_id"),
    )


def publish_view(ws: KitWorkspace, args: Json) -> Json:
    user_id = get_str(args, "user_id")
    if not user_id:
        raise invalid("missing required field: user_id")
    view = checked_view(ws, args)
    if view.get("type") != "home":
        raise invalid("must be home [json-pointer:/view/type]")
    view_id = ws.home_views.get(user_id)
    given_hash = get_str(args, "hash")
    if view_id is not None and given_hash and given_hash != ws.views[view_id]["hash"]:
        raise ApiError("hash_conflict")
    check_external_id(ws, view, view_id)
    response = store_view(ws, view, view_id=view_id)
    ws.home_views[user_id] = response["view"]["id"]
    return response


VIEW_METHODS: dict[str, Handler] = {
    "views.push": open_view,
    "views.update": update_view,
    "views.publish": on_kit_workspace(publish_view),
}
