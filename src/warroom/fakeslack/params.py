"""Reading Web API arguments the way Slack does (form, query string or JSON)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from warroom.fakeslack.state import ApiError

__all__ = ["JSON_FIELDS", "get_bool", "get_str", "normalize_args", "read_body"]

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
