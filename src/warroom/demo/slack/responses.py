"""Slack's response_url endpoint: replies to slash commands and interactions."""

from __future__ import annotations

import json
from typing import Any

from warroom.demo.slack.params import get_bool, get_str
from warroom.demo.slack.state import Workspace

__all__ = [
    "RESPONSE_URL_MAX_USES",
    "RESPONSE_URL_METHOD",
    "answer_response_url",
    "response_url_args",
]

Json = dict[str, Any]

RESPONSE_URL_METHOD = "response_url"
# Slack: a response_url may be used up to 5 times within 30 minutes.
RESPONSE_URL_MAX_USES = 5


def response_url_args(key: str, text: str) -> Json:
    """What a POST to response_url `key` asked for, as recorded (even when it failed)."""
    try:
        payload = json.loads(text) if text else {}
    except ValueError:
        return {"key": key, "body": text}
    return {"key": key, **payload} if isinstance(payload, dict) else {"key": key, "body": payload}


def answer_response_url(ws: Workspace, key: str, text: str) -> tuple[int, Json, Json]:
    """(HTTP status, JSON answer, recorded args) for one POST to response_url `key`."""
    try:
        payload = json.loads(text) if text else {}
    except ValueError:
        return 400, {"ok": False, "error": "invalid_payload"}, {"key": key, "body": text}
    if not isinstance(payload, dict):
        return 400, {"ok": False, "error": "invalid_payload"}, {"key": key, "body": payload}
    args: Json = {"key": key, **payload}
    uses = ws.response_url_uses.get(key, 0) + 1
    ws.response_url_uses[key] = uses
    if uses > RESPONSE_URL_MAX_USES:
        return 404, {"ok": False, "error": "used_url"}, args
    target = ws.response_url_targets.get(key)
    if get_bool(payload, "delete_original"):
        if target is not None and target[1] is not None:
            ws.messages[target[0]] = [
                m for m in ws.messages.get(target[0], []) if m["ts"] != target[1]
            ]
        return 200, {"ok": True}, args
    blocks = payload.get("blocks")
    body = get_str(payload, "text")
    if not body and not blocks and not payload.get("attachments"):
        return 400, {"ok": False, "error": "no_text"}, args
    if blocks is not None:
        problems = ws.checks.block_problems(blocks, surface="message")
        if problems:
            messages = [f"[ERROR] {p}" for p in problems]
            answer = {"ok": False, "error": "invalid_blocks"}
            return 400, {**answer, "response_metadata": {"messages": messages}}, args
    if target is not None:
        _apply(ws, target, payload, body or "", blocks)
    return 200, {"ok": True}, args


def _apply(
    ws: Workspace, target: tuple[str, str | None], payload: Json, text: str, blocks: Any
) -> None:
    channel_id, message_ts = target
    channel = ws.channels.get(channel_id)
    if channel is None:
        return
    if get_bool(payload, "replace_original") and message_ts is not None:
        for message in ws.messages.get(channel_id, []):
            if message["ts"] == message_ts:
                message["text"] = text
                if blocks is not None:
                    message["blocks"] = blocks
                else:
                    message.pop("blocks", None)
        return
    if payload.get("response_type") == "in_channel":
        thread_ts = get_str(payload, "thread_ts")
        ws.new_message(channel, user=ws.bot_user_id, text=text, blocks=blocks, thread_ts=thread_ts)
