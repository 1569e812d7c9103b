"""Which alert route a group of alerts takes, and the text its templates make of it.

Routes come from the policy (`Policy.alert_routes`), tried in order: the first
whose conditions hold wins, and a group no route takes gets `DEFAULT_ROUTE`
(a triage card in the broadcast channel). A route's `title` and `impact` are
Jinja2 templates over a `TemplateContext`, rendered in a sandbox: the policy file
is reviewed, but a template still cannot reach Python's internals, and alert text
is only ever data, never a template. Rendering never raises: a template that
fails at run time gives a fallback (the alert's name).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

from jinja2 import ChainableUndefined, Template, TemplateSyntaxError
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from warroom.domain._policy_model import AlertRoute
from warroom.domain.alerts import FIRING, AlertStatus, Notification

__all__ = [
    "DEFAULT_ROUTE",
    "SAMPLE_CONTEXT",
    "TemplateContext",
    "render",
    "route_for",
    "template_problem",
]

DEFAULT_ROUTE = AlertRoute(name="default", action="propose")
"""Where a group goes that no policy route takes: a triage card, no severity
prefilled, in the broadcast channel."""

_FALLBACK = "Alert"
_MAX_REPEAT = 10_000  # the longest text or list `*` may make
_MAX_EXPONENT = 100


def route_for(
    routes: Sequence[AlertRoute], labels: Mapping[str, str], annotations: Mapping[str, str]
) -> AlertRoute:
    """The first route that matches, else `DEFAULT_ROUTE`."""
    return next((route for route in routes if route.matches(labels, annotations)), DEFAULT_ROUTE)


@dataclass(frozen=True)
class TemplateContext:
    """What a template sees: `labels`, `annotations`, `status`, `source`, `alerts` (the
    count) and `group_key`. Build it from stored group facts, or `from_notification`."""

    labels: Mapping[str, str] = field(default_factory=dict)
    annotations: Mapping[str, str] = field(default_factory=dict)
    status: AlertStatus = FIRING
    source: str = "generic"
    count: int = 1
    group_key: str = ""

    @classmethod
    def from_notification(cls, notification: Notification) -> TemplateContext:
        """The group's common labels and annotations, or the first alert's where the
        sender gave none; the count includes alerts the sender left out."""
        first = notification.alerts[0] if notification.alerts else None
        return cls(
            labels=dict(notification.common_labels or (first.labels if first else {})),
            annotations=dict(
                notification.common_annotations or (first.annotations if first else {})
            ),
            status=notification.status,
            source=notification.source,
            count=len(notification.alerts) + notification.truncated,
            group_key=notification.group_key,
        )

    @property
    def fallback(self) -> str:
        """What a failed or empty template gives: the alert's name."""
        return self.labels.get("alertname", "").strip() or _FALLBACK

    def variables(self) -> dict[str, Any]:
        return {
            "labels": dict(self.labels),
            "annotations": dict(self.annotations),
            "status": self.status,
            "source": self.source,
            "alerts": self.count,
            "group_key": self.group_key,
        }


SAMPLE_CONTEXT = TemplateContext(
    labels={
        "alertname": "ExampleAlert",
        "service": "example",
        "severity": "critical",
        "instance": "host-1:9100",
        "job": "example",
    },
    annotations={"summary": "Example summary", "description": "Example description"},
    source="alertmanager",
    count=2,
    group_key='{}:{alertname="ExampleAlert"}',
)
"""The alert the policy check renders every template against."""


class _Sandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def getattr(self, obj: Any, attribute: str) -> Any:
        # `labels.items` is the label named "items", not dict.items
        if isinstance(obj, Mapping) and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)

    def unsafe_undefined(self, obj: Any, attribute: str) -> NoReturn:
        # the default renders as empty text; refuse loudly so the policy check says so
        raise SecurityError(
            f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe"
        )

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int | float) and abs(right) > _MAX_EXPONENT:
            raise SecurityError(f"the exponent {right} is too large")
        if operator == "*" and _repeat_size(left, right) > _MAX_REPEAT:
            raise SecurityError(f"the result would be longer than {_MAX_REPEAT}")
        return super().call_binop(context, operator, left, right)


def _repeat_size(left: Any, right: Any) -> int:
    for seq, times in ((left, right), (right, left)):
        if isinstance(seq, str | list | tuple) and isinstance(times, int):
            return len(seq) * times
    return 0


_ENV = _Sandbox(autoescape=False, undefined=ChainableUndefined)
_ENV.globals.pop("lipsum", None)


@functools.lru_cache(maxsize=512)
def _compile(template: str) -> Template:
    return _ENV.from_string(template)


def _render_raw(template: str, context: TemplateContext, budget: int) -> str:
    """The template's output, stopped once it passes `budget` characters."""
    out: list[str] = []
    size = 0
    for chunk in _compile(template).generate(context.variables()):
        out.append(chunk)
        size += len(chunk)
        if size > budget:
            break
    return "".join(out)


def render(
    template: str, context: TemplateContext, *, limit: int, fallback: str | None = None
) -> str:
    """The template's text with whitespace collapsed, cut to `limit` characters (an
    ellipsis marks the cut). Undefined variables render as empty text. A template that
    fails, or renders blank, gives `fallback` instead (default: `context.fallback`; pass
    "" to get empty text and choose for yourself)."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    try:
        text = " ".join(_render_raw(template, context, 10 * limit + 10_000).split())
    except Exception:  # never raise: the alert must get through, under the fallback
        text = ""
    if not text:
        text = " ".join((context.fallback if fallback is None else fallback).split())
    return _cut(text, limit)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def template_problem(template: str) -> str | None:
    """What is wrong with a template, for the policy check: it does not compile, or it
    fails when rendered against `SAMPLE_CONTEXT`; None when it works."""
    try:
        _render_raw(template, SAMPLE_CONTEXT, 100_000)
    except TemplateSyntaxError as exc:
        where = f" (line {exc.lineno} of the template)" if "\n" in template.strip() else ""
        return f"is not a valid template: {_sentence(exc.message)}{where}"
    except Exception as exc:  # anything a template can raise is the template's problem
        return f"fails on a sample alert: {_sentence(str(exc))}"
    return None


def _sentence(message: str | None) -> str:
    text = re.sub(r"\s+", " ", message or "unknown error").strip().rstrip(".")
    return text[:1].lower() + text[1:]
