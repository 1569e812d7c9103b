"""chat.postMessage/update/postEphemeral, pins.add, reactions.add/remove and auth.test of
the demo's Web API.

The rest of chat.* and pins.* are the test kit's (`fakeslack.api_chat`); users.info is
`.api_users`."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from warroom.demo.slack.params import get_bool, get_str
from warroom.demo.slack.state import ApiError, ChannelState, Workspace, is_user_id

__all__ = [
    "ATTACHMENTS_MAX",
    "CHAT_METHODS",
    "MESSAGE_TEXT_MAX",
    "UPDATE_TEXT_MAX",
    "message_item",
]

Json = dict[str, Any]
Handler = Callable[[Workspace, Json], Json]

MESSAGE_TEXT_MAX = 40_000
# chat.update's own docs: "The `text` field cannot exceed 4,000 characters."
UPDATE_TEXT_MAX = 4_000
MARKDOWN_TEXT_MAX = 12_000
ATTACHMENTS_MAX = 100
_TS = re.compile(r"\d+\.\d+")
_EMOJI = re.compile(r"[a-z0-9_+'-]+(::skin-tone-[2-6])?")


def _postable(ws: Workspace, channel: Any) -> ChannelState:
    """chat.postMessage's `channel`: an ID, a user ID (opens the DM) or a #name."""
    if is_user_id(channel):
        return ws.open_dm(channel)
    if isinstance(channel, str) and channel and channel[0] not in "CDG":
        named = ws.by_name(channel.removeprefix("#"))
        channel = named.id if named is not None else None
    state = ws.visible(channel)
    if state.is_archived:
        raise ApiError("is_archived")
    if ws.acting not in state.members:
        raise ApiError("not_in_channel")
    return state


def _content(
    ws: Workspace, args: Json, *, text_max: int
) -> tuple[str | None, list[Any] | None, Any]:
    """(text, blocks, attachments) after Slack's checks on message content."""
    markdown = get_str(args, "markdown_text")
    text = get_str(args, "text")
    blocks = args.get("blocks")
    attachments = args.get("attachments")
    if markdown is not None:
        if text is not None or blocks is not None:
            raise ApiError("markdown_text_conflict")
        if len(markdown) > MARKDOWN_TEXT_MAX:
            raise ApiError("msg_too_long")
        text = markdown
    if blocks is not None:
        if not isinstance(blocks, list):
            raise ApiError("invalid_blocks_format")
        problems = ws.checks.block_problems(blocks, surface="message")
        if problems:
            messages = [f"[ERROR] {p}" for p in problems]
            raise ApiError("invalid_blocks", response_metadata={"messages": messages})
    if attachments is not None:
        if not isinstance(attachments, list):
            raise ApiError("invalid_attachments")
        if len(attachments) > ATTACHMENTS_MAX:
            raise ApiError("too_many_attachments")
    if not text and not blocks and not attachments:
        raise ApiError("no_text")
    if text is not None and len(text) > text_max:
        raise ApiError("msg_too_long")
    return text, blocks, attachments


def post_message(ws: Workspace, args: Json) -> Json:
    state = _postable(ws, args.get("channel"))
    text, blocks, attachments = _content(ws, args, text_max=MESSAGE_TEXT_MAX)
    message = ws.new_message(
        state,
        user=ws.acting,
        text=text or "",
        blocks=blocks,
        attachments=attachments,
        thread_ts=get_str(args, "thread_ts") or None,
        broadcast=get_bool(args, "reply_broadcast"),
        metadata=args.get("metadata"),
    )
    return {
        "ok": True,
        "channel": state.id,
        "ts": message["ts"],
        "message": ws.copy_json(message),
    }


def update(ws: Workspace, args: Json) -> Json:
    state = ws.visible(args.get("channel"))
    if state.is_archived:
        raise ApiError("is_inactive")
    message = ws.find_message(state.id, args.get("ts"))
    if message.get("user") != ws.bot_user_id:
        raise ApiError("cant_update_message")
    text, blocks, attachments = _content(ws, args, text_max=UPDATE_TEXT_MAX)
    if blocks is not None:
        message["blocks"] = blocks
    elif text is not None:
        message.pop("blocks", None)
        message["edited"] = {"user": ws.bot_user_id, "ts": ws.next_ts()}
    if text is not None:
        message["text"] = text
    if attachments is not None:
        message["attachments"] = attachments
    return {
        "ok": True,
        "channel": state.id,
        "ts": message["ts"],
        "text": message["text"],
        "message": ws.copy_json(message),
    }


def post_ephemeral(ws: Workspace, args: Json) -> Json:
    state = _postable(ws, args.get("channel"))
    user = get_str(args, "user")
    if not user or user not in state.members:
        raise ApiError("user_not_in_channel")
    text, blocks, attachments = _content(ws, args, text_max=MESSAGE_TEXT_MAX)
    ts = ws.next_ts()
    message: Json = {"type": "message", "user": ws.bot_user_id, "text": text or "", "ts": ts}
    if blocks is not None:
        message["blocks"] = blocks
    if attachments is not None:
        message["attachments"] = attachments
    thread_ts = get_str(args, "thread_ts")
    if thread_ts:
        message["thread_ts"] = thread_ts
    ws.ephemerals.setdefault(state.id, []).append({"to": user, "message": message})
    return {"ok": True, "message_ts": ts}


def message_item(ws: Workspace, args: Json) -> tuple[ChannelState, Json]:
    state = ws.visible(args.get("channel"))
    ts = get_str(args, "timestamp")
    if not ts:
        raise ApiError("no_item_specified")
    if not _TS.fullmatch(ts):
        raise ApiError("bad_timestamp")
    return state, ws.find_message(state.id, ts)


def pins_add(ws: Workspace, args: Json) -> Json:
    state, message = message_item(ws, args)
    if message["ts"] in state.pins:
        raise ApiError("already_pinned")
    state.pins.append(message["ts"])
    message.setdefault("pinned_to", []).append(state.id)
    return {"ok": True}


def _reaction_target(ws: Workspace, args: Json) -> tuple[ChannelState, Json, str]:
    if not args.get("channel") or not args.get("timestamp"):
        raise ApiError("no_item_specified")
    state, message = message_item(ws, args)
    name = get_str(args, "name") or ""
    if not _EMOJI.fullmatch(name):
        raise ApiError("invalid_name")
    return state, message, name


def reactions_add(ws: Workspace, args: Json) -> Json:
    state, message, name = _reaction_target(ws, args)
    if state.is_archived:
        raise ApiError("is_archived")
    reactions: list[Json] = message.setdefault("reactions", [])
    for reaction in reactions:
        if reaction["name"] == name:
            if ws.acting in reaction["users"]:
                raise ApiError("already_reacted")
            reaction["users"].append(ws.acting)
            reaction["count"] += 1
            break
    else:
        reactions.append({"name": name, "users": [ws.acting], "count": 1})
    return {"ok": True}


def reactions_remove(ws: Workspace, args: Json) -> Json:
    """Only the caller's own reaction goes; one it never added is `no_reaction`."""
    _, message, name = _reaction_target(ws, args)
    reactions: list[Json] = message.get("reactions", [])
    for reaction in reactions:
        if reaction["name"] == name and ws.acting in reaction["users"]:
            reaction["users"].remove(ws.acting)
            reaction["count"] -= 1
            if not reaction["users"]:
                reactions.remove(reaction)
            if not reactions:
                message.pop("reactions", None)
            return {"ok": True}
    raise ApiError("no_reaction")


def auth_test(ws: Workspace, args: Json) -> Json:
    return {
        "ok": True,
        "url": f"https://{ws.team_domain}.slack.com/",
        "team": ws.team_name,
        "user": ws.user_name(ws.acting),
        "team_id": ws.team_id,
        "user_id": ws.acting,
        **({"bot_id": ws.bot_ids[ws.acting]} if ws.acting in ws.bot_ids else {}),
        "app_id": ws.app_id,
        "is_enterprise_install": False,
    }


CHAT_METHODS: dict[str, Handler] = {
    "auth.test": auth_test,
    "chat.postMessage": post_message,
    "chat.update": update,
    "chat.postEphemeral": post_ephemeral,
    "pins.add": pins_add,
    "reactions.add": reactions_add,
    "reactions.remove": reactions_remove,
}
