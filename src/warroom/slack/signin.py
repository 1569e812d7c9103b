"""Sign in with Slack (OpenID Connect): the pieces of it that are Slack's.

The authorize URL comes from slack_sdk's own `OpenIDConnectAuthorizeUrlGenerator`;
the code exchange and the user's claims are Web API calls made by the gateway
(`SlackGateway.openid_token`, `SlackGateway.openid_user`). The web layer, which may
not import slack_sdk, calls these.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk.oauth import OpenIDConnectAuthorizeUrlGenerator

__all__ = [
    "SIGN_IN_SCOPES",
    "TEAM_ID_CLAIM",
    "USER_ID_CLAIM",
    "OpenIdTokens",
    "SlackIdentity",
    "authorize_url",
    "id_token_claims",
    "identity_from",
]

SIGN_IN_SCOPES = ("openid", "email", "profile")
TEAM_ID_CLAIM = "https://slack.com/team_id"
USER_ID_CLAIM = "https://slack.com/user_id"


@dataclass(frozen=True)
class OpenIdTokens:
    """What `openid.connect.token` answered: a user token for `openid.connect.userInfo`,
    and the ID token (a JWT) when Slack sent one."""

    access_token: str
    id_token: str | None


@dataclass(frozen=True)
class SlackIdentity:
    """Who signed in, as `openid.connect.userInfo` says."""

    user_id: str
    team_id: str
    name: str
    email: str | None


def authorize_url(
    *, authorization_url: str, client_id: str, redirect_uri: str, state: str, nonce: str
) -> str:
    """Where to send the browser to sign in (scopes openid, email, profile)."""
    generator = OpenIDConnectAuthorizeUrlGenerator(
        client_id=client_id,
        redirect_uri=redirect_uri,
        scopes=list(SIGN_IN_SCOPES),
        authorization_url=authorization_url,
    )
    return generator.generate(state=state, nonce=nonce)


def identity_from(claims: Mapping[str, Any]) -> SlackIdentity | None:
    """The person in userInfo's claims, or None when the user or team is missing."""
    user_id = claims.get(USER_ID_CLAIM) or claims.get("sub")
    team_id = claims.get(TEAM_ID_CLAIM)
    if not isinstance(user_id, str) or not user_id or not isinstance(team_id, str) or not team_id:
        return None
    name = claims.get("name")
    email = claims.get("email")
    return SlackIdentity(
        user_id=user_id,
        team_id=team_id,
        name=name if isinstance(name, str) and name else user_id,
        email=email if isinstance(email, str) and email else None,
    )


def id_token_claims(id_token: str) -> dict[str, Any] | None:
    """The claims in an ID token's payload, or None if it is not a JWT.

    Not a signature check: the token came straight from `openid.connect.token` over
    TLS, which OpenID Connect Core (3.1.3.7, step 6) accepts in its place. What is read
    here is the `nonce`, which ties the token to the browser that started the sign-in.
    """
    parts = id_token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        return None
    return claims if isinstance(claims, dict) else None
