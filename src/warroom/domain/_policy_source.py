"""Where things are in a policy's TOML text: key paths, line numbers, how to name them.

tomllib keeps no positions, so `Locator` scans the text for table headers and
keys; `syntax_problem` turns a TOMLDecodeError message into one problem line.
"""

from __future__ import annotations

import json
import re

Where = tuple[str | int, ...]  # ("severities", 1, "update_every")
_HEADER = re.compile(r"""\s*(\[\[?)\s*([\w\-. "']+?)\s*\]\]?\s*(?:#.*)?$""")
_KEY = re.compile(r"""\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")
_SYNTAX = re.compile(r"(.*) \(at (?:line (\d+), column (\d+)|end of document)\)", re.DOTALL)


class Locator:
    """Best-effort line numbers: tomllib keeps no positions, so scan headers and keys."""

    def __init__(self, text: str) -> None:
        self.lines: dict[Where, int] = {}
        self.duplicates: list[tuple[Where, int, int]] = []
        table: Where = ()
        counts: dict[str, int] = {}
        for number, line in enumerate(text.splitlines(), 1):
            if header := _HEADER.match(line):
                name = tuple(part.strip().strip("\"'") for part in header[2].split("."))
                table = name
                if header[1] == "[[":
                    counts[header[2]] = counts.get(header[2], 0) + 1
                    table = (*name, counts[header[2]] - 1)
                self.lines.setdefault(name, number)
                self.lines.setdefault(table, number)
            elif key := _KEY.match(line):
                where = (*table, key[1].strip("\"'"))
                if where in self.lines:
                    self.duplicates.append((where, self.lines[where], number))
                self.lines.setdefault(where, number)

    def __call__(self, where: Where) -> int | None:
        for end in range(len(where), 0, -1):
            if (line := self.lines.get(where[:end])) is not None:
                return line
        return None


def syntax_problem(message: str, text: str, source: str, locate: Locator) -> str:
    if message.startswith("Cannot overwrite a value") and locate.duplicates:
        where, first, line = locate.duplicates[0]
        return (
            f"{source} line {line}: {where_name(where)} is set twice (first on line {first}); "
            "keep one of them"
        )
    match = _SYNTAX.fullmatch(message)
    if match is None:
        return f"{source}: not valid TOML: {message}"
    what, line_no, column = match.groups()
    at = f"line {line_no or max(1, len(text.splitlines()))}"
    col = f" (column {column})" if column else " (at the end of the file)"
    return (
        f"{source} {at}: not valid TOML: {what[:1].lower()}{what[1:]}{col}; fix the syntax there "
        '(text needs quotes, like update_every = "30m")'
    )


def where_name(where: Where) -> str:
    out = ""
    for part in where:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else part
    return out or "the policy"


def show_value(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return json.dumps(value if len(value) <= 40 else value[:37] + "...", ensure_ascii=False)
    if isinstance(value, list):
        return f"[{', '.join(show_value(item) for item in value)}]"
    if isinstance(value, dict):
        return "{...}"
    return str(value)
