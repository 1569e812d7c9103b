"""Checking a parsed policy: collect problems, each placed on its line with its fix.

`Check` gathers the problems for the whole file; `Table` reads typed values out
of one TOML table, reporting whatever is wrong with them to its `Check`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from warroom.domain._policy_source import Locator, Where, show_value, where_name
from warroom.domain.durations import DURATION_EXAMPLES, parse_duration


class Check:
    """The problems found so far, each placed on its line; sorted by line at the end."""

    def __init__(self, source: str, locate: Locator) -> None:
        self.source = source
        self.locate = locate
        self._found: list[tuple[int, str]] = []

    @property
    def problems(self) -> list[str]:
        return [message for _, message in sorted(self._found, key=lambda found: found[0])]

    def problem(self, where: Where, message: str) -> None:
        line = self.locate(where)
        at = f"{self.source} line {line}" if line else self.source
        self._found.append((line or 0, f"{at}: {message}"))

    def tables(self, data: Mapping[str, Any], name: str, kind: str, limit: int) -> list[Table]:
        """The `[[name]]` tables; at most `limit` of them."""
        value = data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.problem(
                (name,),
                f"{name} is not a list of tables; give each {kind} its own [[{name}]] header",
            )
            return []
        if len(value) > limit:
            self.problem(
                (name, limit),
                f"{name} has {len(value)} entries, more than {limit}; "
                f"Slack offers at most {limit} options, so remove or merge some",
            )
        return [Table(self, (name, index), item) for index, item in enumerate(value)]

    def unique(self, kind: str, entries: list[tuple[Table, str]]) -> None:
        seen: dict[str, Table] = {}
        for table, key in entries:
            if key in seen:
                first = seen[key].where
                line = self.locate((*first, "key"))
                used = where_name(first) + (f" (line {line})" if line else "")
                table.bad("key", f"is already used by {used}; give each {kind} its own key")
            elif key:
                seen[key] = table


class Table:
    """One TOML table and where it is; reads typed values, reporting what is wrong."""

    def __init__(self, check: Check, where: Where, data: Mapping[str, Any]) -> None:
        self.check, self.where, self.data = check, where, data

    def bad(self, key: str, message: str) -> None:
        at = (*self.where, key)
        self.check.problem(at, f"{where_name(at)} = {show_value(self.data.get(key))} {message}")

    def keys(self, required: Mapping[str, str], *optional: str) -> None:
        """Unknown keys (with a did-you-mean) and missing ones (with an example)."""
        allowed = [*required, *optional]
        suggested = set()
        for key in self.data:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                suggested.update(close)
                fix = f"did you mean {close[0]}?" if close else f"valid keys: {', '.join(allowed)}"
                at = (*self.where, key)
                self.check.problem(at, f"{where_name(at)}: unknown key; {fix}")
        for key, example in required.items():
            if key not in self.data and key not in suggested:
                self.check.problem(
                    self.where, f"{where_name(self.where)} is missing {key}; add {key} = {example}"
                )

    def text(self, key: str, limit: int, why: str = "") -> str:
        value = self.data.get(key, "")
        if not isinstance(value, str):
            self.bad(key, 'is not text; put it in quotes, like "this"')
            return ""
        if key in self.data and not value.strip():
            self.bad(key, "is empty; write a few words")
        elif len(value) > limit:
            reason = f" ({why})" if why else ""
            self.bad(key, f"is {len(value)} characters; shorten it to {limit}{reason}")
        return value

    def key(self, pattern: str, example: str) -> str:
        raw = self.text("key", 40).strip()
        key = raw.upper() if pattern.startswith("SEV") else raw.lower()
        if raw and not re.fullmatch(pattern, key):
            self.bad("key", f"is not a valid key; write it like {example}")
            return ""
        return key

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.bad(key, f"is not true or false; write {key} = true or {key} = false")
            return default
        return value

    def duration(self, key: str, *, none: str = "", positive: bool = False) -> timedelta | None:
        """A duration; with `none` (what "none" means), the value may be "none"."""
        value = self.data.get(key)
        if value is None or (none and isinstance(value, str) and value.strip() == "none"):
            return None
        hint = f"write it like {DURATION_EXAMPLES}" + (f', or "none" {none}' if none else "")
        if not isinstance(value, str):
            self.bad(key, f"is not a duration (durations are quoted text); {hint}")
            return None
        if value.strip().startswith("-"):
            self.bad(key, f"is negative; {hint}")
            return None
        try:
            duration = parse_duration(value)
        except ValueError:
            self.bad(key, f"is not a duration; {hint}")
            return None
        if positive and not duration:
            self.bad(key, f"would ask for updates without pause; {hint}")
            return None
        return duration
