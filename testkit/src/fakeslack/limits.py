"""Slack's Block Kit and naming limits, as pure checks.

Each problem is one string shaped like Slack's own `response_metadata.messages`
entries (without the leading ``[ERROR] ``), e.g.
``must be less than 3001 characters [json-pointer:/blocks/0/text/text]``.
An empty list means Slack would accept the payload.
"""

from __future__ import annotations

import re
from typing import Any

from fakeslack.block_checker import BlockChecker, at
from warroom.demo.slack.checks import Checks, Surface

__all__ = [
    "CHANNEL_NAME_MAX",
    "MAX_BLOCKS",
    "SlackLimits",
    "Surface",
    "block_problems",
    "channel_name_problem",
    "view_problems",
]

MAX_BLOCKS: dict[str, int] = {"message": 50, "modal": 100, "home": 100}
CHANNEL_NAME_MAX = 80
_CHANNEL_NAME_OK = re.compile(r"[a-z0-9_-]+")


def _check_blocks(checker: BlockChecker, blocks: Any, path: str) -> None:
    if not isinstance(blocks, list):
        checker.add("must provide an array", path)
        return
    limit = MAX_BLOCKS[checker.surface]
    if len(blocks) > limit:
        checker.add(f"no more than {limit} items allowed", path)
    for i, block in enumerate(blocks):
        checker.block(block, f"{path}/{i}")


def block_problems(
    blocks: list[dict[str, Any]], *, surface: Surface, path: str = "/blocks"
) -> list[str]:
    """Everything Slack would reject in `blocks` shown on `surface`."""
    checker = BlockChecker(surface)
    _check_blocks(checker, blocks, path)
    return checker.problems


def view_problems(view: dict[str, Any]) -> list[str]:
    """Everything Slack would reject in a `modal` or `home` view payload."""
    ptr = "/view"
    if not isinstance(view, dict):
        return [at("must provide an object", ptr)]
    kind = view.get("type")
    if kind not in ("modal", "home"):
        message = "missing required field: type" if kind is None else f"unsupported type: {kind}"
        return [at(message, f"{ptr}/type")]
    checker = BlockChecker("modal" if kind == "modal" else "home")
    if kind == "modal":
        checker.text(view.get("title"), f"{ptr}/title", max_len=24, plain_only=True)
        for key in ("submit", "close"):
            if key in view:
                checker.text(view[key], f"{ptr}/{key}", max_len=24, plain_only=True)
        blocks = view.get("blocks")
        has_input = isinstance(blocks, list) and any(
            isinstance(b, dict) and b.get("type") == "input" for b in blocks
        )
        if has_input and "submit" not in view:
            checker.add("submit is required when an input block is within the blocks", ptr)
    checker.string(view, "callback_id", ptr, 255)
    checker.string(view, "external_id", ptr, 255)
    checker.string(view, "private_metadata", ptr, 3000)
    if "blocks" not in view:
        checker.add("missing required field: blocks", ptr)
    else:
        _check_blocks(checker, view["blocks"], f"{ptr}/blocks")
    return checker.problems


def channel_name_problem(name: str) -> str | None:
    """Slack's error code for an unusable channel name, or None when it is fine."""
    if not name:
        return "invalid_name_required"
    if len(name) > CHANNEL_NAME_MAX:
        return "invalid_name_maxlength"
    if not _CHANNEL_NAME_OK.fullmatch(name):
        return "invalid_name_specials"
    if not re.search(r"[a-z0-9]", name):
        return "invalid_name_punctuation"
    return None


class SlackLimits(Checks):
    """FakeSlack refuses what Slack's limits refuse."""

    def block_problems(self, blocks: list[Any], *, surface: Surface) -> list[str]:
        return block_problems(blocks, surface=surface)

    def view_problems(self, view: dict[str, Any]) -> list[str]:
        return view_problems(view)

    def channel_name_problem(self, name: str) -> str | None:
        return channel_name_problem(name)
