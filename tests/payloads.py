"""Reading Slack payloads in assertions."""

from __future__ import annotations

import json


def mrkdwn_texts(node: object) -> list[str]:
    """Every mrkdwn string in a payload (plain_text is never parsed for mentions or links)."""
    if isinstance(node, list):
        return [text for item in node for text in mrkdwn_texts(item)]
    if not isinstance(node, dict):
        return []
    if node.get("type") == "mrkdwn":
        return [node["text"]]
    return [text for value in node.values() for text in mrkdwn_texts(value)]


def answer_text(body: str) -> str:
    """The text of a synchronous answer: Slack takes a JSON message or plain text."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return body
    return str(parsed["text"]) if isinstance(parsed, dict) else body
