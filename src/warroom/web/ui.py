"""The read-only web pages under `/ui`: the incident list, an incident's page, figures.

Server-rendered with Jinja2 (autoescaped; templates in `web/templates/ui/`), one
stylesheet served from `web/static/` by Warroom itself, no script. Every page needs a
signed-in viewer (`web.session.current_viewer`, put there by Sign in with Slack);
without one it redirects to `/ui/login?next=<path>` (`web.signin.login_url`). What a
viewer may see is the dashboard service's answer: a private incident they are not in
is a 404 like a number that does not exist, and never in a list, a search or a link.

Mount: `*ui_routes(runtime)` among the app's routes, behind the session middleware.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from warroom.domain.dashboard import (
    ALL,
    LIST_STATUSES,
    IncidentFilter,
    WeekFigures,
)
from warroom.domain.finding import search_terms
from warroom.domain.incident import Incident
from warroom.domain.local_time import local_time
from warroom.domain.policy import Policy
from warroom.domain.postmortem_time import human_duration
from warroom.domain.report import period_of_dates
from warroom.runtime import Runtime
from warroom.web.session import Viewer, current_viewer
from warroom.web.signin import login_url

__all__ = ["SECURITY_HEADERS", "render_postmortem", "ui_routes"]

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"

SECURITY_HEADERS = {
    # No script at all, styles and images only from Warroom itself.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
"""Every page carries these (a page may show a private incident: never cached)."""

HISTORY_KINDS = frozenset({"declared", "severity_changed", "status_changed"})
TIMELINE_SHOWN = 1_000
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)>")
_REFERENCE = re.compile(r"(?:INC-)?([0-9]{1,9})", re.IGNORECASE)


# -- Markdown ------------------------------------------------------------------------


def _br_tag(state: StateInline, silent: bool) -> bool:
    """The postmortem writes line breaks inside table cells as `<br>` (a user's own `<`
    arrives escaped, `\\<`): that one tag becomes a line break, all other HTML stays text."""
    if not state.src.startswith("<br>", state.pos):
        return False
    if not silent:
        state.push("hardbreak", "br", 0)
    state.pos += 4
    return True


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    md.inline.ruler.before("escape", "br_tag", _br_tag)
    return md


_MD = _markdown()


def render_postmortem(markdown: str) -> Markup:
    """The postmortem's Markdown as HTML: raw HTML is shown as text, and links with
    a `javascript:` (or `vbscript:`, `file:`, `data:`) target are not made."""
    return Markup(_MD.render(markdown))  # markdown-it escapes every text; html is off


# -- templates -----------------------------------------------------------------------


def _environment(policy: Policy) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    zone = policy.zone

    def when(at: datetime | None) -> str:
        return "—" if at is None else local_time(at, zone)

    def day(on: date | None) -> str:
        return "—" if on is None else on.isoformat()

    def severity(key: str) -> str:
        try:
            level = policy.severity(key)
        except KeyError:
            return key
        return f"{level.key} · {level.label}"

    def status(incident: Incident) -> str:
        if incident.cancelled_at is not None:
            return "Cancelled"
        return status_label(incident.status)

    def status_label(key: str) -> str:
        try:
            return policy.status(key).label
        except KeyError:
            return key

    def span(seconds: float | None) -> str:
        return "—" if seconds is None else human_duration(int(seconds))

    def share(part: float | None) -> str:
        return "—" if part is None else f"{round(part * 100)} %"

    env.filters.update(
        when=when,
        day=day,
        severity=severity,
        status=status,
        status_label=status_label,
        span=span,
        share=share,
        markdown=render_postmortem,
    )
    env.globals.update(zone_name=policy.timezone)
    return env


def _named(text: str, names: Mapping[str, str]) -> Markup:
    """Plain text with `<@U123>` shown as `@name`, escaped."""
    parts = _MENTION.split(text)
    return Markup("").join(
        escape(f"@{names.get(part, part)}") if i % 2 else escape(part)
        for i, part in enumerate(parts)
    )


# -- the list's query ----------------------------------------------------------------


class _BadQuery(ValueError):
    pass


def _filter(params: Any, policy: Policy) -> tuple[IncidentFilter, list[str]]:
    """The filter a query string asks for, and what in it could not be read."""
    problems: list[str] = []
    status = params.get("status") or ALL
    if status not in LIST_STATUSES:
        problems.append("Status must be open, resolved or all.")
        status = ALL
    severities: list[str] = []
    for key in params.getlist("severity"):
        if not key:
            continue
        try:
            found = policy.severity(key).key
        except KeyError:
            problems.append(f"There is no severity {key[:20]!r}.")
            continue
        if found not in severities:
            severities.append(found)
    since = _date(params.get("from"), "From", problems)
    until = _date(params.get("to"), "To", problems)
    if since is not None and until is not None and until < since:
        problems.append("“To” is before “From”.")
        since = until = None
    period = period_of_dates(policy.zone, since, until)
    wanted = IncidentFilter(
        status=status,
        severities=tuple(severities),
        declared_from=period.since,
        declared_until=period.until,
        terms=search_terms(params.get("q") or ""),
    )
    return wanted, problems


def _date(value: str | None, label: str, problems: list[str]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"“{label}” must be a date like 2026-03-01.")
        return None


def _cursor(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    if not value.isdigit() or len(value) > 9:
        raise _BadQuery(value)
    return int(value)


def _form(params: Any) -> dict[str, Any]:
    """What the form shows again: the query as typed (Jinja escapes it)."""
    return {
        "status": params.get("status") or ALL,
        "severities": [key for key in params.getlist("severity") if key],
        "from": params.get("from") or "",
        "to": params.get("to") or "",
        "q": params.get("q") or "",
    }


def _link(form: Mapping[str, Any], **cursor: int) -> str:
    pairs: list[tuple[str, str]] = []
    if form["status"] != ALL:
        pairs.append(("status", form["status"]))
    pairs += [("severity", key) for key in form["severities"]]
    pairs += [(key, form[key]) for key in ("from", "to", "q") if form[key]]
    pairs += [(key, str(value)) for key, value in cursor.items()]
    return "/ui" + (f"?{urlencode(pairs)}" if pairs else "")


# -- figures -------------------------------------------------------------------------

CHART_W, CHART_H, CHART_TOP = 600, 180, 16


def _chart(
    weeks: Sequence[WeekFigures],
    values: Sequence[float | None],
    shown: Callable[[float], str],
) -> list[dict[str, Any]]:
    """One bar per week, scaled to the chart's height, its value written above it (a
    missing value: no bar, "—")."""
    top = max((v for v in values if v is not None), default=0.0) or 1.0
    slot = CHART_W / max(len(weeks), 1)
    bars = []
    for i, (week, value) in enumerate(zip(weeks, values, strict=True)):
        height = 0.0 if value is None else (CHART_H - CHART_TOP) * value / top
        bars.append(
            {
                "x": round(i * slot + slot * 0.15, 1),
                "width": round(slot * 0.7, 1),
                "y": round(CHART_H - height, 1),
                "height": round(height, 1),
                "label": week.week.split("-")[-1],
                "center": round(i * slot + slot / 2, 1),
                "value": "—" if value is None else shown(value),
                "value_y": round(max(CHART_H - height - 4, 11), 1),
            }
        )
    return bars


def _count(value: float) -> str:
    return str(round(value))


def _span(seconds: float) -> str:
    return human_duration(int(seconds))


def _share(part: float) -> str:
    return f"{round(part * 100)} %"


def _charts(weeks: Sequence[WeekFigures]) -> list[dict[str, Any]]:
    def median(key: str) -> list[float | None]:
        return [getattr(w.report, key).median for w in weeks]

    return [
        {
            "id": "incidents",
            "title": "Incidents declared per week",
            "bars": _chart(weeks, [float(w.report.incidents) for w in weeks], _count),
        },
        {
            "id": "acknowledge",
            "title": "Median time to acknowledge (declared → first Incident Commander)",
            "bars": _chart(weeks, median("acknowledge"), _span),
        },
        {
            "id": "resolve",
            "title": "Median time to resolve (declared → resolved)",
            "bars": _chart(weeks, median("resolve"), _span),
        },
        {
            "id": "updates",
            "title": "Status updates on time",
            "bars": _chart(weeks, [w.report.updates.on_time_share for w in weeks], _share),
        },
    ]


# -- routes --------------------------------------------------------------------------


def ui_routes(runtime: Runtime) -> list[Route | Mount]:
    """`GET /ui`, `/ui/incidents/{INC-N or N}`, `/ui/figures` and `/ui/static/…`."""
    board = runtime.dashboard
    policy = runtime.policy
    env = _environment(policy)

    def page(
        request: Request, viewer: Viewer, name: str, *, status: int = 200, **context: Any
    ) -> Response:
        body = env.get_template(f"ui/{name}").render(
            viewer=viewer, path=request.url.path, **context
        )
        return Response(body, status_code=status, media_type="text/html", headers=SECURITY_HEADERS)

    def to_login(request: Request) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(login_url(target), status_code=303, headers=SECURITY_HEADERS)

    async def incident_list(request: Request) -> Response:
        viewer = current_viewer(request)
        if viewer is None:
            return to_login(request)
        params = request.query_params
        wanted, problems = _filter(params, policy)
        form = _form(params)
        try:
            below, above = _cursor(params.get("below")), _cursor(params.get("above"))
        except _BadQuery:
            problems.append("That page link is broken; start from the first page.")
            below = above = None
        common: dict[str, Any] = {
            "form": form,
            "severity_keys": policy.severity_keys(),
            "statuses": LIST_STATUSES,
        }
        if problems:
            return page(
                request, viewer, "list.html", status=400, problems=problems, rows=(), **common
            )
        found = await board.page(viewer.team_id, viewer.user_id, wanted, below=below, above=above)
        names = await board.list_names(found.incidents)
        commander = policy.commander_role.key
        rows = [
            {"incident": i, "commander": names.get(h, h) if (h := i.holder(commander)) else None}
            for i in found.incidents
        ]
        return page(
            request,
            viewer,
            "list.html",
            problems=(),
            rows=rows,
            searching=bool(wanted.terms),
            older=_link(form, below=found.older) if found.older is not None else None,
            newer=_link(form, above=found.newer) if found.newer is not None else None,
            **common,
        )

    async def incident_page(request: Request) -> Response:
        viewer = current_viewer(request)
        if viewer is None:
            return to_login(request)
        reference = request.path_params["reference"]
        matched = _REFERENCE.fullmatch(reference)
        view = None
        if matched is not None:
            view = await board.incident(viewer.team_id, viewer.user_id, int(matched[1]))
        if view is None:
            # The same answer for a number that does not exist and for a private
            # incident the viewer is not in: nothing tells them apart.
            return page(request, viewer, "not_found.html", status=404, reference=reference[:20])
        names = view.names
        timeline = view.draft.timeline
        return page(
            request,
            viewer,
            "incident.html",
            view=view,
            pm=view.draft,
            incident=view.incident,
            history=[line for line in timeline if line.kind in HISTORY_KINDS],
            timeline=timeline[:TIMELINE_SHOWN],
            timeline_more=max(len(timeline) - TIMELINE_SHOWN, 0),
            person=lambda user_id: names.get(user_id, user_id) if user_id else "—",
            named=lambda text: _named(text, names),
        )

    async def figures(request: Request) -> Response:
        viewer = current_viewer(request)
        if viewer is None:
            return to_login(request)
        weeks = await board.figures(viewer.team_id)
        return page(
            request,
            viewer,
            "figures.html",
            weeks=weeks,
            charts=_charts(weeks),
            chart_w=CHART_W,
            chart_h=CHART_H,
        )

    return [
        Route("/ui", incident_list, methods=["GET"]),
        Route("/ui/incidents/{reference}", incident_page, methods=["GET"]),
        Route("/ui/figures", figures, methods=["GET"]),
        Mount("/ui/static", StaticFiles(directory=STATIC), name="ui-static"),
    ]
