"""`GET /status` and `GET /status/feed.atom`: the public status page and its Atom feed.

Public (no sign-in) and mounted only while the policy's `[status_page]` is enabled,
so it answers 404 until then. It reads what `StatusPageService.page` made public:
plain text, escaped where it is shown (Jinja2's autoescape in the page, ElementTree
in the feed). Times are in the policy's zone, and the page says which. Its stylesheet
is its own, served from the package at `/status/status.css`, so the page needs nothing
from anywhere else (its Content-Security-Policy allows nothing else).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from warroom.domain.local_time import local_time, utc_offset
from warroom.domain.status_page import PublicIncident, StatusPage
from warroom.services.status_page import StatusPageService

__all__ = ["ATOM_TYPE", "FEED_PATH", "PAGE_PATH", "STYLESHEET_PATH", "status_page_routes"]

PAGE_PATH = "/status"
FEED_PATH = "/status/feed.atom"
STYLESHEET_PATH = "/status/status.css"
ATOM_TYPE = "application/atom+xml"
_ATOM = "http://www.w3.org/2005/Atom"
_HEADERS = {
    "Cache-Control": "public, max-age=30",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_PAGE_HEADERS = {
    **_HEADERS,
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    ),
}


@cache
def _templates() -> Environment:
    environment = Environment(
        loader=PackageLoader("warroom.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment


@cache
def _stylesheet() -> bytes:
    return resources.files("warroom.web").joinpath("static", "status.css").read_bytes()


def status_page_routes(service: StatusPageService) -> list[Route]:
    """The routes to mount; none while the policy leaves the status page off."""
    if not service.enabled:
        return []

    async def page(request: Request) -> Response:
        shown = await service.page()
        html = render_page(shown, feed_url=FEED_PATH, stylesheet_url=STYLESHEET_PATH)
        return Response(html, media_type="text/html; charset=utf-8", headers=_PAGE_HEADERS)

    async def feed(request: Request) -> Response:
        shown = await service.page()
        base = str(request.base_url).rstrip("/")
        body = render_feed(shown, page_url=base + PAGE_PATH, feed_url=base + FEED_PATH)
        return Response(body, media_type=f"{ATOM_TYPE}; charset=utf-8", headers=_HEADERS)

    async def stylesheet(_: Request) -> Response:
        return Response(_stylesheet(), media_type="text/css; charset=utf-8", headers=_HEADERS)

    return [
        Route(PAGE_PATH, page, methods=["GET"]),
        Route(FEED_PATH, feed, methods=["GET"]),
        Route(STYLESHEET_PATH, stylesheet, methods=["GET"]),
    ]


def _zone_note(zone: ZoneInfo, at: datetime) -> str:
    if zone.key == "UTC":
        return "UTC"
    local = at.astimezone(zone)
    return f"{zone.key} ({local.tzname() or utc_offset(local)}, {utc_offset(local)})"


def render_page(shown: StatusPage, *, feed_url: str, stylesheet_url: str) -> str:
    zone = ZoneInfo(shown.timezone)

    def when(at: datetime | None) -> str:
        return local_time(at, zone) if at is not None else ""

    def iso(at: datetime | None) -> str:
        return at.astimezone(UTC).isoformat() if at is not None else ""

    template = _templates().get_template("status/page.html")
    return template.render(
        page=shown,
        when=when,
        iso=iso,
        zone_note=_zone_note(zone, shown.generated_at),
        feed_url=feed_url,
        stylesheet_url=stylesheet_url,
    )


def _headline(incident: PublicIncident) -> str:
    state = "Resolved" if not incident.ongoing else incident.status_label
    return f"{incident.reference} · {incident.severity} ({incident.severity_label}) · {state}"


def _summary(incident: PublicIncident, zone: ZoneInfo) -> str:
    lines = []
    if incident.resolution:
        lines.append(f"Resolved: {incident.resolution}")
    if incident.happening:
        lines.append(f"What is happening: {incident.happening}")
    if incident.impact:
        lines.append(f"Impact: {incident.impact}")
    if not lines:
        lines.append("We are looking into it; the first update follows.")
    lines.append(f"Started: {local_time(incident.started_at, zone)}")
    if incident.resolved_at is not None:
        lines.append(f"Resolved: {local_time(incident.resolved_at, zone)}")
    if incident.next_update_at is not None:
        lines.append(f"Next update: {local_time(incident.next_update_at, zone)}")
    return "\n".join(lines)


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def render_feed(shown: StatusPage, *, page_url: str, feed_url: str) -> bytes:
    """Atom 1.0 (RFC 4287): one entry per incident shown, its latest news as text."""
    zone = ZoneInfo(shown.timezone)
    ET.register_namespace("", _ATOM)

    def add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{_ATOM}}}{tag}", attrs)
        element.text = text
        return element

    root = ET.Element(f"{{{_ATOM}}}feed")
    add(root, "title", shown.title)
    add(root, "id", feed_url)
    add(root, "updated", _stamp(shown.updated_at))
    add(root, "link", rel="self", type=ATOM_TYPE, href=feed_url)
    add(root, "link", rel="alternate", type="text/html", href=page_url)
    author = add(root, "author")
    add(author, "name", shown.title)
    add(root, "generator", "Warroom")
    for incident in (*shown.current, *shown.past):
        entry = add(root, "entry")
        add(entry, "title", _headline(incident), type="text")
        add(entry, "id", f"{page_url}#{incident.reference}")
        add(entry, "updated", _stamp(incident.updated_at))
        add(entry, "published", _stamp(incident.started_at))
        add(
            entry,
            "link",
            rel="alternate",
            type="text/html",
            href=f"{page_url}#{incident.reference}",
        )
        add(entry, "category", term=incident.severity, label=incident.severity_label)
        add(entry, "content", _summary(incident, zone), type="text")
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body
