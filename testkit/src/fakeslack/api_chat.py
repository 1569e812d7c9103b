"""chat.delete, chat.getPermalink and pins.remove: the methods tests call that
`warroom demo` never does (its own, reactions.add/remove among them, are
`warroom.demo.slack.api_chat`; users.info and users.list are `.api_users`)."""

from __future__ import annotations

from typing import Any

from fakeslack.workspace import KitWorkspace, on_kit_workspace
from warroom.demo.slack.api_chat import message_item
from warroom.demo.slack.server import Handler
from warroom.demo.slack.state import ApiError, Workspace

__all__ = ["CHAT_METHODS"]

Json = dict[str, Any]


def delete(ws: Workspace, args: Json) -> Json:
    """A bot may delete only its own messages; a thread's replies stay, as in Slack."""
    state = ws.visible(args.get("channel"))
    message = ws.find_message(state.id, args.get("ts"))
    if message.get("user") != ws.acting:
        raise ApiError("cant_delete_message")
    ws.messages[state.id].remove(message)
    return {"ok": True, "channel": state.id, "ts": message["ts"]}


def get_permalink(ws: KitWorkspace, args: Json) -> Json:
    state = ws.visible(args.get("channel"))
    message = ws.find_message(state.id, args.get("message_ts"))
    return {"ok": True, "channel": state.id, "permalink": ws.permalink(state.id, message)}


def pins_remove(ws: Workspace, args: Json) -> Json:
    state, message = message_item(ws, args)
    if message["ts"] not in state.pins:
        raise ApiError("not_pinned")
    state.pins.remove(message["ts"])
    pinned_to = message.get("pinned_to", [])
    if state.id in pinned_to:
        pinned_to.remove(state.id)
    if not pinned_to:
        message.pop("pinned_to", None)
    return {"ok": True}


CHAT_METHODS: dict[str, Handler] = {
    "chat.delete": delete,
    "chat.getPermalink": on_kit_workspace(get_permalink),
    "pins.remove": pins_remove,
}
