"""Sign in with Slack (OpenID Connect) on the stand-in: the authorize page, and the Web
API methods `openid.connect.token` and `openid.connect.userInfo`.

The authorize page (`GET /openid/connect/authorize`, Slack's path) plays the person at
the browser: it signs in whoever was chosen (`sign_in_as`: a test, or the demo) at once
and sends the browser back to `redirect_uri` with a `code` and the `state`, or with
`error=access_denied` when they decline (`decline_sign_in`). The shapes and error codes
follow Slack's method docs and the examples in refs/slack-oidc/.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from warroom.demo.slack.params import get_str
from warroom.demo.slack.state import Workspace

__all__ = [
    "AUTHORIZE_METHOD",
    "AUTHORIZE_ROUTE",
    "CODE_TTL_S",
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "OIDC_METHODS",
    "OidcMethods",
    "OidcProvider",
    "SignInUser",
]

Json = dict[str, Any]

AUTHORIZE_ROUTE = "/openid/connect/authorize"
AUTHORIZE_METHOD = "openid.connect.authorize"
"""How a visit to the authorize page is recorded among the calls."""
TOKEN_METHOD = "openid.connect.token"
USER_INFO_METHOD = "openid.connect.userInfo"
OIDC_METHODS = frozenset({TOKEN_METHOD, USER_INFO_METHOD})
DEFAULT_CLIENT_ID = "1111111111.2222222222222"
DEFAULT_CLIENT_SECRET = "fake-client-secret-0123456789abcdef"
CODE_TTL_S = 600.0
"""Slack's authorization codes expire after ten minutes."""
ISSUER = "https://slack.com"
ID_TOKEN_TTL_S = 300


@dataclass(frozen=True)
class SignInUser:
    """Who the authorize page signs in."""

    user_id: str
    team_id: str
    name: str
    email: str
    team_name: str
    team_domain: str


@dataclass(frozen=True)
class _Grant:
    user: SignInUser
    client_id: str
    redirect_uri: str
    nonce: str | None
    issued: float


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class OidcProvider:
    """The state of Sign in with Slack: who signs in next, codes and tokens handed out."""

    def __init__(self, *, client_id: str, client_secret: str) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.signing_in: SignInUser | None = None
        self.declines = False
        self.code_ttl_s = CODE_TTL_S
        self._codes: dict[str, _Grant] = {}
        self._tokens: dict[str, _Grant] = {}

    # -- the browser's side ---------------------------------------------------

    def authorize(self, query: Mapping[str, str]) -> tuple[int, str]:
        """(302, Location) back to the app, or (400, why) for a request Slack refuses."""
        if query.get("client_id") != self.client_id:
            return 400, "Invalid client_id parameter"
        if query.get("response_type") != "code":
            return 400, "Invalid response_type parameter (only code)"
        scopes = set(query.get("scope", "").replace(",", " ").split())
        if "openid" not in scopes:
            return 400, "Invalid scope parameter (openid is required)"
        redirect_uri = query.get("redirect_uri", "")
        if not redirect_uri.startswith(("https://", "http://")):
            return 400, "Invalid redirect_uri parameter"
        back: dict[str, str] = {}
        if self.declines:
            back["error"] = "access_denied"
        elif self.signing_in is None:
            return 400, "FakeSlack: nobody signs in; call sign_in_as(user_id) first"
        else:
            code = f"fake-oidc-code-{secrets.token_hex(16)}"
            self._codes[code] = _Grant(
                self.signing_in, self.client_id, redirect_uri, query.get("nonce"), time.monotonic()
            )
            back["code"] = code
        if "state" in query:
            back["state"] = query["state"]
        joiner = "&" if "?" in redirect_uri else "?"
        return 302, f"{redirect_uri}{joiner}{urlencode(back)}"

    # -- openid.connect.token -----------------------------------------------------

    def token(self, args: Json, authorization: str) -> Json:
        client_id, client_secret = _client_credentials(args, authorization)
        if client_id != self.client_id:
            return {"ok": False, "error": "invalid_client_id"}
        if client_secret is None or not hmac.compare_digest(client_secret, self.client_secret):
            return {"ok": False, "error": "bad_client_secret"}
        grant_type = get_str(args, "grant_type") or "authorization_code"
        if grant_type != "authorization_code":
            return {"ok": False, "error": "unsupported_grant_type"}
        grant = self._codes.pop(get_str(args, "code") or "", None)
        if grant is None or time.monotonic() - grant.issued > self.code_ttl_s:
            return {"ok": False, "error": "invalid_code"}
        if get_str(args, "redirect_uri") != grant.redirect_uri:
            return {"ok": False, "error": "bad_redirect_uri"}
        access_token = f"xoxp-fake-oidc-{secrets.token_hex(12)}"
        self._tokens[access_token] = grant
        return {
            "ok": True,
            "access_token": access_token,
            "token_type": "Bearer",
            "id_token": self._id_token(grant),
        }

    def _id_token(self, grant: _Grant) -> str:
        """A JWT with Slack's claims, signed HS256 with the client secret (Slack signs RS256
        with its own key; nothing here checks either)."""
        now = int(time.time())
        claims: Json = {
            "iss": ISSUER,
            "sub": grant.user.user_id,
            "aud": grant.client_id,
            "exp": now + ID_TOKEN_TTL_S,
            "iat": now,
            "auth_time": now,
            **({"nonce": grant.nonce} if grant.nonce is not None else {}),
            **_profile_claims(grant.user),
        }
        header = _b64url(json.dumps({"typ": "JWT", "alg": "HS256"}).encode())
        payload = _b64url(json.dumps(claims).encode())
        signed = f"{header}.{payload}".encode("ascii")
        signature = hmac.new(self.client_secret.encode(), signed, hashlib.sha256).digest()
        return f"{header}.{payload}.{_b64url(signature)}"

    # -- openid.connect.userInfo --------------------------------------------------

    def user_info(self, token: str) -> Json | None:
        """The claims for a Sign in with Slack token, or None if it is not one."""
        grant = self._tokens.get(token)
        if grant is None:
            return None
        return {"ok": True, "sub": grant.user.user_id, **_profile_claims(grant.user)}


def _client_credentials(args: Json, authorization: str) -> tuple[str | None, str | None]:
    """client_id and client_secret from HTTP Basic auth, else from the body."""
    if authorization.startswith("Basic "):
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None, None
        client_id, _, client_secret = decoded.partition(":")
        return client_id, client_secret
    return get_str(args, "client_id"), get_str(args, "client_secret")


def _profile_claims(user: SignInUser) -> Json:
    given, _, family = user.name.partition(" ")
    avatar = f"https://avatars.fake-slack.invalid/{user.user_id.lower()}"
    return {
        "https://slack.com/user_id": user.user_id,
        "https://slack.com/team_id": user.team_id,
        "email": user.email,
        "email_verified": True,
        "date_email_verified": 1700000000,
        "name": user.name,
        "picture": f"{avatar}_512.png",
        "given_name": given,
        "family_name": family,
        "locale": "en-US",
        "https://slack.com/team_name": user.team_name,
        "https://slack.com/team_domain": user.team_domain,
        **{f"https://slack.com/user_image_{size}": f"{avatar}_{size}.png" for size in (24, 48)},
        "https://slack.com/team_image_default": True,
    }


class OidcMethods:
    """The stand-in's Sign in with Slack setup (a mixin, so server.py stays about HTTP)."""

    _ws: Workspace
    _oidc: OidcProvider
    team_id: str

    @property
    def oidc_client_id(self) -> str:
        """The Slack app's Client ID the stand-in accepts (SLACK_CLIENT_ID)."""
        return self._oidc.client_id

    @property
    def oidc_client_secret(self) -> str:
        """The Slack app's Client Secret the stand-in accepts (SLACK_CLIENT_SECRET)."""
        return self._oidc.client_secret

    @property
    def oidc_authorize_url(self) -> str:
        """Where browsers are sent to sign in (SLACK_OIDC_AUTHORIZE_URL); once started."""
        if not self._ws.base_url:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return f"{self._ws.base_url}{AUTHORIZE_ROUTE}"

    def sign_in_as(
        self,
        user_id: str,
        *,
        team_id: str | None = None,
        name: str | None = None,
        email: str | None = None,
    ) -> None:
        """From now on, the authorize page signs in `user_id` of `team_id` (default this
        workspace; another team's ID plays a person of another workspace). `name` defaults
        to the user's real name, else handle, as set up with `add_user`."""
        handle = self._ws.user_name(user_id)
        real_name = self._ws.profiles.get(user_id, {}).get("real_name")
        other_team = team_id is not None and team_id != self.team_id
        self._oidc.declines = False
        self._oidc.signing_in = SignInUser(
            user_id=user_id,
            team_id=team_id or self.team_id,
            name=name or str(real_name or handle),
            email=email or f"{handle}@example.com",
            team_name="Another Workspace" if other_team else self._ws.team_name,
            team_domain="another-workspace" if other_team else self._ws.team_domain,
        )

    def decline_sign_in(self) -> None:
        """From now on, the person declines on the authorize page (`error=access_denied`)."""
        self._oidc.declines = True

    def expire_sign_in_codes(self) -> None:
        """Codes handed out so far (and later ones) expire at once, as after ten minutes."""
        self._oidc.code_ttl_s = -1.0

    def _oidc_dispatch(
        self, method: str, args: Json, request: web.Request, body_token: Any
    ) -> Json:
        auth = request.headers.get("Authorization", "")
        if method == TOKEN_METHOD:
            return self._oidc.token(args, auth)
        token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else None
        token = token or (body_token if isinstance(body_token, str) else None)
        if not token:
            return {"ok": False, "error": "not_authed"}
        answer = self._oidc.user_info(token)
        return answer if answer is not None else {"ok": False, "error": "invalid_auth"}
