"""The conversations.* methods the demo calls (the rest are `fakeslack.api_conversations`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from warroom.demo.slack.params import get_bool, get_str, paginate
from warroom.demo.slack.state import ApiError, Workspace, is_user_id

__all__ = ["CONVERSATION_METHODS", "INVITE_MAX_USERS", "TOPIC_MAX", "set_text"]

Json = dict[str, Any]
Handler = Callable[[Workspace, Json], Json]

INVITE_MAX_USERS = 100
TOPIC_MAX = 250
MEMBERS_PAGE_MAX = 1000
HISTORY_PAGE_MAX = 999


def create(ws: Workspace, args: Json) -> Json:
    name = get_str(args, "name")
    if name is None:
        raise ApiError("invalid_name_required")
    problem = ws.checks.channel_name_problem(name)
    if problem is not None:
        raise ApiError(problem)
    if ws.by_name(name) is not None:
        raise ApiError("name_taken")
    state = ws.add_channel(
        name,
        is_private=get_bool(args, "is_private"),
        creator=ws.acting,
        members={ws.acting},
    )
    return {"ok": True, "channel": ws.channel_json(state)}


def invite(ws: Workspace, args: Json) -> Json:
    state = ws.visible(args.get("channel"))
    if state.is_im:
        raise ApiError("method_not_supported_for_channel_type")
    if state.is_archived:
        raise ApiError("is_archived")
    users = args.get("users")
    if not isinstance(users, list) or not users:
        raise ApiError("no_user")
    if len(users) > INVITE_MAX_USERS:
        raise ApiError("too_many_users")
    if ws.acting not in state.members:
        raise ApiError("not_in_channel")
    errors: list[Json] = []
    valid: list[str] = []
    for user in users:
        if not isinstance(user, str) or not is_user_id(user):
            code = "user_not_found"
        elif user == ws.acting:
            code = "cant_invite_self"
        elif user in state.members:
            code = "already_in_channel"
        else:
            valid.append(user)
            continue
        errors.append({"user": user, "ok": False, "error": code})
    if errors and not (get_bool(args, "force") and valid):
        raise ApiError(errors[0]["error"], errors=errors)
    state.members.update(valid)
    response: Json = {"ok": True, "channel": ws.channel_json(state)}
    if errors:
        response["errors"] = errors
    return response


def join(ws: Workspace, args: Json) -> Json:
    channel_id = args.get("channel")
    state = ws.channels.get(channel_id) if isinstance(channel_id, str) else None
    if state is None:
        raise ApiError("channel_not_found")
    if state.is_private or state.is_im:
        raise ApiError("method_not_supported_for_channel_type")
    if state.is_archived:
        raise ApiError("is_archived")
    response: Json = {"ok": True}
    if ws.acting in state.members:
        response["warning"] = "already_in_channel"
        response["response_metadata"] = {"warnings": ["already_in_channel"]}
    state.members.add(ws.acting)
    response["channel"] = ws.channel_json(state)
    return response


def set_text(ws: Workspace, args: Json, field: str) -> Json:
    state = ws.visible(args.get("channel"))
    if state.is_im:
        raise ApiError("method_not_supported_for_channel_type")
    if state.is_archived:
        raise ApiError("is_archived")
    if ws.bot_user_id not in state.members:
        raise ApiError("not_in_channel")
    value = get_str(args, field) or ""
    if len(value) > TOPIC_MAX:
        raise ApiError("too_long")
    meta = (ws.bot_user_id, int(time.time()))
    if field == "topic":
        state.topic, state.topic_meta = value, meta
    else:
        state.purpose, state.purpose_meta = value, meta
    return {"ok": True, "channel": ws.channel_json(state)}


def set_topic(ws: Workspace, args: Json) -> Json:
    return set_text(ws, args, "topic")


def members(ws: Workspace, args: Json) -> Json:
    state = ws.visible(args.get("channel"))
    page, next_cursor = paginate(sorted(state.members), args, page_max=MEMBERS_PAGE_MAX)
    return {"ok": True, "members": page, "response_metadata": {"next_cursor": next_cursor}}


def history(ws: Workspace, args: Json) -> Json:
    """Top-level messages (and thread parents), newest first, as Slack lists them."""
    state = ws.visible(args.get("channel"))
    if not state.is_im and ws.acting not in state.members:
        raise ApiError("not_in_channel")
    oldest, latest = get_str(args, "oldest") or "0", get_str(args, "latest")
    listed = [
        message
        for message in reversed(ws.messages.get(state.id, []))
        if message.get("thread_ts", message["ts"]) == message["ts"]
        and float(message["ts"]) > float(oldest)
        and (latest is None or float(message["ts"]) < float(latest))
    ]
    page, next_cursor = paginate(listed, args, page_max=HISTORY_PAGE_MAX)
    return {
        "ok": True,
        "messages": ws.copy_json(page),
        "has_more": bool(next_cursor),
        "response_metadata": {"next_cursor": next_cursor},
    }


CONVERSATION_METHODS: dict[str, Handler] = {
    "conversations.create": create,
    "conversations.invite": invite,
    "conversations.join": join,
    "conversations.setTopic": set_topic,
    "conversations.members": members,
    "conversations.history": history,
}
