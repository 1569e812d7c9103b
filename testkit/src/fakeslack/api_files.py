"""files.delete: tests call it, `warroom demo` never does (its upload flow is
`warroom.demo.slack.api_files`)."""

from __future__ import annotations

from typing import Any

from warroom.demo.slack.params import get_str
from warroom.demo.slack.server import Handler
from warroom.demo.slack.state import ApiError, Workspace

__all__ = ["FILE_METHODS"]

Json = dict[str, Any]


def delete_file(ws: Workspace, args: Json) -> Json:
    """A bot may delete only the files it uploaded."""
    state = ws.files.get(get_str(args, "file") or "")
    if state is None:
        raise ApiError("file_not_found")
    if state.user != ws.acting:
        raise ApiError("cant_delete_file")
    del ws.files[state.id]
    return {"ok": True}


FILE_METHODS: dict[str, Handler] = {"files.delete": delete_file}
