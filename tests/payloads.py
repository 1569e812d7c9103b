"""Reading Slack payloads in assertions."""

from __future__ import annotations


def mrkdwn_texts(node: object) -> list[str]:
    """Every mrkdwn string in a payload (plain_text is never parsed for mentions or links)."""
    if isinstance(node, list):
        return [text for item in node for text in mrkdwn_texts(item)]
    if not isinstance(node, dict):
        return []
    if node.get("type") == "mrkdwn":
        return [node["text"]]
    return [text for value in node.values() for text in mrkdwn_texts(value)]
