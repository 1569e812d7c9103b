"""The dashboard under `/ui` in a real headless Chromium: a person signs in through the
Slack stand-in's authorize page, reads the list (filters, a hostile title shown as
text), opens an incident with the keyboard, and never sees a private incident whose
room they are not in; a forged or an expired session cookie is nobody's; the public
status page needs no session. Every page at desktop and phone width, screenshots in
artifacts/screenshots/ (`<test>-<page>-<width>.png`).

The stand-in sends the browser back to PUBLIC_URL, which is fixed before the server
under test picks its port. So the browser is on PUBLIC_URL all along, a plain-http
`localhost` address (the session cookie is then not `Secure`, as in development), and
its own Chromium is told where that is (`--host-rules`, like a DNS entry with a port):
the server under test. Playwright's request routing cannot do this, as it never sees
a redirect's next request (and every step of a sign-in is a redirect).
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import itsdangerous
import pytest

from tests.browser.conftest import CHROMIUM, SCREENSHOTS, SIZES, Screens, Size
from tests.harness import Clock, Harness
from tests.status_pages import enabled_policy
from tests.web.signin_helpers import SESSION_SECRET, signin_harness, ui_url
from warroom.domain.incident import Incident
from warroom.web.session import SESSION_KEY, SESSION_TTL_S
from warroom.web.signin import SESSION_COOKIE

if TYPE_CHECKING:
    from playwright.async_api import Browser, ConsoleMessage, Dialog, Page, Request

pytestmark = pytest.mark.slow

PUBLIC_URL = "http://localhost:8999"
"""Warroom's address for the browser (and so `redirect_uri`); Chromium maps it to the
server under test, whatever listens on that port here."""
VIEWER, VIEWER_NAME = "U0ADA00001", "Ada Lovelace"
RESPONDER, RESPONDER_NAME = "U0GRACE001", "Grace Hopper"
HOSTILE = '<script>alert(1)</script> & "quotes"'


@dataclass
class Site:
    """Warroom with the web UI and the status page on, its three incidents, and a
    Chromium that finds Warroom at PUBLIC_URL."""

    harness: Harness
    screens: Screens
    checkout: Incident  # SEV1, public
    hostile: Incident  # SEV2, public, a title that is markup
    secret: Incident  # SEV1, private: only the reporter and RESPONDER are in its room


@dataclass
class Tab:
    """One person's browser tab: the pages it went to and any dialog a page opened."""

    page: Page
    size: Size
    site: Site
    visited: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    """Console errors: (text, the address they are about)."""
    error_pages: set[str] = field(default_factory=set)
    """Pages meant to answer 4xx (which Chromium logs as a console error)."""

    @property
    def width(self) -> int:
        return SIZES[self.size]["width"]

    async def go(self, path: str) -> int:
        """`path` typed into the address bar; the status of the page it ends on."""
        response = await self.page.goto(PUBLIC_URL + path)
        assert response is not None
        if response.status >= 400:
            self.error_pages.add(response.url)
        return response.status

    def unexpected_problems(self) -> list[str]:
        """Console errors and failed requests, but for the 4xx of pages meant to be one."""
        expected = "Failed to load resource: the server responded with a status of 4"
        logged = [
            f"console error: {text} ({url})"
            for text, url in self.errors
            if not (url in self.error_pages and text.startswith(expected))
        ]
        failed = [p for p in self.site.screens.problems if not p.startswith("console ")]
        return logged + failed

    async def shot(self, label: str) -> Path:
        """A full-page screenshot, `<test>-<label>-<width>.png`; and the page fits."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.site.screens.test}-{label}-{self.width}.png"
        await self.page.screenshot(path=str(path), full_page=True)
        scroll = await self.page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= self.width, f"{label} scrolls sideways at {self.width}px: {scroll}px"
        return path

    async def shown(self) -> list[str]:
        """The incidents the list shows, in order."""
        return await self.page.locator("table.incidents tbody th a").all_inner_texts()

    async def signed_in_as(self) -> str | None:
        who = self.page.locator("header .who strong")
        return await who.inner_text() if await who.count() else None

    def sent_to_sign_in_since(self, before: int) -> bool:
        return any(urlsplit(url).path == "/ui/login" for url in self.visited[before:])

    async def session_cookie(self) -> dict[str, Any]:
        (cookie,) = [c for c in await self.page.context.cookies() if c["name"] == SESSION_COOKIE]
        return dict(cookie)

    async def put_session_cookie(self, value: str) -> None:
        """What someone with the browser's cookie store in hand can do."""
        await self.page.context.clear_cookies()
        await self.page.context.add_cookies(
            [
                {
                    "name": SESSION_COOKIE,
                    "value": value,
                    "domain": urlsplit(PUBLIC_URL).hostname or "",
                    "path": "/ui",
                    "httpOnly": True,
                    "sameSite": "Lax",
                }
            ]
        )


@pytest.fixture
async def site(
    chromium: Browser,
    database_url: str,
    clock: Clock,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> AsyncIterator[Site]:
    policy = enabled_policy(tmp_path, 'title = "Acme status"')
    async with signin_harness(
        database_url, clock, public_url=PUBLIC_URL, policy_file=policy
    ) as harness:
        slack = harness.slack
        slack.add_user(VIEWER, "ada", real_name=VIEWER_NAME)
        slack.add_user(RESPONDER, "grace", real_name=RESPONDER_NAME)
        checkout = await harness.declare(title="Checkout returns 500s", severity="SEV1")
        hostile = await harness.declare(title=HOSTILE, severity="SEV2")
        secret = await harness.declare(
            title="Payroll data leak", severity="SEV1", private=["private"], responders=[RESPONDER]
        )
        assert secret.private and not checkout.private
        server = urlsplit(ui_url(harness, "")).netloc
        public = urlsplit(PUBLIC_URL).netloc
        browser = await chromium.browser_type.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[f"--host-rules=MAP {public} {server}"],
        )
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
        screens = Screens(browser, name)
        try:
            yield Site(harness, screens, checkout, hostile, secret)
        finally:
            await screens.close()
            await browser.close()


@contextlib.asynccontextmanager
async def tab(site: Site, size: Size) -> AsyncIterator[Tab]:
    """A fresh browser tab (its own cookies); on leaving it, no page ran script or
    logged an error (but the status of a page meant to be a 404 or a 400), and no
    request failed."""
    page = await site.screens.page(size)
    opened = Tab(page, size, site)

    def navigated(request: Request) -> None:
        if request.is_navigation_request() and request.frame == page.main_frame:
            opened.visited.append(request.url)

    def logged(message: ConsoleMessage) -> None:
        if message.type == "error":
            opened.errors.append((message.text, message.location.get("url", "")))

    async def dialog(shown: Dialog) -> None:
        opened.dialogs.append(f"{shown.type}: {shown.message}")
        await shown.dismiss()

    page.on("request", navigated)
    page.on("console", logged)
    page.on("dialog", dialog)
    yield opened
    assert opened.dialogs == [], "a page ran script"
    assert opened.unexpected_problems() == []


async def sign_in(tab: Tab, user_id: str, path: str = "/ui") -> None:
    """Go to `path` signed out, through Sign in with Slack, and back to it signed in."""
    slack = tab.site.harness.slack
    slack.sign_in_as(user_id)
    before = len(tab.visited)
    assert await tab.go(path) == 200
    journey = [url.removeprefix(PUBLIC_URL) for url in tab.visited[before:]]
    assert journey[0] == path
    assert journey[1].startswith("/ui/login"), journey
    to_slack = urlsplit(journey[2])
    assert journey[2].startswith(slack.oidc_authorize_url + "?"), journey
    assert parse_qs(to_slack.query)["redirect_uri"] == [f"{PUBLIC_URL}/ui/auth/callback"]
    assert journey[3].startswith("/ui/auth/callback?code="), journey
    assert journey[4:] == [path], journey
    assert tab.page.url == PUBLIC_URL + path


def forge(payload: dict[str, Any], *, signed_at: int | None = None) -> str:
    """A session cookie as Starlette writes one, signed with the real secret at `signed_at`."""

    class At(itsdangerous.TimestampSigner):
        def get_timestamp(self) -> int:
            return signed_at if signed_at is not None else int(time.time())

    return At(SESSION_SECRET).sign(base64.b64encode(json.dumps(payload).encode())).decode()


# -- a person reads the status page, signs in, reads the list and an incident ---------


@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_signing_in_reading_the_list_and_an_incident(site: Site, size: Size) -> None:
    async with tab(site, size) as ada:
        page = ada.page

        # the public status page needs no session, and starts none
        assert await ada.go("/status") == 200
        assert not ada.sent_to_sign_in_since(0)
        assert await page.locator("h1").inner_text() == "Acme status"
        status_page = await page.locator("body").inner_text()
        assert site.checkout.reference in status_page
        assert site.secret.reference not in status_page
        assert await page.context.cookies() == []
        await ada.shot("status")

        await sign_in(ada, VIEWER)

        assert await ada.signed_in_as() == VIEWER_NAME
        assert await page.title() == "Incidents · Warroom"
        assert await ada.shown() == [site.hostile.reference, site.checkout.reference]
        listed = await page.locator("main").inner_text()
        assert site.secret.reference not in listed and site.secret.title not in listed
        hostile_row = page.locator("tr", has=page.get_by_role("link", name=site.hostile.reference))
        assert await hostile_row.locator("td.title").inner_text() == HOSTILE  # text, not markup
        assert await page.locator("main script").count() == 0
        await ada.shot("list")

        # filter: a severity picked in the select, the form sent with the keyboard
        await page.get_by_label("Severity").select_option("SEV1")
        await page.get_by_role("button", name="Show").focus()
        async with page.expect_navigation():
            await page.keyboard.press("Enter")
        assert parse_qs(urlsplit(page.url).query)["severity"] == ["SEV1"]
        assert await ada.shown() == [site.checkout.reference]
        assert await page.get_by_label("Severity").input_value() == "SEV1"
        await ada.shot("list-sev1")

        # open an incident from the list: Tab to its link, Enter
        link = f"/ui/incidents/{site.checkout.number}"
        for _ in range(30):
            await page.keyboard.press("Tab")
            if await page.evaluate("document.activeElement.getAttribute('href')") == link:
                break
        else:
            pytest.fail(f"Tab never reached {link}")
        async with page.expect_navigation():
            await page.keyboard.press("Enter")
        assert page.url == PUBLIC_URL + link
        heading = await page.locator("h1").inner_text()
        assert heading == f"{site.checkout.reference} {site.checkout.title}"
        facts = await page.get_by_role("list", name="At a glance").inner_text()
        assert "SEV1" in facts and "Investigating" in facts
        await ada.shot("incident")

        # back to the list by its link, and the hostile one by a click
        await page.get_by_role("link", name="Incidents", exact=True).click()
        await page.wait_for_url(f"{PUBLIC_URL}/ui")
        await page.get_by_role("link", name=site.hostile.reference).click()
        await page.wait_for_url(f"{PUBLIC_URL}/ui/incidents/{site.hostile.number}")
        assert await page.locator("h1").inner_text() == f"{site.hostile.reference} {HOSTILE}"
        await ada.shot("incident-hostile")

        # the private incident typed in: the page of a number that does not exist
        assert await ada.go(f"/ui/incidents/{site.secret.number}") == 404
        private_answer = await page.locator("main").inner_text()
        await ada.shot("not-found")
        assert await ada.go("/ui/incidents/999") == 404
        missing_answer = await page.locator("main").inner_text()
        assert private_answer.replace(str(site.secret.number), "N") == missing_answer.replace(
            "999", "N"
        )
        assert site.secret.title not in private_answer

        # the figures
        assert await ada.go("/ui/figures") == 200
        assert await page.locator("h1").inner_text() == "Figures"
        assert await page.locator("figure.chart").count() >= 1
        assert site.secret.title not in await page.locator("body").inner_text()
        await ada.shot("figures")


# -- the private incident: its room's member sees it, a forged session does not -------


async def test_a_member_sees_the_private_incident_and_a_forged_or_expired_session_is_nobody(
    site: Site,
) -> None:
    slack = site.harness.slack
    private_page = f"/ui/incidents/{site.secret.number}"

    async with tab(site, "desktop") as grace:
        await sign_in(grace, RESPONDER, private_page)  # a link shared in the room
        page = grace.page
        assert await grace.signed_in_as() == RESPONDER_NAME
        heading = await page.locator("h1").inner_text()
        assert heading == f"{site.secret.reference} {site.secret.title}"
        assert "private" in await page.get_by_role("list", name="At a glance").inner_text()
        await grace.shot("private-incident")
        assert await grace.go("/ui") == 200
        assert await grace.shown() == [
            site.secret.reference,
            site.hostile.reference,
            site.checkout.reference,
        ]
        secret_row = page.locator("tr", has=page.get_by_role("link", name=site.secret.reference))
        assert "private" in await secret_row.inner_text()
        await grace.shot("private-list")

    async with tab(site, "desktop") as ada:
        page = ada.page
        await sign_in(ada, VIEWER)
        real = await ada.session_cookie()
        assert real["httpOnly"] and not real["secure"] and real["path"] == "/ui"
        assert real["sameSite"] == "Lax"

        # Ada's own cookie rewritten to say she is Grace, who is in the private room
        data, signed_at, signature = real["value"].rsplit(".", 2)
        session = json.loads(base64.b64decode(data))
        assert session[SESSION_KEY]["user_id"] == VIEWER
        session[SESSION_KEY].update(user_id=RESPONDER, name=RESPONDER_NAME)
        claimed = base64.b64encode(json.dumps(session).encode())
        viewer = {"user_id": VIEWER, "team_id": slack.team_id, "name": VIEWER_NAME}
        now = int(time.time())
        refused = {
            "another person, same signature": f"{claimed.decode()}.{signed_at}.{signature}",
            "a bad signature": real["value"][:-4] + "AAAA",
            "another secret": itsdangerous.TimestampSigner("x" * 40).sign(claimed).decode(),
            "garbage": "garbage",
            "past its expiry": forge({SESSION_KEY: {**viewer, "expires_at": now - 1}}),
            "signed over 12 h ago": forge(
                {SESSION_KEY: {**viewer, "expires_at": now + 60}},
                signed_at=now - SESSION_TTL_S - 5,
            ),
        }
        # Slack signs Ada straight back in: after the detour she is Ada, not Grace
        for why, value in refused.items():
            await ada.put_session_cookie(value)
            before = len(ada.visited)
            assert await ada.go(private_page) == 404, why
            assert ada.sent_to_sign_in_since(before), f"{why}: not sent to sign in"
            assert await ada.signed_in_as() == VIEWER_NAME, why
            assert site.secret.title not in await page.locator("body").inner_text(), why

        # a session good for another minute is let in (so the refusals above are real)
        await ada.put_session_cookie(forge({SESSION_KEY: {**viewer, "expires_at": now + 60}}))
        before = len(ada.visited)
        assert await ada.go("/ui") == 200
        assert not ada.sent_to_sign_in_since(before)
        assert await ada.signed_in_as() == VIEWER_NAME

        # signed out of Slack too (she declines there): the sign-in ends, signed out
        slack.decline_sign_in()
        await ada.put_session_cookie(refused["past its expiry"])
        before = len(ada.visited)
        assert await ada.go("/ui") == 400
        assert ada.sent_to_sign_in_since(before)
        assert await ada.signed_in_as() is None
        assert await page.locator("h1").inner_text() == "Sign-in did not finish"
        await ada.shot("sign-in-declined")
