"""The pages under `/ui` over real HTTP: the incident list (filters, words, paging), an
incident's page, the figures, and who may see what.

Until Sign in with Slack is mounted, the viewer is put in the session by a route that
exists only here (`/test/sign-in`), in a small app made of `ui_routes` behind
Starlette's session middleware; the runtime (store, audience, the Slack stand-in) is
the real one of the harness.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from tests.harness import REPORTER, TEAM_ID, Clock, Harness, start_harness
from warroom.domain.declaration import Declaration
from warroom.domain.incident import Incident
from warroom.domain.policy import COMMANDER
from warroom.domain.status_update import StatusUpdate
from warroom.services import dashboard as dashboard_service
from warroom.store import action_items, incidents, postmortems, roles, status_updates, timeline
from warroom.web.server import serve_locally
from warroom.web.session import Viewer, sign_in
from warroom.web.ui import render_postmortem, ui_routes

MEMBER = "UMEMBER001"
OUTSIDER = "UOUTSIDE01"
COMMANDER_ID = "UCOMMAND01"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@dataclass
class Browser:
    """A person at a browser: their own cookies, signed in as `viewer` (or nobody)."""

    base: str
    http: aiohttp.ClientSession

    async def get(self, path: str) -> tuple[int, str, aiohttp.ClientResponse]:
        async with self.http.get(self.base + path, allow_redirects=False) as response:
            return response.status, await response.text(), response


@dataclass
class Site:
    harness: Harness
    base: str

    @property
    def clock(self) -> Clock:
        return self.harness.clock

    @contextlib.asynccontextmanager
    async def browser(self, viewer: str | None, name: str = "Ada") -> AsyncIterator[Browser]:
        jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1
        async with aiohttp.ClientSession(cookie_jar=jar) as http:
            if viewer is not None:
                url = f"{self.base}/test/sign-in"
                params = {"user": viewer, "name": name}
                async with http.get(url, params=params) as response:
                    assert response.status == 200
            yield Browser(self.base, http)

    async def incident(
        self,
        title: str,
        *,
        severity: str = "SEV2",
        private: bool = False,
        members: tuple[str, ...] = (),
        declared: datetime | None = None,
        resolved: bool = False,
        commander: str | None = None,
        impact: str = "Some checkouts fail",
    ) -> Incident:
        runtime, slack = self.harness.runtime, self.harness.slack
        at = declared or self.clock()
        async with runtime.store.transaction() as session:
            made = await incidents.insert_incident(
                session,
                team_id=TEAM_ID,
                reporter_id=REPORTER,
                declaration=Declaration(
                    title=title,
                    severity=severity,
                    impact=impact,
                    started_at=None,
                    private=private,
                    responders=(),
                ),
                declare_key=None,
                status="investigating",
                now=at,
            )
            room = slack.add_channel(
                f"inc-{made.number}-{slack.team_id.lower()}",
                is_private=private,
                members=[slack.bot_user_id, REPORTER, *members],
            )
            facts: dict[str, Any] = {"channel_id": room}
            if resolved:
                facts.update(status="resolved", resolved_at=at + timedelta(hours=1))
            await incidents.record(session, made.id, **facts)
            if commander:
                await roles.hand_to(
                    session, made.id, COMMANDER, user_id=commander, by=REPORTER, now=at
                )
            return await incidents.load(session, made.id)


def _signed_in(request: Request) -> Response:
    """Test only: what Sign in with Slack leaves in the session."""
    sign_in(request, Viewer(request.query_params["user"], TEAM_ID, request.query_params["name"]))
    return PlainTextResponse("signed in")


@pytest.fixture
async def site(database_url: str, clock: Clock) -> AsyncIterator[Site]:
    async with start_harness(database_url, clock) as harness:
        harness.slack.add_user(COMMANDER_ID, "grace")
        app = Starlette(
            routes=[*ui_routes(harness.runtime), Route("/test/sign-in", _signed_in)],
            middleware=[Middleware(SessionMiddleware, secret_key="test-only-session-secret")],
        )
        async with serve_locally(app) as base:
            yield Site(harness, base)


def references(page: str) -> list[str]:
    """The incidents a list page shows, in order."""
    return re.findall(r'<a href="/ui/incidents/\d+">(INC-\d+)</a>', page)


def link(page: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', page)
    return found[1].replace("&amp;", "&") if found else None


# -- signed out ------------------------------------------------------------------------


async def test_every_page_sends_someone_signed_out_to_sign_in(site: Site) -> None:
    async with site.browser(None) as nobody:
        for path, target in (
            ("/ui", "/ui/login"),
            ("/ui?status=open&q=disk", "/ui/login?next=/ui%3Fstatus%3Dopen%26q%3Ddisk"),
            ("/ui/incidents/1", "/ui/login?next=/ui/incidents/1"),
            ("/ui/figures", "/ui/login?next=/ui/figures"),
        ):
            status, _, response = await nobody.get(path)
            assert status == 303, path
            assert response.headers["Location"] == target


# -- the list --------------------------------------------------------------------------


async def test_the_list_shows_each_incident_in_the_organisations_zone(site: Site) -> None:
    declared = site.clock() - timedelta(hours=2)
    await site.incident("Checkout returns 500s", severity="SEV1", commander=COMMANDER_ID)
    await site.incident("Search is slow", declared=declared, resolved=True)
    async with site.browser(MEMBER, name="Ada <Lovelace>") as ada:
        _, before, _ = await ada.get("/ui")
        assert COMMANDER_ID in before  # the list never waits on Slack for a name
        await site.harness.runtime.people.names([COMMANDER_ID])  # now the directory knows
        status, page, response = await ada.get("/ui")
    assert status == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "script-src" not in response.headers["Content-Security-Policy"]  # none at all
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    assert references(page) == ["INC-2", "INC-1"]
    assert "Declared (UTC)" in page
    assert declared.strftime("%Y-%m-%d %H:%M UTC") in page
    assert "Checkout returns 500s" in page and "Search is slow" in page
    assert "SEV1" in page and "Investigating" in page and "Resolved" in page
    assert "grace" in page  # the Incident Commander, as the directory names them
    assert "Signed in as <strong>Ada &lt;Lovelace&gt;</strong>" in page
    assert '<form method="post" action="/ui/logout">' in page
    assert 'href="#main"' in page and 'id="main"' in page  # the skip link
    assert '<label for="f-q">' in page and '<label for="f-status">' in page


@pytest.mark.both_databases
async def test_filters_status_severity_dates_and_words(site: Site) -> None:
    now = site.clock()
    await site.incident("Disk full on db-1", severity="SEV1", declared=now - timedelta(days=10))
    await site.incident("Checkout errors", severity="SEV2", resolved=True)
    await site.incident("Disk latency on db-2", severity="SEV2", declared=now - timedelta(days=3))
    async with site.browser(MEMBER) as ada:
        shown = {}
        for query in (
            "status=open",
            "status=resolved",
            "severity=SEV2",
            "severity=sev1",
            f"from={(now - timedelta(days=5)).date()}",
            f"to={(now - timedelta(days=5)).date()}",
            f"from={(now - timedelta(days=4)).date()}&to={(now - timedelta(days=2)).date()}",
            "q=disk",
            "q=DISK+db",
            "q=disk&severity=SEV1",
            "q=nothing+like+this",
            "q=di",  # a prefix, as /incident find
        ):
            status, page, _ = await ada.get(f"/ui?{query}")
            assert status == 200, query
            shown[query] = references(page)
    three_days_ago = (now - timedelta(days=3)).date()
    assert shown == {
        "status=open": ["INC-3", "INC-1"],
        "status=resolved": ["INC-2"],
        "severity=SEV2": ["INC-3", "INC-2"],
        "severity=sev1": ["INC-1"],
        f"from={(now - timedelta(days=5)).date()}": ["INC-3", "INC-2"],
        f"to={(now - timedelta(days=5)).date()}": ["INC-1"],
        f"from={(now - timedelta(days=4)).date()}&to={(now - timedelta(days=2)).date()}": ["INC-3"],
        "q=disk": ["INC-3", "INC-1"],
        "q=DISK+db": ["INC-3", "INC-1"],
        "q=disk&severity=SEV1": ["INC-1"],
        "q=nothing+like+this": [],
        "q=di": ["INC-3", "INC-1"],
    }
    assert three_days_ago  # the dates above are whole days in the policy's zone (UTC)


@pytest.mark.both_databases
async def test_words_also_find_key_timeline_entries(site: Site) -> None:
    found = await site.incident("Checkout errors")
    await site.incident("Search is slow")
    now = site.clock()
    async with site.harness.runtime.store.transaction() as session:
        await timeline.append(
            session,
            incident_id=found.id,
            kind="hypothesis",
            author_id=REPORTER,
            text="the connection pool is exhausted",
            occurred_at=now,
            recorded_at=now,
        )
    async with site.browser(MEMBER) as ada:
        _, page, _ = await ada.get("/ui?q=pool+exhausted")
    assert references(page) == ["INC-1"]


async def test_a_filter_it_cannot_read_is_said_not_guessed(site: Site) -> None:
    await site.incident("Checkout errors")
    async with site.browser(MEMBER) as ada:
        for query, says in (
            ("status=broken", "Status must be open, resolved or all."),
            ("severity=SEV9", "There is no severity &#39;SEV9&#39;."),
            ("from=yesterday", "must be a date like 2026-03-01"),
            ("from=2026-03-02&to=2026-03-01", "is before"),
            ("below=abc", "That page link is broken"),
        ):
            status, page, _ = await ada.get(f"/ui?{query}")
            assert status == 400, query
            assert says in page, query
            assert references(page) == []


async def test_pages_of_fifty_newest_first_with_newer_and_older(site: Site) -> None:
    start = site.clock() - timedelta(days=1)
    for n in range(1, 121):
        await site.incident(f"Incident {n}", declared=start + timedelta(minutes=n))
    async with site.browser(MEMBER) as ada:
        _, first, _ = await ada.get("/ui")
        assert references(first) == [f"INC-{n}" for n in range(120, 70, -1)]
        assert link(first, "prev") is None
        second_url = link(first, "next")
        assert second_url == "/ui?below=71"
        _, second, _ = await ada.get(second_url)
        assert references(second) == [f"INC-{n}" for n in range(70, 20, -1)]
        _, third, _ = await ada.get(str(link(second, "next")))
        assert references(third) == [f"INC-{n}" for n in range(20, 0, -1)]
        assert link(third, "next") is None
        back = link(third, "prev")
        assert back == "/ui?above=20"
        _, second_again, _ = await ada.get(back)
        assert references(second_again) == references(second)
        _, first_again, _ = await ada.get(str(link(second_again, "prev")))
        assert references(first_again) == references(first)
        assert link(first_again, "prev") is None
        # the filter rides along in the links
        _, filtered, _ = await ada.get("/ui?status=open&q=incident")
        assert link(filtered, "next") == "/ui?status=open&q=incident&below=71"


# -- private incidents -----------------------------------------------------------------


async def test_a_private_incident_is_only_for_the_people_in_its_room(site: Site) -> None:
    await site.incident("Public outage of checkout")
    secret = await site.incident(
        "Payroll breach investigation", private=True, members=(MEMBER,), severity="SEV1"
    )
    async with site.browser(OUTSIDER) as outsider, site.browser(MEMBER) as member:
        _, seen, _ = await outsider.get("/ui")
        assert references(seen) == ["INC-1"]
        assert "Payroll" not in seen and "private" not in seen
        for query in ("q=payroll", "q=breach&severity=SEV1", "severity=SEV1", "status=open"):
            _, page, _ = await outsider.get(f"/ui?{query}")
            assert "Payroll" not in page and "INC-2" not in page, query

        status, hidden, _ = await outsider.get(f"/ui/incidents/{secret.number}")
        missing_status, missing, _ = await outsider.get("/ui/incidents/99")
        assert status == missing_status == 404
        assert hidden.replace(">2<", ">N<").replace("INC-2", "N").replace(" 2 ", " N ") == (
            missing.replace(">99<", ">N<").replace("INC-99", "N").replace(" 99 ", " N ")
        )
        assert "Payroll" not in hidden

        _, listed, _ = await member.get("/ui")
        assert references(listed) == ["INC-2", "INC-1"]
        _, found, _ = await member.get("/ui?q=payroll")
        assert references(found) == ["INC-2"]
        status, page, _ = await member.get(f"/ui/incidents/{secret.number}")
        assert status == 200 and "Payroll breach investigation" in page

        # Taken out of the room: it is gone for them too (once Slack says so).
        assert secret.channel_id is not None
        site.harness.slack.remove_member(secret.channel_id, MEMBER)
        site.harness.runtime.audience.forget(secret.channel_id)
        status, _, _ = await member.get(f"/ui/incidents/{secret.number}")
        assert status == 404


async def test_hidden_incidents_do_not_show_in_paging(site: Site) -> None:
    """50 public incidents and private ones around them: an outsider gets one page and
    no link to another; a member of the rooms gets the next page."""
    start = site.clock() - timedelta(days=1)
    for n in range(1, 56):
        private = n % 11 == 0  # 5 of them
        await site.incident(
            f"Incident {n}",
            private=private,
            members=(MEMBER,) if private else (),
            declared=start + timedelta(minutes=n),
        )
    async with site.browser(OUTSIDER) as outsider, site.browser(MEMBER) as member:
        _, page, _ = await outsider.get("/ui")
        assert len(references(page)) == 50
        assert link(page, "next") is None and link(page, "prev") is None
        _, page, _ = await member.get("/ui")
        assert len(references(page)) == 50
        older = link(page, "next")
        assert older is not None
        _, rest, _ = await member.get(older)
        assert references(rest) == ["INC-5", "INC-4", "INC-3", "INC-2", "INC-1"]
        # an outsider handed the member's link sees only public ones there
        _, rest, _ = await outsider.get(older)
        assert references(rest) == ["INC-5", "INC-4", "INC-3", "INC-2", "INC-1"]
        _, after, _ = await outsider.get("/ui?above=54")
        assert references(after) == []


async def test_a_page_stops_reading_at_its_limit_and_goes_on_from_there(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stretch of hidden incidents longer than a page may read ends the page where the
    reading stopped, with a link that goes on from there."""
    monkeypatch.setattr(dashboard_service, "SCAN_LIMIT", 100)
    monkeypatch.setattr(dashboard_service, "WINDOW", 20)
    start = site.clock() - timedelta(days=1)
    for n in range(1, 151):
        await site.incident(f"Incident {n}", private=n > 20, declared=start + timedelta(minutes=n))
    async with site.browser(OUTSIDER) as outsider:
        _, page, _ = await outsider.get("/ui")
        assert references(page) == []
        assert "older ones may match" in page
        onward = link(page, "next")
        assert onward == "/ui?below=45"
        _, rest, _ = await outsider.get(onward)
        assert references(rest) == [f"INC-{n}" for n in range(20, 0, -1)]
        assert link(rest, "next") is None


# -- user text is text ---------------------------------------------------------------


async def test_hostile_text_is_escaped_everywhere(site: Site) -> None:
    made = await site.incident(HOSTILE, impact=HOSTILE)
    now = site.clock()
    async with site.harness.runtime.store.transaction() as session:
        await timeline.append(
            session,
            incident_id=made.id,
            kind="note",
            author_id=REPORTER,
            text=HOSTILE,
            occurred_at=now,
            recorded_at=now,
        )
        await postmortems.save(
            session,
            made.id,
            f"# Postmortem\n\n{HOSTILE}\n\n[click](javascript:alert(1))\n\n<b>raw</b>",
            now,
        )
    async with site.browser(MEMBER) as ada:
        for path in ("/ui", "/ui?q=script", f"/ui/incidents/{made.number}"):
            status, page, _ = await ada.get(path)
            assert status == 200, path
            assert "<script>" not in page and "<img" not in page, path
            assert "&lt;script&gt;" in page, path
        assert 'href="javascript:' not in page
        assert "<b>raw</b>" not in page and "&lt;b&gt;raw&lt;/b&gt;" in page


def test_the_postmortems_own_line_breaks_survive_and_nothing_else() -> None:
    html = render_postmortem("| a | b |\n| - | - |\n| one<br>two | x \\<br\\> y |\n")
    assert "one<br />" in html
    assert "x &lt;br&gt; y" in html


# -- an incident's page ------------------------------------------------------------------


async def test_an_incidents_page_tells_its_story(site: Site) -> None:
    made = await site.incident("Checkout returns 500s", commander=REPORTER, severity="SEV1")
    now = site.clock()
    async with site.harness.runtime.store.transaction() as session:
        await roles.hand_to(session, made.id, COMMANDER, user_id=COMMANDER_ID, by=REPORTER, now=now)
        await incidents.record(session, made.id, summary="Rolled back the release")
        await status_updates.add(
            session,
            made.id,
            StatusUpdate(
                status="identified",
                happening="A bad deploy",
                impact="EU checkouts fail",
                doing="Rolling back",
                next_update_at=now + timedelta(minutes=30),
            ),
            by=COMMANDER_ID,
            at=now,
            due_at=now + timedelta(minutes=5),
        )
        for kind, text in (
            ("severity_changed", "Severity SEV2 → SEV1"),
            ("hypothesis", "the connection pool is exhausted"),
            ("alert", "HighErrorRate firing"),
        ):
            await timeline.append(
                session,
                incident_id=made.id,
                kind=kind,
                author_id=REPORTER,
                text=text,
                occurred_at=now,
                recorded_at=now,
                data={"from": "SEV2", "to": "SEV1"} if kind == "severity_changed" else None,
            )
        await action_items.add(
            session,
            incident_id=made.id,
            text="Alert on pool saturation",
            owner_id=COMMANDER_ID,
            due_on=date(2030, 1, 31),
            created_by=REPORTER,
            now=now,
        )
        await postmortems.save(session, made.id, "# INC-1 postmortem\n\n## What happened\n", now)
    async with site.browser(MEMBER) as ada:
        status, page, _ = await ada.get("/ui/incidents/INC-1")
        assert status == 200
        _, same, _ = await ada.get("/ui/incidents/1")
    assert same == page
    for expected in (
        "Checkout returns 500s",
        "Rolled back the release",
        "Some checkouts fail",
        "Severity and status history",
        "Roles and handoffs",
        "took over from",
        "grace",
        "A bad deploy",
        "EU checkouts fail",
        "Rolling back",
        "the connection pool is exhausted",
        "HighErrorRate firing",
        "Alert on pool saturation",
        "2030-01-31",
        "<h1>INC-1 postmortem</h1>",
        "<h2>What happened</h2>",
    ):
        assert expected in page, expected


async def test_the_figures_count_without_naming(site: Site) -> None:
    await site.incident("Visible outage", resolved=True)
    await site.incident("Secret outage", private=True, members=(MEMBER,))
    async with site.browser(OUTSIDER) as outsider:
        status, page, _ = await outsider.get("/ui/figures")
        css_status, css, response = await outsider.get("/ui/static/ui.css")
    assert status == 200
    assert "Secret outage" not in page and "Visible outage" not in page
    assert page.count("<svg") == 4
    assert '<table class="figures">' in page
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(\S+) .*?</th>\s*<td>(\d+)</td>", page, re.S)
    assert len(rows) == 12
    assert rows[-1][1] == "2"  # this week: both, the private one counted
    assert css_status == 200 and response.headers["Content-Type"].startswith("text/css")
    assert ":focus" in css
