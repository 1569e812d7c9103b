"""A Block Kit message as a terminal shows it: what a person sees in Slack, in 80 columns.

Headers, sections (their fields as "Label: value"), buttons as `[Label]`, context in
a quieter line, dividers as a rule. Emphasis marks are dropped (a terminal has no
bold); mentions, channels and dates go through `readable` (the transcript's names,
and a date token's fallback, which is in the organisation's zone).
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["WIDTH", "render_blocks", "render_text"]

WIDTH = 72
"""Text width inside the transcript's indent: 80 columns in all."""

_BOLD = re.compile(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_([^_\n]+)_(?![\w_])")
Json = Mapping[str, Any]


def _plain(text: str, readable: Callable[[str], str]) -> str:
    return _ITALIC.sub(r"\1", _BOLD.sub(r"\1", readable(text)))


def _wrapped(text: str, first: str = "", then: str = "") -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines += textwrap.wrap(
            paragraph,
            WIDTH,
            initial_indent=first,
            subsequent_indent=then,
            break_on_hyphens=False,  # a channel name stays whole
        )
        first = then
    return lines


def _buttons(elements: Iterable[Json], readable: Callable[[str], str]) -> str:
    return " ".join(
        f"[{_plain(str(e['text']['text']), readable)}]"
        for e in elements
        if e.get("type") == "button"
    )


def _section(block: Json, readable: Callable[[str], str]) -> list[str]:
    lines: list[str] = []
    if block.get("text"):
        lines += _wrapped(_plain(str(block["text"]["text"]), readable))
    for field in block.get("fields") or []:
        label, _, value = _plain(str(field["text"]), readable).partition("\n")
        lines += _wrapped(f"{label}: {value}" if value else label)
    accessory = block.get("accessory")
    if accessory and accessory.get("type") == "button":
        button = _buttons([accessory], readable)
        if lines and len(lines[-1]) + len(button) + 2 <= WIDTH:
            lines[-1] += f"  {button}"
        else:
            lines.append(button)
    return lines


def render_blocks(blocks: Iterable[Json], readable: Callable[[str], str]) -> list[str]:
    """The lines of a message's blocks, each at most `WIDTH` wide (a long word aside)."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            lines += _wrapped(_plain(str(block["text"]["text"]), readable).upper())
        elif kind == "section":
            lines += _section(block, readable)
        elif kind == "actions":
            lines += _wrapped(_buttons(block.get("elements") or [], readable))
        elif kind == "context":
            texts = [
                _plain(str(e.get("text", "")), readable)
                for e in block.get("elements") or []
                if isinstance(e, Mapping)
            ]
            lines += _wrapped(" ".join(texts), "· ", "  ")
        elif kind == "divider":
            lines.append("─" * 24)
    return lines


def render_text(text: str, readable: Callable[[str], str]) -> list[str]:
    """A message without blocks (its mrkdwn text), the same way."""
    return _wrapped(_plain(text, readable))
