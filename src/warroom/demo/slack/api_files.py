"""Slack's external file upload flow: files.getUploadURLExternal, the upload URL, and
files.completeUploadExternal, as `AsyncWebClient.files_upload_v2` drives them."""

from __future__ import annotations

import mimetypes
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from aiohttp import BodyPartReader, web

from warroom.demo.slack.params import get_str
from warroom.demo.slack.state import ApiError, ChannelState, Workspace, is_user_id

__all__ = [
    "ALT_TXT_MAX",
    "CHANNELS_MAX",
    "FILE_METHODS",
    "SNIPPET_MAX_BYTES",
    "UPLOAD_METHOD",
    "UPLOAD_ROUTE",
    "FileState",
    "file_view",
    "receive_upload",
]

Json = dict[str, Any]
Handler = Callable[[Workspace, Json], Json]

UPLOAD_METHOD = "file_upload"  # how the POST of the bytes to upload_url is recorded
UPLOAD_ROUTE = "/upload/{file_id}"
# files.getUploadURLExternal docs: snippets "are limited to 1MB"; alt_txt "limit of 1000".
SNIPPET_MAX_BYTES = 1024 * 1024
ALT_TXT_MAX = 1000
# files.completeUploadExternal docs: "A maximum of 100 channels is allowed per request."
CHANNELS_MAX = 100
_INTEGER = re.compile(r"-?\d+")
_FILETYPES = {"txt": "text", "md": "markdown", "py": "python", "yml": "yaml", "": "binary"}


@dataclass
class FileState:
    """One file from files.getUploadURLExternal on; `data` is None until uploaded."""

    id: str
    name: str
    length: int
    user: str
    created: int
    alt_txt: str | None = None
    snippet_type: str | None = None
    data: bytes | None = None
    title: str | None = None
    completed: bool = False
    shares: list[Json] = field(default_factory=list)  # {"channel", "ts", "thread_ts"?}


def _invalid(*messages: str) -> ApiError:
    return ApiError(
        "invalid_arguments", response_metadata={"messages": [f"[ERROR] {m}" for m in messages]}
    )


def _length(args: Json) -> int:
    value = args.get("length")
    if value is None or value == "":
        raise _invalid("missing required field: length")
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _invalid("must be an integer [json-pointer:/length]")
    if value < 0:
        raise _invalid("must be greater than or equal to 0 [json-pointer:/length]")
    if value == 0:
        raise ApiError("missing_argument")
    return value


def get_upload_url(ws: Workspace, args: Json) -> Json:
    filename = get_str(args, "filename")
    if not filename:
        raise _invalid("missing required field: filename")
    length = _length(args)
    alt_txt = get_str(args, "alt_txt") or None
    if alt_txt is not None and len(alt_txt) > ALT_TXT_MAX:
        raise ApiError("alt_txt_too_large")
    snippet_type = get_str(args, "snippet_type") or None
    if snippet_type is not None and length > SNIPPET_MAX_BYTES:
        raise ApiError("snippet_too_large")
    state = FileState(
        id=ws.new_id("F"),
        name=filename,
        length=length,
        user=ws.bot_user_id,
        created=int(time.time()),
        alt_txt=alt_txt,
        snippet_type=snippet_type,
    )
    ws.files[state.id] = state
    upload_url = ws.base_url + UPLOAD_ROUTE.format(file_id=state.id)
    return {"ok": True, "upload_url": upload_url, "file_id": state.id}


async def _read_upload(request: web.Request) -> tuple[bytes, Json]:
    """The uploaded bytes: the raw body, or the `file` (else first) part of a multipart form."""
    if not request.content_type.startswith("multipart/"):
        return await request.content.read(), {"content_type": request.content_type}
    chosen: bytes | None = None
    info: Json = {"content_type": request.content_type}
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        data = bytes(await part.read(decode=False))
        if chosen is None or part.name == "file":
            chosen = data
            info.update(field=part.name, filename=part.filename)
    return chosen or b"", info


async def receive_upload(ws: Workspace, request: web.Request) -> tuple[int, Json, Json]:
    """(HTTP status, recorded args, recorded answer) for a POST to an upload URL.

    Slack answers `200 text/plain "OK - <bytes>"`; the answer's `body` is that text.
    """
    file_id = request.match_info["file_id"]
    data, info = await _read_upload(request)
    args: Json = {"file_id": file_id, "length": len(data), **info}
    state = ws.files.get(file_id)
    if state is None:
        return 404, args, _upload_error("file_not_found", f"unknown upload: {file_id}")
    if state.completed:
        return 400, args, _upload_error("already_completed", "upload was already completed")
    if len(data) != state.length:
        detail = f"length mismatch: expected {state.length} bytes, got {len(data)}"
        return 400, args, _upload_error("length_mismatch", detail)
    state.data = data
    return 200, args, {"ok": True, "body": f"OK - {len(data)}"}


def _upload_error(error: str, detail: str) -> Json:
    return {"ok": False, "error": error, "body": f"{error}: {detail}"}


def _file_items(ws: Workspace, args: Json) -> list[tuple[FileState, str | None]]:
    items = args.get("files")
    if items is None:
        raise _invalid("missing required field: files")
    if not isinstance(items, list):
        raise _invalid("must provide an array [json-pointer:/files]")
    if not items:
        raise _invalid("must provide at least 1 items [json-pointer:/files]")
    chosen: list[tuple[FileState, str | None]] = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise _invalid(f"missing required field: id [json-pointer:/files/{i}]")
        state = ws.files.get(item["id"])
        if state is None or state.data is None or state.completed:
            raise ApiError("file_not_found")
        title = item.get("title")
        chosen.append((state, title if isinstance(title, str) and title else None))
    return chosen


def _share_targets(ws: Workspace, args: Json) -> list[ChannelState]:
    targets: list[ChannelState] = []
    channel_id = get_str(args, "channel_id")
    if channel_id:
        targets.append(_shareable(ws, ws.visible(channel_id)))
    channels = args.get("channels")
    if isinstance(channels, str):
        channels = [c.strip() for c in channels.split(",") if c.strip()]
    if isinstance(channels, list):
        if len(channels) > CHANNELS_MAX:
            raise ApiError("channels_limit_exceeded")
        for channel in channels:
            if is_user_id(channel):
                state = ws.open_dm(channel)
            else:
                try:
                    state = ws.visible(channel)
                except ApiError:
                    raise ApiError("invalid_channel") from None
            targets.append(_shareable(ws, state))
    unique = {state.id: state for state in targets}
    return list(unique.values())


def _shareable(ws: Workspace, state: ChannelState) -> ChannelState:
    if state.is_archived:
        raise ApiError("posting_to_channel_denied")
    if ws.bot_user_id not in state.members:
        raise ApiError("not_in_channel")
    return state


def complete_upload(ws: Workspace, args: Json) -> Json:
    chosen = _file_items(ws, args)
    targets = _share_targets(ws, args)
    thread_ts = get_str(args, "thread_ts") or None
    if thread_ts is not None and len(targets) > 1:
        raise _invalid("thread_ts can only be used with a single channel")
    comment = get_str(args, "initial_comment") or ""
    blocks = args.get("blocks") if not comment else None
    if blocks is not None and (
        not isinstance(blocks, list) or ws.checks.block_problems(blocks, surface="message")
    ):
        raise ApiError("invalid_blocks")
    for state, title in chosen:
        state.title = title or state.name
        state.completed = True
    for channel in targets:
        message = ws.new_message(
            channel, user=ws.bot_user_id, text=comment, blocks=blocks, thread_ts=thread_ts
        )
        message["files"] = [file_json(ws, state, shares=False) for state, _ in chosen]
        message["upload"] = True
        message["display_as_bot"] = False
        for state, _ in chosen:
            share: Json = {"channel": channel.id, "ts": message["ts"]}
            if "thread_ts" in message:
                share["thread_ts"] = message["thread_ts"]
            state.shares.append(share)
    return {"ok": True, "files": [file_json(ws, state) for state, _ in chosen]}


def _types(state: FileState) -> tuple[str, str]:
    """(mimetype, filetype) the way Slack derives them from the name or snippet_type."""
    ext = os.path.splitext(state.name)[1].lstrip(".").lower()
    mimetype = mimetypes.guess_type(state.name)[0]
    if state.snippet_type is not None:
        return mimetype or "text/plain", state.snippet_type
    return mimetype or "application/octet-stream", _FILETYPES.get(ext, ext)


def file_json(ws: Workspace, state: FileState, *, shares: bool = True) -> Json:
    mimetype, filetype = _types(state)
    name = quote(state.name)
    private = f"https://files.slack.com/files-pri/{ws.team_id}-{state.id}"
    data: Json = {
        "id": state.id,
        "created": state.created,
        "timestamp": state.created,
        "name": state.name,
        "title": state.title or state.name,
        "mimetype": mimetype,
        "filetype": filetype,
        "pretty_type": filetype.capitalize(),
        "user": state.user,
        "user_team": ws.team_id,
        "editable": state.snippet_type is not None,
        "size": state.length,
        "mode": "snippet" if state.snippet_type is not None else "hosted",
        "is_external": False,
        "external_type": "",
        "is_public": False,
        "public_url_shared": False,
        "display_as_bot": False,
        "username": "",
        "url_private": f"{private}/{name}",
        "url_private_download": f"{private}/download/{name}",
        "permalink": f"https://{ws.team_domain}.slack.com/files/{state.user}/{state.id}/{name}",
        "comments_count": 0,
        "is_starred": False,
        "has_rich_preview": False,
        "file_access": "visible",
    }
    if state.alt_txt is not None:
        data["alt_txt"] = state.alt_txt
    if shares:
        data.update(_shares_json(ws, state))
    return data


def _shares_json(ws: Workspace, state: FileState) -> Json:
    public: dict[str, list[Json]] = {}
    private: dict[str, list[Json]] = {}
    lists: dict[str, list[str]] = {"channels": [], "groups": [], "ims": []}
    for share in state.shares:
        channel = ws.channels[share["channel"]]
        is_public = not channel.is_private and not channel.is_im
        entry: Json = {
            "ts": share["ts"],
            "channel_name": channel.name,
            "team_id": ws.team_id,
            "share_user_id": state.user,
            "source": "UNKNOWN",
            "is_silent_share": False,
        }
        if "thread_ts" in share:
            entry["thread_ts"] = share["thread_ts"]
        (public if is_public else private).setdefault(channel.id, []).append(entry)
        kind = "channels" if is_public else "ims" if channel.is_im else "groups"
        if channel.id not in lists[kind]:
            lists[kind].append(channel.id)
    shares: Json = {}
    if public:
        shares["public"] = public
    if private:
        shares["private"] = private
    return {"shares": shares, **lists, "is_public": bool(public), "has_more_shares": False}


def file_view(ws: Workspace, file_id: str) -> Json | None:
    """Test-facing copy: name, title, `content` (UTF-8 text), `data` (bytes), shares."""
    state = ws.files.get(file_id)
    if state is None:
        return None
    return {
        "id": state.id,
        "name": state.name,
        "title": state.title,
        "length": state.length,
        "alt_txt": state.alt_txt,
        "snippet_type": state.snippet_type,
        "uploaded": state.data is not None,
        "completed": state.completed,
        "data": state.data,
        "content": state.data.decode("utf-8", "replace") if state.data is not None else None,
        "channels": list(dict.fromkeys(share["channel"] for share in state.shares)),
        "shares": ws.copy_json(state.shares),
    }


FILE_METHODS: dict[str, Handler] = {
    "files.getUploadURLExternal": get_upload_url,
    "files.completeUploadExternal": complete_upload,
}
