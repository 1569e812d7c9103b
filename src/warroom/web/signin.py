"""Sign in with Slack (OpenID Connect) for the web UI, and signing out.

`GET /ui/login` sends the browser to Slack's authorize URL with a fresh `state` and
`nonce` kept in the session; `GET /ui/auth/callback` checks the `state` (constant
time), exchanges the code (`openid.connect.token`), checks the ID token's `nonce`,
asks who it is (`openid.connect.userInfo`), and lets in only people of the workspace
the app is installed in (the bot's team, from `auth.test`). `POST /ui/logout` ends
the session.

The session is Starlette's signed cookie (`session_middleware`): HttpOnly,
SameSite=Lax, Secure unless Warroom runs on plain http on this machine, limited to
`/ui`, and good for `SESSION_TTL_S` (the cookie's Max-Age and an expiry inside it).
All Slack calls go through the gateway; nothing here imports slack_sdk.
"""

from __future__ import annotations

import html
import logging
import secrets
import time
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from warroom.config import Settings
from warroom.runtime import Runtime
from warroom.slack.errors import SlackFailure
from warroom.slack.signin import authorize_url, id_token_claims
from warroom.web.session import SESSION_TTL_S, Viewer, current_viewer, sign_in, sign_out

__all__ = [
    "CALLBACK_PATH",
    "HOME_PATH",
    "LOGIN_PATH",
    "LOGOUT_PATH",
    "SESSION_COOKIE",
    "login_url",
    "safe_next",
    "session_middleware",
    "signin_routes",
]

log = logging.getLogger(__name__)

HOME_PATH = "/ui"
LOGIN_PATH = "/ui/login"
CALLBACK_PATH = "/ui/auth/callback"
LOGOUT_PATH = "/ui/logout"
SESSION_COOKIE = "warroom_session"
PENDING_KEY = "signin"
"""Session key of a sign-in under way: its state, nonce, where to go after, when it began."""
PENDING_TTL_S = 10 * 60
"""A sign-in not finished within this is started again (Slack's codes last 10 minutes)."""
_MAX_NEXT_CHARS = 2000
_NO_STORE = {"Cache-Control": "no-store"}


def session_middleware(settings: Settings) -> Middleware:
    """The signed session cookie for `/ui`; only when `settings.web_ui_enabled`."""
    assert settings.session_secret is not None, "the web UI is off"
    return Middleware(
        SessionMiddleware,
        secret_key=settings.session_secret.get_secret_value(),
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_TTL_S,
        path=HOME_PATH,
        same_site="lax",
        https_only=settings.session_cookie_secure,
    )


def safe_next(value: str | None) -> str:
    """`value` if it is a path of the web UI on this site, else the UI's home.

    Anything else (another site, `//host`, a backslash, a scheme) would make the
    sign-in an open redirect."""
    if not value or len(value) > _MAX_NEXT_CHARS:
        return HOME_PATH
    if any(ord(char) < 0x21 or char == "\\" for char in value):
        return HOME_PATH
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or value.startswith("//"):
        return HOME_PATH
    path = parts.path
    if path != HOME_PATH and not path.startswith(HOME_PATH + "/"):
        return HOME_PATH
    if ".." in path.split("/") or path.startswith((LOGIN_PATH, CALLBACK_PATH, LOGOUT_PATH)):
        return HOME_PATH
    return value


def login_url(next_path: str | None = None) -> str:
    """Where a page sends someone who is not signed in, to come back to `next_path`."""
    target = safe_next(next_path)
    return LOGIN_PATH if target == HOME_PATH else f"{LOGIN_PATH}?next={quote(target, safe='/')}"


def _page(status: int, title: str, message: str, *, link: tuple[str, str]) -> Response:
    """A minimal page with one way on (the dashboard's templates are not needed to say no)."""
    href, label = link
    action = f'<p><a href="{html.escape(href)}">{html.escape(label)}</a></p>'
    body = (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} · Warroom</title>"
        '<link rel=stylesheet href="/ui/static/ui.css"></head>'
        f"<body><main><h1>{html.escape(title)}</h1><p>{html.escape(message)}</p>{action}"
        "</main></body></html>"
    )
    return HTMLResponse(body, status_code=status, headers=_NO_STORE)


def _start_again(message: str) -> Response:
    return _page(
        400, "Sign-in did not finish", message, link=(LOGIN_PATH, "Start again: sign in with Slack")
    )


class _InstalledTeam:
    """The workspace the app is installed in (the bot's team, from auth.test), asked once."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime
        self._team_id: str | None = None

    async def team_id(self) -> str:
        if self._team_id is None:
            data = await self._runtime.gateway.auth_test()
            team_id = data.get("team_id")
            if not isinstance(team_id, str) or not team_id:
                raise SlackFailure("auth.test", "no_team_id")
            self._team_id = team_id
        return self._team_id


def signin_routes(runtime: Runtime) -> list[Route]:
    """`GET /ui/login`, `GET /ui/auth/callback`, `POST /ui/logout`; mount them (and
    `session_middleware`) only when `runtime.settings.web_ui_enabled`."""
    settings = runtime.settings
    assert settings.slack_client_id is not None and settings.slack_client_secret is not None
    client_id = settings.slack_client_id
    client_secret = settings.slack_client_secret
    redirect_uri = settings.redirect_uri
    installed = _InstalledTeam(runtime)

    async def login(request: Request) -> Response:
        next_path = safe_next(request.query_params.get("next"))
        if current_viewer(request) is not None:
            return RedirectResponse(next_path, status_code=303, headers=_NO_STORE)
        if request.query_params.get("signed_out"):
            return _page(
                200,
                "Signed out",
                "You have signed out of Warroom.",
                link=(login_url(next_path), "Sign in with Slack"),
            )
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        request.session[PENDING_KEY] = {
            "state": state,
            "nonce": nonce,
            "next": next_path,
            "started": int(time.time()),
        }
        target = authorize_url(
            authorization_url=settings.slack_oidc_authorize_url,
            client_id=client_id,
            redirect_uri=redirect_uri,
            state=state,
            nonce=nonce,
        )
        return RedirectResponse(target, status_code=302, headers=_NO_STORE)

    async def callback(request: Request) -> Response:
        pending = request.session.pop(PENDING_KEY, None)
        pending = pending if isinstance(pending, dict) else {}
        expected = pending.get("state")
        given = request.query_params.get("state", "")
        started = pending.get("started")
        if (
            not isinstance(expected, str)
            or not secrets.compare_digest(expected.encode(), given.encode())
            or not isinstance(started, int)
            or time.time() - started > PENDING_TTL_S
        ):
            return _start_again(
                "This sign-in link is not the one this browser started, or it is too old. "
                "Start again from Warroom."
            )
        if request.query_params.get("error"):
            return _start_again("Slack did not sign you in (the request was declined).")
        code = request.query_params.get("code")
        if not code:
            return _start_again("Slack sent no sign-in code.")
        try:
            tokens = await runtime.gateway.openid_token(
                client_id=client_id,
                client_secret=client_secret.get_secret_value(),
                code=code,
                redirect_uri=redirect_uri,
            )
            claims: dict[str, Any] = id_token_claims(tokens.id_token or "") or {}
            nonce, audience = claims.get("nonce"), claims.get("aud")
            if (
                not isinstance(nonce, str)
                or not secrets.compare_digest(
                    nonce.encode(), str(pending.get("nonce", "")).encode()
                )
                or client_id not in (audience if isinstance(audience, list) else [audience])
            ):
                log.warning("sign-in refused: the ID token is not for this sign-in")
                return _start_again("Slack's answer did not match this sign-in.")
            identity = await runtime.gateway.openid_user(tokens.access_token)
            team_id = await installed.team_id()
        except SlackFailure as failure:
            log.warning("sign-in failed: %s answered %r", failure.method, failure.error)
            if failure.transient:
                return _page(
                    502,
                    "Slack did not answer",
                    "Warroom could not reach Slack to finish signing you in. Try again shortly.",
                    link=(LOGIN_PATH, "Try again"),
                )
            return _start_again(f"Slack refused the sign-in ({failure.error}).")
        if not secrets.compare_digest(identity.team_id.encode(), team_id.encode()):
            log.info(
                "sign-in refused: %r is of another workspace (%r)",
                identity.user_id,
                identity.team_id,
            )
            return _page(
                403,
                "This Warroom belongs to another Slack workspace",
                "Sign in with an account of the workspace Warroom is installed in.",
                link=(LOGIN_PATH, "Sign in with another account"),
            )
        sign_in(request, Viewer(identity.user_id, identity.team_id, identity.name))
        log.info("signed in: %r of %r", identity.user_id, identity.team_id)
        next_path = safe_next(pending.get("next") if isinstance(pending.get("next"), str) else None)
        return RedirectResponse(next_path, status_code=303, headers=_NO_STORE)

    async def logout(request: Request) -> Response:
        sign_out(request)
        return RedirectResponse(f"{LOGIN_PATH}?signed_out=1", status_code=303, headers=_NO_STORE)

    return [
        Route(LOGIN_PATH, login, methods=["GET"]),
        Route(CALLBACK_PATH, callback, methods=["GET"]),
        Route(LOGOUT_PATH, logout, methods=["POST"]),
    ]
