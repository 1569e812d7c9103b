"""Reading what Sign in with Slack answers: userInfo's claims and the ID token's payload,
against the constructed examples in refs/slack-oidc/."""

from __future__ import annotations

import base64
import json

from warroom.slack.signin import SlackIdentity, id_token_claims, identity_from

USER_INFO = {
    "ok": True,
    "sub": "U0ALICE001",
    "https://slack.com/user_id": "U0ALICE001",
    "https://slack.com/team_id": "T0WARROOM1",
    "email": "alice@example.com",
    "email_verified": True,
    "name": "Alice Example",
}


def _jwt(payload: object) -> str:
    part = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"eyJhbGciOiJSUzI1NiJ9.{part}.c2lnbmF0dXJl"


def test_identity_from_user_info() -> None:
    assert identity_from(USER_INFO) == SlackIdentity(
        "U0ALICE001", "T0WARROOM1", "Alice Example", "alice@example.com"
    )
    bare = {"sub": "U1", "https://slack.com/team_id": "T1", "name": "", "email": 3}
    assert identity_from(bare) == SlackIdentity("U1", "T1", "U1", None)
    assert identity_from({"sub": "U1"}) is None
    assert identity_from({"https://slack.com/team_id": "T1"}) is None


def test_id_token_claims_reads_the_payload_only() -> None:
    assert id_token_claims(_jwt({"nonce": "n-1", "aud": "1.2"})) == {"nonce": "n-1", "aud": "1.2"}
    assert id_token_claims("not-a-jwt") is None
    assert id_token_claims("a.!!!.c") is None
    assert id_token_claims(_jwt(["a", "list"])) is None
