"""Sign in with Slack over real HTTP: Warroom's ASGI app against FakeSlack's authorize
page, `openid.connect.token` and `openid.connect.userInfo`.

Who the session says is signed in is read by a second small app that shares the
session middleware and secret, and answers `current_viewer` (the dashboard's pages
are not this test's subject).
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import itsdangerous
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.harness import Clock, Harness
from tests.web.signin_helpers import (
    PUBLIC_URL,
    SESSION_SECRET,
    Browser,
    cookie_header,
    signed_in_cookies,
    signin_harness,
    ui_url,
)
from warroom.config import ConfigError, Settings, load_settings
from warroom.web.server import serve_locally
from warroom.web.session import SESSION_KEY, SESSION_TTL_S, current_viewer
from warroom.web.signin import SESSION_COOKIE, login_url, safe_next, session_middleware

ALICE = "U0ALICE001"


@dataclass
class SignIn:
    harness: Harness
    browser: Browser
    whoami_url: str

    async def whoami(self, cookies: dict[str, str] | None = None) -> dict[str, Any] | None:
        sent = self.browser.cookies if cookies is None else cookies
        async with self.browser.http.get(self.whoami_url, headers=cookie_header(sent)) as answer:
            assert answer.status == 200
            found = await answer.json()
        assert found is None or isinstance(found, dict)
        return found


def _whoami_app(settings: Settings) -> Starlette:
    async def whoami(request: Request) -> Response:
        viewer = current_viewer(request)
        return JSONResponse(viewer.to_session() if viewer is not None else None)

    return Starlette(
        routes=[Route("/ui/whoami", whoami)], middleware=[session_middleware(settings)]
    )


@pytest.fixture
async def signin(database_url: str, clock: Clock) -> AsyncIterator[SignIn]:
    async with (
        signin_harness(database_url, clock) as harness,
        serve_locally(_whoami_app(harness.runtime.settings)) as whoami_base,
        aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http,
    ):
        harness.slack.add_user(ALICE, "alice", real_name="Alice Example")
        harness.slack.sign_in_as(ALICE)
        yield SignIn(harness, Browser(http, harness), f"{whoami_base}/ui/whoami")


def _session_cookie(answer_headers: list[str]) -> str:
    (header,) = [h for h in answer_headers if h.startswith(f"{SESSION_COOKIE}=")]
    return header


def _forge(
    payload: dict[str, Any], *, secret: str = SESSION_SECRET, signed_at: int | None = None
) -> str:
    """A session cookie value as Starlette writes one, signed with `secret` at `signed_at`."""

    class _At(itsdangerous.TimestampSigner):
        def get_timestamp(self) -> int:
            return signed_at if signed_at is not None else int(time.time())

    data = base64.b64encode(json.dumps(payload).encode())
    return _At(secret).sign(data).decode()


# -- the whole flow ---------------------------------------------------------------


async def test_sign_in_with_slack_end_to_end(signin: SignIn) -> None:
    slack, browser = signin.harness.slack, signin.browser

    to_slack = await browser.start_sign_in("/ui/incidents/7?tab=timeline")
    assert to_slack.status == 302
    sent = urlsplit(to_slack.location)
    assert f"{sent.scheme}://{sent.netloc}{sent.path}" == slack.oidc_authorize_url
    query = {key: values[0] for key, values in parse_qs(sent.query).items()}
    assert query["response_type"] == "code"
    assert query["client_id"] == slack.oidc_client_id
    assert set(query["scope"].split(",")) == {"openid", "email", "profile"}
    assert query["redirect_uri"] == f"{PUBLIC_URL}/ui/auth/callback"
    assert len(query["state"]) >= 32 and len(query["nonce"]) >= 32
    assert query["state"] != query["nonce"]
    assert to_slack.header("Cache-Control") == "no-store"

    back = await browser.authorize(to_slack)
    assert back.status == 302 and back.location.startswith(f"{PUBLIC_URL}/ui/auth/callback?")
    signed_in = await browser.get(back.location)

    assert signed_in.status == 303, signed_in.text
    assert signed_in.header("Location") == "/ui/incidents/7?tab=timeline"
    assert await signin.whoami() == {
        "user_id": ALICE,
        "team_id": slack.team_id,
        "name": "Alice Example",
    }
    (token_call,) = slack.calls_to("openid.connect.token")
    assert token_call.response["ok"] is True
    assert token_call.args["redirect_uri"] == f"{PUBLIC_URL}/ui/auth/callback"
    assert "client_secret" not in token_call.args, "the secret goes as HTTP Basic auth"
    assert token_call.headers["Authorization"].startswith("Basic ")
    (user_call,) = slack.calls_to("openid.connect.userInfo")
    assert user_call.headers["Authorization"] == f"Bearer {token_call.response['access_token']}"

    again = await browser.start_sign_in("/ui/x")
    assert (again.status, again.header("Location")) == (303, "/ui/x"), "already signed in"


async def test_session_cookie_is_secure_httponly_samesite_lax_and_expires(signin: SignIn) -> None:
    started = await signin.browser.start_sign_in()
    signed_in = await signin.browser.get((await signin.browser.authorize(started)).location)

    for header in (
        _session_cookie(started.set_cookies()),
        _session_cookie(signed_in.set_cookies()),
    ):
        flags = {part.strip().lower() for part in header.split(";")[1:]}
        assert {"secure", "httponly", "samesite=lax", "path=/ui"} <= flags, header
        assert f"max-age={SESSION_TTL_S}" in flags


async def test_signed_in_cookies_helper_signs_a_person_in(signin: SignIn) -> None:
    cookies = await signed_in_cookies(signin.harness, "U0BOB00001")

    assert set(cookies) == {SESSION_COOKIE}
    who = await signin.whoami(cookies)
    assert who is not None and who["user_id"] == "U0BOB00001"


# -- refusals ---------------------------------------------------------------------


async def test_a_callback_with_another_state_is_refused(signin: SignIn) -> None:
    browser = signin.browser
    back = await browser.authorize(await browser.start_sign_in())
    parts = urlsplit(back.location)
    code = parse_qs(parts.query)["code"][0]

    refused = await browser.get(f"/ui/auth/callback?code={code}&state=not-the-one")

    assert refused.status == 400
    assert "Start again" in refused.text and 'href="/ui/login"' in refused.text
    assert signin.harness.slack.calls_to("openid.connect.token") == []
    assert await signin.whoami() is None
    replayed = await browser.get(back.location)
    assert replayed.status == 400, "the sign-in under way ended with the refusal"


async def test_a_callback_this_browser_never_started_is_refused(signin: SignIn) -> None:
    other = Browser(signin.browser.http, signin.harness)
    back = await other.authorize(await other.start_sign_in())

    refused = await signin.browser.get(back.location)  # no session: a link planted on someone

    assert refused.status == 400 and "Start again" in refused.text
    assert await signin.whoami() is None


async def test_a_code_from_another_sign_in_fails_the_nonce(signin: SignIn) -> None:
    """Code injection: an attacker's code sent with the victim's own state."""
    attacker = Browser(signin.browser.http, signin.harness)
    attackers_back = await attacker.authorize(await attacker.start_sign_in())
    attackers_code = parse_qs(urlsplit(attackers_back.location).query)["code"][0]
    victims_back = await signin.browser.authorize(await signin.browser.start_sign_in())
    victims_state = parse_qs(urlsplit(victims_back.location).query)["state"][0]

    refused = await signin.browser.get(
        f"/ui/auth/callback?code={attackers_code}&state={victims_state}"
    )

    assert refused.status == 400 and "did not match this sign-in" in refused.text
    assert await signin.whoami() is None


async def test_a_person_of_another_workspace_is_refused(signin: SignIn) -> None:
    signin.harness.slack.sign_in_as("U0STRANGER", team_id="T0ELSEWHERE")

    refused = await signin.browser.sign_in()

    assert refused.status == 403
    assert "This Warroom belongs to another Slack workspace" in refused.text
    assert await signin.whoami() is None
    assert len(signin.harness.slack.calls_to("auth.test")) >= 1


async def test_declining_on_slack_is_a_sign_in_to_start_again(signin: SignIn) -> None:
    signin.harness.slack.decline_sign_in()

    refused = await signin.browser.sign_in()

    assert refused.status == 400 and "declined" in refused.text
    assert signin.harness.slack.calls_to("openid.connect.token") == []


async def test_a_code_slack_no_longer_takes_is_refused(signin: SignIn) -> None:
    signin.harness.slack.expire_sign_in_codes()

    refused = await signin.browser.sign_in()

    assert refused.status == 400 and "invalid_code" in refused.text
    assert await signin.whoami() is None


async def test_slack_not_answering_is_a_502(signin: SignIn) -> None:
    signin.harness.slack.server_error("openid.connect.token", status=503, times=5)

    refused = await signin.browser.sign_in()

    assert refused.status == 502 and "Try again" in refused.text


# -- the cookie -------------------------------------------------------------------


async def test_a_tampered_cookie_is_nobody(signin: SignIn) -> None:
    cookies = await signed_in_cookies(signin.harness, ALICE)
    value = cookies[SESSION_COOKIE]
    data, timestamp, signature = value.rsplit(".", 2)
    session = json.loads(base64.b64decode(data))
    session[SESSION_KEY]["user_id"] = "U0MALLORY1"
    forged = base64.b64encode(json.dumps(session).encode()).decode()

    assert await signin.whoami(cookies) is not None
    assert await signin.whoami({SESSION_COOKIE: f"{forged}.{timestamp}.{signature}"}) is None
    assert await signin.whoami({SESSION_COOKIE: value[:-2] + "xx"}) is None
    assert await signin.whoami({SESSION_COOKIE: "garbage"}) is None
    other_secret = _forge(session, secret="another-secret-" + "x" * 32)
    assert await signin.whoami({SESSION_COOKIE: other_secret}) is None


async def test_an_expired_session_is_nobody(signin: SignIn) -> None:
    viewer = {"user_id": ALICE, "team_id": signin.harness.slack.team_id, "name": "Alice"}
    now = int(time.time())
    fresh = _forge({SESSION_KEY: {**viewer, "expires_at": now + 60}})
    past_expiry = _forge({SESSION_KEY: {**viewer, "expires_at": now - 1}})
    no_expiry = _forge({SESSION_KEY: viewer})
    signed_too_long_ago = _forge(
        {SESSION_KEY: {**viewer, "expires_at": now + 60}}, signed_at=now - SESSION_TTL_S - 5
    )

    assert await signin.whoami({SESSION_COOKIE: fresh}) is not None
    assert await signin.whoami({SESSION_COOKIE: past_expiry}) is None
    assert await signin.whoami({SESSION_COOKIE: no_expiry}) is None
    assert await signin.whoami({SESSION_COOKIE: signed_too_long_ago}) is None


async def test_sign_out_clears_the_session(signin: SignIn) -> None:
    browser = signin.browser
    assert (await browser.sign_in()).status == 303
    kept = dict(browser.cookies)

    out = await browser.post("/ui/logout")

    assert out.status == 303 and out.header("Location") == "/ui/login?signed_out=1"
    cleared = _session_cookie(out.set_cookies())
    assert "1970" in cleared and "path=/ui" in cleared.lower()
    assert browser.cookies == {}
    assert await signin.whoami() is None
    page = await browser.get(out.location)
    assert page.status == 200 and "Sign in with Slack" in page.text
    assert len(signin.harness.slack.calls_to("openid.connect.authorize")) == 1, "no bounce"
    assert (await browser.get("/ui/logout")).status == 405
    assert await signin.whoami(kept) is not None, "a copied cookie outlives sign-out until expiry"


# -- where the sign-in leads --------------------------------------------------------


@pytest.mark.parametrize(
    "next_path",
    [
        "https://evil.example/ui/x",
        "//evil.example/ui",
        "/\\evil.example/ui",
        "/ui\\..\\x",
        "/status",
        "/uiother",
        "javascript:alert(1)",
        "/ui/../slack/events",
        "/ui/login",
        "",
    ],
)
async def test_a_next_that_is_not_a_local_ui_path_is_ignored(
    signin: SignIn, next_path: str
) -> None:
    answer = await signin.browser.sign_in(next_path)

    assert answer.status == 303 and answer.header("Location") == "/ui"


def test_safe_next_keeps_ui_paths_only() -> None:
    assert safe_next("/ui") == "/ui"
    assert safe_next("/ui/incidents/4?tab=timeline#t") == "/ui/incidents/4?tab=timeline#t"
    for bad in (None, "ui/x", "http://127.0.0.1/ui", "/ui/\nx", "/ui/ x", "/ui/" + "a" * 3000):
        assert safe_next(bad) == "/ui"
    assert login_url("/ui/incidents/4") == "/ui/login?next=/ui/incidents/4"
    assert login_url("https://evil.example") == "/ui/login"


# -- settings ----------------------------------------------------------------------


async def test_the_web_ui_is_off_unless_configured(harness: Harness) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.get(ui_url(harness, "/ui/login"), allow_redirects=False) as answer,
    ):
        assert answer.status == 404
        assert "set-cookie" not in {key.lower() for key in answer.headers}


def _web_settings(**overrides: Any) -> dict[str, Any]:
    return {
        "slack_client_id": "1111111111.2222222222222",
        "slack_client_secret": "client-secret-0123456789",
        "session_secret": SESSION_SECRET,
        "public_url": "https://warroom.example.com/",
        "_env_file": None,
        **overrides,
    }


def test_settings_for_sign_in() -> None:
    settings = load_settings(**_web_settings())
    assert settings.web_ui_enabled
    assert settings.redirect_uri == "https://warroom.example.com/ui/auth/callback"
    assert settings.session_cookie_secure
    assert settings.slack_oidc_authorize_url == "https://slack.com/openid/connect/authorize"
    local = load_settings(**_web_settings(public_url="http://127.0.0.1:3000"))
    assert not local.session_cookie_secure
    assert not load_settings(_env_file=None).web_ui_enabled


@pytest.mark.parametrize(
    ("overrides", "names"),
    [
        ({"session_secret": "short-secret"}, "SESSION_SECRET is shorter than 32 characters"),
        ({"public_url": "http://warroom.example.com"}, "PUBLIC_URL is plain http"),
        ({"public_url": "warroom.example.com"}, "PUBLIC_URL is not an http(s) URL"),
        ({"slack_client_id": "abc"}, "SLACK_CLIENT_ID 'abc' is not a Slack client ID"),
        ({"slack_oidc_authorize_url": "http://slack.example"}, "SLACK_OIDC_AUTHORIZE_URL"),
    ],
)
def test_malformed_sign_in_settings_say_how_to_fix_them(
    overrides: dict[str, Any], names: str
) -> None:
    with pytest.raises(ConfigError, match=names.replace("(", r"\(").replace(")", r"\)")):
        load_settings(**_web_settings(**overrides))


def test_a_half_configured_web_ui_stops_start_up() -> None:
    settings = load_settings(
        **_web_settings(session_secret=""), slack_bot_token="xoxb-1", slack_signing_secret="s"
    )
    assert not settings.web_ui_enabled
    with pytest.raises(ConfigError, match=r"^SESSION_SECRET is missing \(the web UI needs it"):
        settings.require_slack(socket_mode=False)
    complete = load_settings(**_web_settings(), slack_bot_token="xoxb-1", slack_signing_secret="s")
    complete.require_slack(socket_mode=False)


def test_session_cookie_not_secure_only_for_plain_http_localhost() -> None:
    local = load_settings(**_web_settings(public_url="http://localhost:3000"))
    secure = load_settings(**_web_settings())

    assert session_middleware(local).kwargs["https_only"] is False
    assert session_middleware(secure).kwargs["https_only"] is True
    assert session_middleware(secure).kwargs["same_site"] == "lax"
