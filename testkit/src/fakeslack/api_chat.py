"""chat.delete, chat.getPermalink, pins.remove, reactions.add and users.info: the
methods tests call that `warroom demo` never does (its own are
`warroom.demo.slack.api_chat`)."""

from __future__ import annotations

import re
from typing import Any

from fakeslack.workspace import KitWorkspace, on_kit_workspace
from warroom.demo.slack.api_chat import message_item
from warroom.demo.slack.params import get_str
from warroom.demo.slack.server import Handler
from warroom.demo.slack.state import ApiError, Workspace, is_user_id

__all__ = ["CHAT_METHODS"]

Json = dict[str, Any]

_EMOJI = re.compile(r"[a-z0-9_+'-]+(::skin-tone-[2-6])?")


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


def reactions_add(ws: Workspace, args: Json) -> Json:
    if not args.get("channel") or not args.get("timestamp"):
        raise ApiError("no_item_specified")
    state, message = message_item(ws, args)
    if state.is_archived:
        raise ApiError("is_archived")
    name = get_str(args, "name") or ""
    if not _EMOJI.fullmatch(name):
        raise ApiError("invalid_name")
    reactions: list[Json] = message.setdefault("reactions", [])
    for reaction in reactions:
        if reaction["name"] == name:
            if ws.bot_user_id in reaction["users"]:
                raise ApiError("already_reacted")
            reaction["users"].append(ws.bot_user_id)
            reaction["count"] += 1
            break
    else:
        reactions.append({"name": name, "users": [ws.bot_user_id], "count": 1})
    return {"ok": True}


def users_info(ws: KitWorkspace, args: Json) -> Json:
    user = args.get("user")
    if not is_user_id(user):
        raise ApiError("user_not_found")
    return {"ok": True, "user": ws.user_json(str(user))}


CHAT_METHODS: dict[str, Handler] = {
    "chat.delete": delete,
    "chat.getPermalink": on_kit_workspace(get_permalink),
    "pins.remove": pins_remove,
    "reactions.add": reactions_add,
    "users.info": on_kit_workspace(users_info),
}
