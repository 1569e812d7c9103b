"""users.conversations, users.info and users.list of the demo's Web API
(usergroups.users.list is the test kit's)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from warroom.demo.slack.params import get_bool, get_str, paginate
from warroom.demo.slack.state import ApiError, Workspace, is_user_id

__all__ = ["USER_METHODS"]

Json = dict[str, Any]
Handler = Callable[[Workspace, Json], Json]

CONVERSATIONS_PAGE_MAX = 1000
USERS_PAGE_MAX = 1000
_TYPES = {"public_channel", "private_channel", "mpim", "im"}


def conversations(ws: Workspace, args: Json) -> Json:
    """The conversations `user` (default: the caller, the bot) is a member of."""
    user = get_str(args, "user") or ws.acting
    types = set((get_str(args, "types") or "public_channel").split(","))
    if not types <= _TYPES:
        raise ApiError("invalid_types")
    exclude_archived = get_bool(args, "exclude_archived")
    listed = [
        state
        for state in ws.channels.values()
        if user in state.members
        and not state.is_im
        and ("private_channel" if state.is_private else "public_channel") in types
        and not (exclude_archived and state.is_archived)
    ]
    page, next_cursor = paginate(listed, args, page_max=CONVERSATIONS_PAGE_MAX)
    return {
        "ok": True,
        "channels": [ws.channel_json(state) for state in page],
        "response_metadata": {"next_cursor": next_cursor},
    }


def info(ws: Workspace, args: Json) -> Json:
    """Any user ID is someone (the stand-in knows everyone); anything else is not."""
    user = args.get("user")
    if not is_user_id(user):
        raise ApiError("user_not_found")
    return {"ok": True, "user": ws.user_json(str(user))}


def users_list(ws: Workspace, args: Json) -> Json:
    """The users set up (and the bot), in ID order, a page at a time."""
    page, next_cursor = paginate(sorted(ws.users), args, page_max=USERS_PAGE_MAX)
    return {
        "ok": True,
        "members": [ws.user_json(user_id) for user_id in page],
        "cache_ts": int(time.time()),
        "response_metadata": {"next_cursor": next_cursor},
    }


USER_METHODS: dict[str, Handler] = {
    "users.conversations": conversations,
    "users.info": info,
    "users.list": users_list,
}
