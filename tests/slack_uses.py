"""What Warroom uses of Slack, read from the code itself (never a list kept by hand).

- `called_methods()`: every Web API method the code under `src/warroom` can call,
  found statically (so every path counts, not just the ones a test happens to
  run): each `<client>.<sdk_method>(` call, resolved to the Web API methods that
  slack_sdk's `AsyncWebClient.<sdk_method>` calls (read from slack_sdk's own
  source, so `files_upload_v2` is its two `files.*External` calls), and each
  `api_call("x.y")`. The demo's Slack stand-in (`warroom.demo.slack`) is not Warroom.
- `recording_registrations(monkeypatch)`: what Bolt apps built afterwards (by
  `build_bolt_app`) listen to, recorded as they are built (events, commands,
  shortcuts, actions, views; patterns kept as patterns), with
  the parameter names of each listener function (a listener asking for Bolt's
  `say` posts with chat.postMessage without naming it).
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import slack_sdk.web.async_client
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

__all__ = [
    "CallSite",
    "Registrations",
    "called_methods",
    "calls_in",
    "recording_registrations",
]

SRC = Path(__file__).resolve().parent.parent / "src" / "warroom"
NOT_WARROOM = {SRC / "demo" / "slack"}

# Bolt's ways to register a listener; the first argument is the constraint.
REGISTRARS = (
    "event",
    "message",
    "command",
    "shortcut",
    "global_shortcut",
    "message_shortcut",
    "action",
    "block_action",
    "attachment_action",
    "view",
    "view_submission",
    "view_closed",
    "options",
    "block_suggestion",
    "function",
    "dialog_submission",
    "dialog_cancellation",
    "dialog_suggestion",
)

# Bolt arguments that call the Web API when a listener uses them.
BOLT_ARGUMENT_METHODS = {"say": "chat.postMessage"}


@dataclass(frozen=True)
class CallSite:
    method: str
    where: str  # path:line


@cache
def sdk_methods() -> dict[str, frozenset[str]]:
    """AsyncWebClient method name -> the Web API methods it calls (transitively)."""
    source = Path(inspect.getfile(slack_sdk.web.async_client)).read_text(encoding="utf-8")
    (cls,) = (
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.ClassDef) and node.name == AsyncWebClient.__name__
    )
    direct: dict[str, set[str]] = {}
    calls: dict[str, set[str]] = {}
    for fn in cls.body:
        if not isinstance(fn, ast.AsyncFunctionDef | ast.FunctionDef):
            continue
        direct[fn.name], calls[fn.name] = set(), set()
        for node in ast.walk(fn):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if not (isinstance(node.func.value, ast.Name) and node.func.value.id == "self"):
                continue
            if node.func.attr == "api_call":
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    direct[fn.name].add(first.value)
            else:
                calls[fn.name].add(node.func.attr)

    def resolve(name: str, seen: frozenset[str]) -> frozenset[str]:
        found = set(direct.get(name, ()))
        for callee in calls.get(name, set()) - seen:
            found |= resolve(callee, seen | {callee})
        return frozenset(found)

    table = {name: resolve(name, frozenset({name})) for name in direct}
    return {name: methods for name, methods in table.items() if methods}


def _warroom_sources() -> Iterator[Path]:
    for path in sorted(SRC.rglob("*.py")):
        if not any(path.is_relative_to(excluded) for excluded in NOT_WARROOM):
            yield path


def calls_in(source: str, where: str) -> list[CallSite]:
    """The Web API calls in one module's source."""
    table = sdk_methods()
    sites: list[CallSite] = []
    for node in ast.walk(ast.parse(source, filename=where)):
        # Any mention of an SDK method counts, called or passed on (`partial(...)`).
        if isinstance(node, ast.Attribute):
            for method in table.get(node.attr, ()):
                sites.append(CallSite(method, f"{where}:{node.lineno}"))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "api_call"
        ):
            first = node.args[0] if node.args else None
            assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
                f"{where}:{node.lineno}: api_call with a method name this check cannot read"
            )
            sites.append(CallSite(first.value, f"{where}:{node.lineno}"))
    return sites


def call_sites() -> list[CallSite]:
    """Every Web API call in Warroom's source, with where it is."""
    root = SRC.parent.parent
    return [
        site
        for path in _warroom_sources()
        for site in calls_in(path.read_text(encoding="utf-8"), str(path.relative_to(root)))
    ]


def called_methods() -> dict[str, list[str]]:
    """Web API method -> where Warroom's source calls it."""
    found: dict[str, list[str]] = {}
    for site in call_sites():
        found.setdefault(site.method, []).append(site.where)
    return found


@dataclass
class Registrations:
    """What Bolt apps were told to listen to, in order: (registrar, constraint)."""

    listeners: list[tuple[str, Any]] = field(default_factory=list)
    parameters: set[str] = field(default_factory=set)

    def constraints(self, *registrars: str) -> list[Any]:
        return [constraint for kind, constraint in self.listeners if kind in registrars]

    def event_types(self) -> set[str]:
        """Event types with a listener of their own; a pattern (the catch-all that
        acknowledges anything else) is no listener for any particular event."""
        types: set[str] = set()
        for constraint in self.constraints("event"):
            if isinstance(constraint, dict):
                constraint = constraint.get("type")
            if isinstance(constraint, str):
                types.add(constraint)
        if self.constraints("message"):
            types.add("message")
        return types

    def named(self, *registrars: str) -> set[str]:
        """The plain-string constraints (command names, callback ids) for `registrars`."""
        names: set[str] = set()
        for constraint in self.constraints(*registrars):
            if isinstance(constraint, dict):
                constraint = constraint.get("callback_id")
            if isinstance(constraint, str):
                names.add(constraint)
        return names

    def bolt_argument_methods(self) -> set[str]:
        return {
            method
            for argument, method in BOLT_ARGUMENT_METHODS.items()
            if argument in self.parameters
        }


def _recording(
    registrar: str, original: Callable[..., Any], seen: Registrations
) -> Callable[..., Any]:
    def register(self: AsyncApp, *args: Any, **kwargs: Any) -> Any:
        constraint = args[0] if args else next(iter(kwargs.values()), None)
        seen.listeners.append((registrar, constraint))
        attach = original(self, *args, **kwargs)

        def attach_recorded(*functions: Any, **named: Any) -> Any:
            for function in (*functions, *named.values()):
                if callable(function):
                    seen.parameters.update(inspect.signature(function).parameters)
            return attach(*functions, **named)

        return attach_recorded

    return register


_UNRECORDED = {registrar: getattr(AsyncApp, registrar) for registrar in REGISTRARS}


def recording_registrations(monkeypatch: pytest.MonkeyPatch) -> Registrations:
    """From now on (in this test), every listener registered on any AsyncApp is recorded
    here (and no longer where an earlier call recorded them)."""
    seen = Registrations()
    for registrar, original in _UNRECORDED.items():
        monkeypatch.setattr(AsyncApp, registrar, _recording(registrar, original, seen))
    return seen


def pattern_text(constraint: Any) -> str:
    return constraint.pattern if isinstance(constraint, re.Pattern) else repr(constraint)
