"""Signing in to the web UI from tests, the way a browser does, against FakeSlack.

    async with signin_harness(database_url, clock) as harness:
        cookies = await signed_in_cookies(harness, "UALICE")
        async with aiohttp.ClientSession() as http:
            await http.get(ui_url(harness, "/ui"), headers=cookie_header(cookies))

The session cookie is `Secure` (PUBLIC_URL is https) while the test server speaks
plain http on 127.0.0.1, so a cookie jar would keep it to itself: `Browser` keeps
cookies by hand and sends them as a `Cookie` header. Slack sends the browser back
to PUBLIC_URL; `Browser` takes that address to the server under test.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urljoin

import aiohttp

from fakeslack import FakeSlack
from tests.harness import Clock, Harness, harness_on

__all__ = [
    "PUBLIC_URL",
    "SESSION_SECRET",
    "Answer",
    "Browser",
    "cookie_header",
    "signed_in_cookies",
    "signin_harness",
    "signin_settings",
    "ui_url",
]

PUBLIC_URL = "https://warroom.test"
SESSION_SECRET = "test-session-secret-0123456789abcdef-0123456789"


def signin_settings(slack: FakeSlack, **overrides: Any) -> dict[str, Any]:
    """Warroom's settings for Sign in with Slack against `slack` (the web UI on)."""
    return {
        "slack_client_id": slack.oidc_client_id,
        "slack_client_secret": slack.oidc_client_secret,
        "session_secret": SESSION_SECRET,
        "public_url": PUBLIC_URL,
        "slack_oidc_authorize_url": slack.oidc_authorize_url,
        **overrides,
    }


@contextlib.asynccontextmanager
async def signin_harness(
    database_url: str, clock: Clock, **settings: Any
) -> AsyncIterator[Harness]:
    """`start_harness` with the web UI on; `settings` override Warroom's settings."""
    async with (
        FakeSlack() as slack,
        harness_on(slack, database_url, clock, **signin_settings(slack, **settings)) as running,
    ):
        yield running


def ui_url(harness: Harness, path: str) -> str:
    """`path` on the Warroom under test (harness.url is its /slack/events)."""
    return harness.url.removesuffix("/slack/events") + path


def cookie_header(cookies: Mapping[str, str]) -> dict[str, str]:
    """Request headers that send `cookies`."""
    return {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    text: str
    url: str

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def set_cookies(self) -> list[str]:
        return [v for k, v in self.headers if k.lower() == "set-cookie"]

    @property
    def location(self) -> str:
        location = self.header("Location")
        assert location is not None, f"no redirect: {self.status} {self.text[:200]}"
        return urljoin(self.url, location)


class Browser:
    """Cookies kept by hand, redirects followed one at a time (each is asserted on)."""

    def __init__(self, http: aiohttp.ClientSession, harness: Harness) -> None:
        self.http = http
        self.base = ui_url(harness, "")
        self.cookies: dict[str, str] = {}

    def _here(self, url: str) -> str:
        """Slack sends the browser to PUBLIC_URL: that is the server under test."""
        if url.startswith(PUBLIC_URL + "/"):
            return self.base + url.removeprefix(PUBLIC_URL)
        return self.base + url if url.startswith("/") else url

    async def request(self, method: str, url: str, **kwargs: Any) -> Answer:
        target = self._here(url)
        headers = {**kwargs.pop("headers", {})}
        if self.cookies and target.startswith(self.base):
            headers.update(cookie_header(self.cookies))
        async with self.http.request(
            method, target, headers=headers, allow_redirects=False, **kwargs
        ) as response:
            answer = Answer(
                response.status, list(response.headers.items()), await response.text(), target
            )
        if target.startswith(self.base):
            self._keep(answer)
        return answer

    async def get(self, url: str, **kwargs: Any) -> Answer:
        return await self.request("GET", url, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> Answer:
        return await self.request("POST", url, **kwargs)

    def _keep(self, answer: Answer) -> None:
        for header in answer.set_cookies():
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                gone = morsel["max-age"] == "0" or "1970" in morsel["expires"]
                if gone:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    async def start_sign_in(self, next_path: str | None = None) -> Answer:
        """`GET /ui/login`: the redirect to Slack's authorize page."""
        query = f"?{urlencode({'next': next_path})}" if next_path is not None else ""
        return await self.get(f"/ui/login{query}")

    async def authorize(self, to_slack: Answer) -> Answer:
        """Slack's authorize page: its redirect back to Warroom's callback."""
        assert to_slack.status == 302, (to_slack.status, to_slack.text)
        return await self.get(to_slack.location)

    async def sign_in(self, next_path: str | None = None) -> Answer:
        """The whole sign-in; returns the callback's answer."""
        back = await self.authorize(await self.start_sign_in(next_path))
        assert back.status == 302, (back.status, back.text)
        return await self.get(back.location)


async def signed_in_cookies(
    harness: Harness, user_id: str, *, team_id: str | None = None
) -> dict[str, str]:
    """Sign `user_id` in (through Slack's authorize page and the callback) and return
    the cookies a browser would now send (the session cookie)."""
    harness.slack.sign_in_as(user_id, team_id=team_id)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
        browser = Browser(http, harness)
        answer = await browser.sign_in()
    assert answer.status == 303, (answer.status, answer.text)
    return dict(browser.cookies)
