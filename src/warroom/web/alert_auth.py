"""Who may post alerts: each source's credentials, checked on the raw body before parsing.

Every comparison is constant-time (`hmac.compare_digest`). The functions are pure:
headers come as a mapping with lowercase names (Starlette's `request.headers`, or
a dict), the time as `now`.

- **Bearer token** (every source): `Authorization: Bearer <token>`. Alertmanager
  sends it with `http_config: {authorization: {credentials: <token>}}`, Grafana
  with the webhook contact point's *Authorization header* (scheme `Bearer`).
- **Grafana HMAC**: with the contact point's *HMAC signature* secret set,
  `X-Grafana-Alerting-Signature` carries hex(HMAC-SHA256(secret, body)). If the
  contact point also names a timestamp header, name it
  `X-Grafana-Alerting-Timestamp`: Grafana then signs `timestamp + ":" + body`, and
  a timestamp more than 5 minutes away from Warroom's clock is refused, so a
  captured request cannot be replayed later (without one it can: prefer it).
- **Warroom HMAC** (the generic source): send `X-Warroom-Timestamp: <Unix time
  in seconds>` and `X-Warroom-Signature: sha256=<hex>`, the lowercase hex of
  HMAC-SHA256(secret, timestamp + ":" + body) over the exact bytes sent; the
  timestamp must be within 5 minutes of Warroom's clock. For example:

  ```sh
  ts=$(date +%s)
  sig=$(printf '%s:%s' "$ts" "$body" | openssl dgst -sha256 -hmac "$SECRET" -r | cut -d' ' -f1)
  curl -H "X-Warroom-Timestamp: $ts" -H "X-Warroom-Signature: sha256=$sig" \\
       -H 'Content-Type: application/json' --data-raw "$body" https://warroom.example.com/alerts/generic
  ```

With both a token and an HMAC secret configured for a source, either credential
lets a request in, but any credential it carries must be right.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "ACCEPTED",
    "GRAFANA_SIGNATURE",
    "GRAFANA_TIMESTAMP",
    "MAX_CLOCK_SKEW_S",
    "WARROOM_SIGNATURE",
    "WARROOM_TIMESTAMP",
    "AuthResult",
    "SourceSecrets",
    "authenticate",
    "check_bearer",
    "check_grafana_signature",
    "check_warroom_signature",
]

GRAFANA_SIGNATURE = "x-grafana-alerting-signature"
GRAFANA_TIMESTAMP = "x-grafana-alerting-timestamp"
WARROOM_SIGNATURE = "x-warroom-signature"
WARROOM_TIMESTAMP = "x-warroom-timestamp"
MAX_CLOCK_SKEW_S = 300
_MAX_TIMESTAMP_DIGITS = 12


@dataclass(frozen=True)
class AuthResult:
    """`reason` says why a request was refused (never anything it carried), for the log."""

    ok: bool
    reason: str = ""


ACCEPTED = AuthResult(ok=True)


@dataclass(frozen=True)
class SourceSecrets:
    """What one source is configured with; a source with neither is disabled."""

    token: str | None = None
    hmac_secret: str | None = None

    @property
    def configured(self) -> bool:
        return self.token is not None or self.hmac_secret is not None


def authenticate(
    source: str,
    body: bytes,
    headers: Mapping[str, str],
    secrets: SourceSecrets,
    now: datetime,
) -> AuthResult:
    """Accept a request carrying a right credential for a method configured for `source`,
    and none that is wrong."""
    if not secrets.configured:
        return AuthResult(False, f"alert source {source} is not configured")
    carried = False
    if secrets.token is not None and "authorization" in headers:
        carried = True
        result = check_bearer(headers, secrets.token)
        if not result.ok:
            return result
    if secrets.hmac_secret is not None:
        signature_header = {"grafana": GRAFANA_SIGNATURE, "generic": WARROOM_SIGNATURE}.get(source)
        if signature_header is not None and signature_header in headers:
            carried = True
            check = check_grafana_signature if source == "grafana" else check_warroom_signature
            result = check(body, headers, secrets.hmac_secret, now)
            if not result.ok:
                return result
    if not carried:
        return AuthResult(False, _what_is_expected(source, secrets))
    return ACCEPTED


def check_bearer(headers: Mapping[str, str], token: str) -> AuthResult:
    given = headers.get("authorization")
    if given is None:
        return AuthResult(False, "no Authorization header")
    scheme, _, credentials = given.strip().partition(" ")
    matches = hmac.compare_digest(_bytes(credentials.strip()), _bytes(token))
    if scheme.lower() != "bearer":
        return AuthResult(False, "the Authorization header is not a Bearer token")
    return ACCEPTED if matches else AuthResult(False, "wrong bearer token")


def check_grafana_signature(
    body: bytes, headers: Mapping[str, str], secret: str, now: datetime
) -> AuthResult:
    """hex(HMAC-SHA256(secret, body)), or over `timestamp:body` with a timestamp header."""
    signature = headers.get(GRAFANA_SIGNATURE)
    if signature is None:
        return AuthResult(False, "no X-Grafana-Alerting-Signature header")
    timestamp = headers.get(GRAFANA_TIMESTAMP)
    signed = body
    if timestamp is not None:
        stale = _stale(timestamp, now, "X-Grafana-Alerting-Timestamp")
        if stale is not None:
            return stale
        signed = timestamp.strip().encode() + b":" + body
    if _signature_matches(secret, signed, signature.strip().lower()):
        return ACCEPTED
    return AuthResult(
        False,
        "wrong X-Grafana-Alerting-Signature (wrong secret, or a timestamp header "
        "not named X-Grafana-Alerting-Timestamp)",
    )


def check_warroom_signature(
    body: bytes, headers: Mapping[str, str], secret: str, now: datetime
) -> AuthResult:
    """`sha256=` hex(HMAC-SHA256(secret, timestamp + ":" + body)), timestamp required."""
    signature = headers.get(WARROOM_SIGNATURE)
    if signature is None:
        return AuthResult(False, "no X-Warroom-Signature header")
    timestamp = headers.get(WARROOM_TIMESTAMP)
    if timestamp is None:
        return AuthResult(False, "no X-Warroom-Timestamp header")
    stale = _stale(timestamp, now, "X-Warroom-Timestamp")
    if stale is not None:
        return stale
    scheme, _, hex_digest = signature.strip().partition("=")
    signed = timestamp.strip().encode() + b":" + body
    matches = _signature_matches(secret, signed, hex_digest.lower())
    if scheme.lower() != "sha256":
        return AuthResult(False, "X-Warroom-Signature is not sha256=<hex>")
    return ACCEPTED if matches else AuthResult(False, "wrong X-Warroom-Signature")


def _signature_matches(secret: str, signed: bytes, given_hex: str) -> bool:
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(_bytes(given_hex), expected.encode())


def _stale(timestamp: str, now: datetime, header: str) -> AuthResult | None:
    value = timestamp.strip()
    if not (value.isascii() and value.isdigit() and len(value) <= _MAX_TIMESTAMP_DIGITS):
        return AuthResult(False, f"{header} is not a Unix time in seconds")
    if abs(now.timestamp() - int(value)) > MAX_CLOCK_SKEW_S:
        return AuthResult(False, f"{header} is more than 5 minutes away from Warroom's clock")
    return None


def _bytes(text: str) -> bytes:
    """Header text back to bytes (compare_digest refuses non-ASCII str)."""
    return text.encode("utf-8", "surrogateescape")


def _what_is_expected(source: str, secrets: SourceSecrets) -> str:
    expected = []
    if secrets.token is not None:
        expected.append("Authorization: Bearer")
    if secrets.hmac_secret is not None and source == "grafana":
        expected.append("X-Grafana-Alerting-Signature")
    if secrets.hmac_secret is not None and source == "generic":
        expected.append("X-Warroom-Signature")
    return "no credentials (expected " + " or ".join(expected or ["nothing it can send"]) + ")"
