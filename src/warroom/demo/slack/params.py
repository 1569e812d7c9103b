"""Reading Web API arguments the way Slack does (form, query string or JSON)."""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from aiohttp import web

from warroom.demo.slack.state import ApiError

__all__ = [
    "JSON_FIELDS",
    "get_bool",
    "get_str",
    "normalize_args",
    "paginate",
    "read_body",
]

T = TypeVar("T")

# Arguments Slack documents as "a JSON-based array/object, presented as a URL-encoded string".
JSON_FIELDS = ("blocks", "attachments", "view", "metadata", "unfurled_attachments", "files")


def normalize_args(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Merge-ready copy: drop nulls, decode JSON strings, split `users` into a list."""
    args: dict[str, Any] = {}
    for key, value in raw.items():
        if value is None:
            continue
        if key in JSON_FIELDS and isinstance(value, str):
            # Undecodable stays a string: the handler answers *_format / invalid_arguments.
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        elif key == "users" and isinstance(value, str):
            value = [u.strip() for u in value.split(",") if u.strip()]
        args[key] = value
    return args


def get_str(args: Mapping[str, Any], key: str) -> str | None:
    value = args.get(key)
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value if isinstance(value, str) else None


def get_bool(args: Mapping[str, Any], key: str) -> bool:
    value = args.get(key)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    return isinstance(value, str) and value.strip().lower() in ("1", "true", "yes")


async def read_body(request: web.Request) -> Mapping[str, Any]:
    """The request's form or JSON body as a mapping; ApiError when the JSON is unusable."""
    if request.method != "POST" or not request.can_read_body:
        return {}
    if request.content_type == "application/json":
        try:
            data = json.loads(await request.text())
        except ValueError:
            raise ApiError("invalid_json") from None
        if not isinstance(data, dict):
            raise ApiError("json_not_object")
        return data
    form = await request.post()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def paginate(items: Sequence[T], args: Mapping[str, Any], *, page_max: int) -> tuple[list[T], str]:
    """One page of `items` for Slack's cursor pagination (`limit`, `cursor`, `next_cursor`)."""
    raw_limit = get_str(args, "limit")
    try:
        limit = int(raw_limit) if raw_limit else 100
    except ValueError:
        raise ApiError("invalid_limit") from None
    if limit < 1:
        raise ApiError("invalid_limit")
    limit = min(limit, page_max)
    cursor = get_str(args, "cursor") or ""
    offset = 0
    if cursor:
        try:
            offset = int(base64.b64decode(cursor, validate=True).decode().removeprefix("offset:"))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise ApiError("invalid_cursor") from None
    following = offset + limit
    more = following < len(items)
    next_cursor = base64.b64encode(f"offset:{following}".encode()).decode() if more else ""
    return list(items[offset:following]), next_cursor
