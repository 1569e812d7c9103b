"""Alert senders' credentials, checked on the raw bytes in constant time."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from warroom.web.alert_auth import (
    SourceSecrets,
    authenticate,
    check_bearer,
    check_grafana_signature,
    check_warroom_signature,
)

GRAFANA = Path(__file__).parents[1] / "data" / "alerts" / "grafana-constructed"
VECTOR = json.loads((GRAFANA / "hmac-test-vector.json").read_text())
BODY = (GRAFANA / VECTOR["body_file"]).read_bytes()
SECRET = VECTOR["secret"]
SIGNED_AT = datetime.fromtimestamp(int(VECTOR["with_timestamp"]["timestamp"]), UTC)
TOKEN = "t0ken-0123456789abcdef"


def test_the_body_is_the_one_the_vector_signs() -> None:
    assert hashlib.sha256(BODY).hexdigest() == VECTOR["body_sha256"]


# --- Grafana's HMAC ---------------------------------------------------------------------


def test_grafana_signature_without_timestamp() -> None:
    headers = {"x-grafana-alerting-signature": VECTOR["without_timestamp"]["signature"]}
    assert check_grafana_signature(BODY, headers, SECRET, SIGNED_AT).ok
    # no timestamp, no window: the same request is good a year later (hence: prefer one)
    assert check_grafana_signature(BODY, headers, SECRET, SIGNED_AT + timedelta(days=365)).ok


def test_grafana_signature_with_timestamp() -> None:
    vector = VECTOR["with_timestamp"]
    headers = {
        "x-grafana-alerting-signature": vector["signature"],
        "x-grafana-alerting-timestamp": vector["timestamp"],
    }
    for skew in (0, 299, -299):
        assert check_grafana_signature(
            BODY, headers, SECRET, SIGNED_AT + timedelta(seconds=skew)
        ).ok


@pytest.mark.parametrize("skew", [301, -301, 86_400])
def test_grafana_stale_timestamp(skew: int) -> None:
    vector = VECTOR["with_timestamp"]
    headers = {
        "x-grafana-alerting-signature": vector["signature"],
        "x-grafana-alerting-timestamp": vector["timestamp"],
    }
    result = check_grafana_signature(BODY, headers, SECRET, SIGNED_AT + timedelta(seconds=skew))
    assert not result.ok
    assert "5 minutes" in result.reason


@pytest.mark.parametrize(
    "timestamp", ["", "soon", "-1765000800", "1765000800.0", "1_765_000_800", "9" * 13, "١٧٦٥"]
)
def test_grafana_timestamp_that_is_no_unix_time(timestamp: str) -> None:
    headers = {
        "x-grafana-alerting-signature": VECTOR["with_timestamp"]["signature"],
        "x-grafana-alerting-timestamp": timestamp,
    }
    result = check_grafana_signature(BODY, headers, SECRET, SIGNED_AT)
    assert not result.ok and "Unix time" in result.reason


def test_grafana_wrong_secret_body_or_signature() -> None:
    good = {"x-grafana-alerting-signature": VECTOR["without_timestamp"]["signature"]}
    assert not check_grafana_signature(BODY, good, "another-secret-entirely", SIGNED_AT).ok
    assert not check_grafana_signature(BODY + b" ", good, SECRET, SIGNED_AT).ok
    for signature in ("", "00" * 32, VECTOR["with_timestamp"]["signature"], "é" * 64):
        headers = {"x-grafana-alerting-signature": signature}
        assert not check_grafana_signature(BODY, headers, SECRET, SIGNED_AT).ok


def test_grafana_signature_signed_with_a_timestamp_sent_under_another_name() -> None:
    vector = VECTOR["with_timestamp"]
    headers = {"x-grafana-alerting-signature": vector["signature"], "x-ts": vector["timestamp"]}
    result = check_grafana_signature(BODY, headers, SECRET, SIGNED_AT)
    assert not result.ok
    assert "X-Grafana-Alerting-Timestamp" in result.reason


def test_grafana_signature_in_upper_case_hex() -> None:
    headers = {"x-grafana-alerting-signature": VECTOR["without_timestamp"]["signature"].upper()}
    assert check_grafana_signature(BODY, headers, SECRET, SIGNED_AT).ok


def test_grafana_without_a_signature() -> None:
    result = check_grafana_signature(BODY, {}, SECRET, SIGNED_AT)
    assert not result.ok and "X-Grafana-Alerting-Signature" in result.reason


# --- Warroom's own HMAC -------------------------------------------------------------------

NOW = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)


def warroom_headers(body: bytes, secret: str = SECRET, at: datetime = NOW) -> dict[str, str]:
    timestamp = str(int(at.timestamp()))
    digest = hmac.new(secret.encode(), f"{timestamp}:".encode() + body, hashlib.sha256)
    return {"x-warroom-timestamp": timestamp, "x-warroom-signature": f"sha256={digest.hexdigest()}"}


def test_warroom_signature() -> None:
    assert check_warroom_signature(BODY, warroom_headers(BODY), SECRET, NOW).ok


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"x-warroom-timestamp": None}, "no X-Warroom-Timestamp header"),
        ({"x-warroom-signature": None}, "no X-Warroom-Signature header"),
        ({"x-warroom-timestamp": "1"}, "more than 5 minutes"),
        ({"x-warroom-timestamp": "yesterday"}, "not a Unix time"),
        ({"x-warroom-signature": "sha1=abc"}, "not sha256=<hex>"),
        ({"x-warroom-signature": "sha256=" + "0" * 64}, "wrong X-Warroom-Signature"),
    ],
)
def test_warroom_signature_refused(change: dict[str, str | None], reason: str) -> None:
    headers: dict[str, Any] = {**warroom_headers(BODY), **change}
    headers = {name: value for name, value in headers.items() if value is not None}
    result = check_warroom_signature(BODY, headers, SECRET, NOW)
    assert not result.ok
    assert reason in result.reason


def test_warroom_signature_with_the_wrong_secret_or_an_old_timestamp() -> None:
    assert not check_warroom_signature(BODY, warroom_headers(BODY, "other-secret"), SECRET, NOW).ok
    stale = warroom_headers(BODY, at=NOW - timedelta(minutes=6))
    assert not check_warroom_signature(BODY, stale, SECRET, NOW).ok
    # the timestamp is signed: moving it forward breaks the signature
    moved = {**stale, "x-warroom-timestamp": str(int(NOW.timestamp()))}
    assert not check_warroom_signature(BODY, moved, SECRET, NOW).ok


# --- bearer tokens ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header", [f"Bearer {TOKEN}", f"bearer {TOKEN}", f"BEARER  {TOKEN} ", f" Bearer {TOKEN}"]
)
def test_bearer_right(header: str) -> None:
    assert check_bearer({"authorization": header}, TOKEN).ok


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "no Authorization header"),
        ("", "not a Bearer token"),
        (TOKEN, "not a Bearer token"),
        (f"Basic {TOKEN}", "not a Bearer token"),
        ("Bearer", "wrong bearer token"),
        ("Bearer wrong", "wrong bearer token"),
        (f"Bearer {TOKEN}x", "wrong bearer token"),
        (f"Bearer {TOKEN[:-1]}", "wrong bearer token"),
        ("Bearer ëëë", "wrong bearer token"),
    ],
)
def test_bearer_wrong_or_missing(header: str | None, reason: str) -> None:
    headers = {} if header is None else {"authorization": header}
    result = check_bearer(headers, TOKEN)
    assert not result.ok
    assert result.reason.endswith(reason)
    assert TOKEN not in result.reason


def test_every_comparison_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    compared: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def recording(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", recording)

    assert check_bearer({"authorization": f"Bearer {TOKEN}"}, TOKEN).ok
    assert not check_bearer({"authorization": "Basic x"}, TOKEN).ok
    headers = {"x-grafana-alerting-signature": VECTOR["without_timestamp"]["signature"]}
    assert check_grafana_signature(BODY, headers, SECRET, SIGNED_AT).ok
    assert check_warroom_signature(BODY, warroom_headers(BODY), SECRET, NOW).ok
    bad = {**warroom_headers(BODY), "x-warroom-signature": "md5=00"}
    assert not check_warroom_signature(BODY, bad, SECRET, NOW).ok

    assert len(compared) == 5
    assert all(isinstance(a, bytes) and isinstance(b, bytes) for a, b in compared)


# --- one source, its configured methods ------------------------------------------------------

BOTH = SourceSecrets(token=TOKEN, hmac_secret=SECRET)


def test_a_source_without_secrets_is_refused() -> None:
    result = authenticate("grafana", BODY, {}, SourceSecrets(), SIGNED_AT)
    assert not result.ok and "not configured" in result.reason


def test_either_configured_method_lets_a_request_in() -> None:
    signed = {"x-grafana-alerting-signature": VECTOR["without_timestamp"]["signature"]}
    bearer = {"authorization": f"Bearer {TOKEN}"}
    assert authenticate("grafana", BODY, signed, BOTH, SIGNED_AT).ok
    assert authenticate("grafana", BODY, bearer, BOTH, SIGNED_AT).ok
    assert authenticate("grafana", BODY, {**signed, **bearer}, BOTH, SIGNED_AT).ok
    assert authenticate("generic", BODY, warroom_headers(BODY), BOTH, NOW).ok
    assert authenticate("alertmanager", BODY, bearer, SourceSecrets(token=TOKEN), NOW).ok


def test_any_wrong_credential_refuses_the_request() -> None:
    signed = {"x-grafana-alerting-signature": VECTOR["without_timestamp"]["signature"]}
    wrong_bearer = {"authorization": "Bearer nope"}
    result = authenticate("grafana", BODY, {**signed, **wrong_bearer}, BOTH, SIGNED_AT)
    assert not result.ok and result.reason == "wrong bearer token"
    wrong_signature = {"x-grafana-alerting-signature": "00"}
    bearer = {"authorization": f"Bearer {TOKEN}"}
    assert not authenticate("grafana", BODY, {**wrong_signature, **bearer}, BOTH, SIGNED_AT).ok


def test_a_credential_for_a_method_not_configured_is_no_credential() -> None:
    signed = {"x-grafana-alerting-signature": VECTOR["without_timestamp"]["signature"]}
    token_only = SourceSecrets(token=TOKEN)
    result = authenticate("grafana", BODY, signed, token_only, SIGNED_AT)
    assert not result.ok
    assert result.reason == "no credentials (expected Authorization: Bearer)"
    # and a bearer header where only HMAC is configured is ignored, not fatal
    hmac_only = SourceSecrets(hmac_secret=SECRET)
    headers = {**signed, "authorization": "Basic dXNlcjpwYXNz"}
    assert authenticate("grafana", BODY, headers, hmac_only, SIGNED_AT).ok


def test_what_a_refusal_says_is_expected() -> None:
    assert authenticate("generic", BODY, {}, BOTH, NOW).reason == (
        "no credentials (expected Authorization: Bearer or X-Warroom-Signature)"
    )
    assert authenticate("grafana", BODY, {}, BOTH, NOW).reason == (
        "no credentials (expected Authorization: Bearer or X-Grafana-Alerting-Signature)"
    )
