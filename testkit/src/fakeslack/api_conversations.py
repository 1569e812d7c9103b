"""conversations.archive/setPurpose/info/replies and usergroups.users.list: the methods
tests call that `warroom demo` never does (its own are
`warroom.demo.slack.api_conversations` and `.api_users`)."""

from __future__ import annotations

from typing import Any

from fakeslack.workspace import KitWorkspace, on_kit_workspace
from warroom.demo.slack.api_conversations import HISTORY_PAGE_MAX, set_text
from warroom.demo.slack.params import get_bool, get_str, paginate
from warroom.demo.slack.server import Handler
from warroom.demo.slack.state import ApiError, Workspace

__all__ = ["CONVERSATION_METHODS"]

Json = dict[str, Any]


def archive(ws: Workspace, args: Json) -> Json:
    state = ws.visible(args.get("channel"))
    if state.is_archived:
        raise ApiError("already_archived")
    if ws.bot_user_id not in state.members:
        raise ApiError("not_in_channel")
    state.is_archived = True
    return {"ok": True}


def set_purpose(ws: Workspace, args: Json) -> Json:
    return set_text(ws, args, "purpose")


def info(ws: Workspace, args: Json) -> Json:
    state = ws.visible(args.get("channel"))
    channel = ws.channel_json(state)
    if get_bool(args, "include_num_members"):
        channel["num_members"] = len(state.members)
    return {"ok": True, "channel": channel}


def replies(ws: Workspace, args: Json) -> Json:
    """A thread: its parent first, then the replies, oldest first, as Slack lists them.
    A `ts` that is itself a reply answers with just that message."""
    state = ws.visible(args.get("channel"))
    if not state.is_im and ws.acting not in state.members:
        raise ApiError("not_in_channel")
    ts = get_str(args, "ts")
    if not ts:
        raise ApiError("invalid_arguments")
    try:
        parent = ws.find_message(state.id, ts)
    except ApiError as error:
        raise ApiError("thread_not_found") from error
    if parent.get("thread_ts", ts) != ts:
        listed = [parent]
    else:
        listed = [parent] + [
            message
            for message in ws.messages.get(state.id, [])
            if message.get("thread_ts") == ts and message["ts"] != ts
        ]
    page, next_cursor = paginate(listed, args, page_max=HISTORY_PAGE_MAX)
    return {
        "ok": True,
        "messages": ws.copy_json(page),
        "has_more": bool(next_cursor),
        "response_metadata": {"next_cursor": next_cursor},
    }


def usergroup_users(ws: KitWorkspace, args: Json) -> Json:
    group = get_str(args, "usergroup")
    if group is None:
        raise ApiError("invalid_arguments")
    if group not in ws.usergroups:
        raise ApiError("no_such_subteam")
    return {"ok": True, "users": sorted(ws.usergroups[group])}


CONVERSATION_METHODS: dict[str, Handler] = {
    "conversations.archive": archive,
    "conversations.setPurpose": set_purpose,
    "conversations.info": info,
    "conversations.replies": replies,
    "usergroups.users.list": on_kit_workspace(usergroup_users),
}
