"""Webhook bodies into `Notification`s: Alertmanager's, Grafana's and Warroom's own.

Parsing is pure and strict about shape (a malformed body raises
`AlertPayloadError`, whose message names the field, e.g. `alerts[2].startsAt is
not an RFC 3339 time`) but lenient about size: overlong label and annotation
values are clipped, not refused, since a refused notification is lost.

## The generic format

For anything that is neither Alertmanager nor Grafana (a cron job, a script, a
custom Alertmanager or Grafana `payload` template), POST this JSON to
`/alerts/generic`:

```json
{
  "group_key": "checkout-latency",
  "alerts": [
    {
      "name": "CheckoutLatencyHigh",
      "status": "firing",
      "labels": {"service": "checkout", "severity": "critical"},
      "annotations": {"summary": "p99 checkout latency above 2 s"},
      "starts_at": "2026-12-06T03:10:00Z",
      "ends_at": null,
      "fingerprint": "checkout-p99",
      "url": "https://grafana.example.com/d/checkout"
    }
  ]
}
```

- `alerts` (required): 1 to 1000 alerts.
- `name`: the alert's name; or give it as `labels.alertname` instead. One of the
  two is required; if both are given they must agree.
- `status`: `firing` (the default) or `resolved`.
- `labels`, `annotations`: objects of strings (default `{}`). Label values over
  1,000 characters and annotation values over 4,000 are cut short.
  `annotations.summary` (or `description`) is what Warroom shows.
- `starts_at` (required): when the alert started, RFC 3339 (`2026-12-06T03:10:00Z`,
  `2026-12-06T04:10:00.5+01:00`). It is required, not defaulted to the time of
  arrival, because it is part of the alert's identity: sending the same body
  twice must change nothing, and the same alert firing again later is a new
  occurrence only because its `starts_at` is new.
- `ends_at`: when it resolved, RFC 3339 or `null`.
- `fingerprint`: the alert's identity within Warroom; default a hash of its
  labels (the name included), so alerts with the same labels are one alert.
- `url`: a link back to where the alert comes from (http or https).
- `group_key`: which alerts belong together, like Alertmanager's `groupKey`;
  default the alert names, sorted and joined with commas.

The notification is `firing` while any alert in it fires, else `resolved`.
Unknown fields are refused, so a typo (`start_at`) is an error rather than a
silently missing value.

Authenticate with `Authorization: Bearer <GENERIC_ALERT_TOKEN>`, or sign with
`GENERIC_ALERT_HMAC_SECRET`: send `X-Warroom-Timestamp: <Unix time in seconds>`
and `X-Warroom-Signature: sha256=<hex>`, the hex HMAC-SHA256 of
`<timestamp>:<body>` (the exact bytes sent), within 5 minutes of Warroom's clock.
Warroom answers 200 `{"ok": true, "alerts": <n>, "duplicate": <bool>}`, 400
`{"error": "<which field is wrong>"}` (do not retry), 401 (wrong credentials) or
503 (retry later).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from warroom.domain.alerts import (
    FIRING,
    RESOLVED,
    SOURCES,
    Alert,
    AlertStatus,
    Notification,
    label_fingerprint,
)

__all__ = [
    "MAX_ALERTS",
    "MAX_ANNOTATION_VALUE",
    "MAX_LABEL_VALUE",
    "AlertPayloadError",
    "parse_alertmanager",
    "parse_generic",
    "parse_grafana",
    "parse_notification",
]

MAX_ALERTS = 1000
"""Alerts in one notification; more is refused (set Alertmanager's `max_alerts`, or
Grafana's `maxAlerts`, to at most this: the rest is then counted as truncated)."""
MAX_LABEL_VALUE = 1000
MAX_ANNOTATION_VALUE = 4000
MAX_NAME = 200
"""Label and annotation names are cut to this."""
MAX_KEY = 500
"""A longer group key or fingerprint keeps its start and gets a digest of the whole,
so it stays short, stable and distinct."""
MAX_URL = 2048
"""A longer URL is dropped: a link cut short leads nowhere."""
MAX_TRUNCATED = 10**9

_ZERO_TIME = datetime(1, 1, 1, tzinfo=UTC)
"""Go's zero time, which Alertmanager and Grafana send as the `endsAt` of a firing alert."""

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,32}))?"
    r"(?:[Zz]|([+-])(\d{2}):(\d{2}))",
    re.ASCII,
)

_GENERIC_FIELDS = frozenset({"group_key", "alerts"})
_GENERIC_ALERT_FIELDS = frozenset(
    {"name", "status", "labels", "annotations", "starts_at", "ends_at", "fingerprint", "url"}
)


class AlertPayloadError(ValueError):
    """The body is not a notification of its source; the message says which field."""


def parse_notification(source: str, body: bytes) -> Notification:
    parser = _PARSERS.get(source)
    if parser is None:
        raise AlertPayloadError(f"unknown alert source (use one of {', '.join(SOURCES)})")
    return parser(body)


def parse_alertmanager(body: bytes) -> Notification:
    return _parse_alertmanager_shape("alertmanager", _load(body))


def parse_grafana(body: bytes) -> Notification:
    """Grafana's default webhook payload is Alertmanager's plus extras, which are ignored."""
    return _parse_alertmanager_shape("grafana", _load(body))


def parse_generic(body: bytes) -> Notification:
    doc = _load(body)
    _no_unknown_fields(doc, _GENERIC_FIELDS, "")
    raw_alerts = _alert_list(doc.get("alerts"))
    alerts = tuple(_generic_alert(raw, f"alerts[{i}]") for i, raw in enumerate(raw_alerts))
    group_key = doc.get("group_key")
    if group_key is None:
        group_key = ",".join(sorted({alert.labels["alertname"] for alert in alerts}))
    else:
        group_key = _nonempty_str(group_key, "group_key")
    return Notification(
        source="generic",
        group_key=_bounded_key(group_key),
        status=FIRING if any(a.status == FIRING for a in alerts) else RESOLVED,
        alerts=alerts,
    )


def _parse_alertmanager_shape(source: str, doc: dict[str, Any]) -> Notification:
    status = _status(doc.get("status"), "status")
    raw_alerts = _alert_list(doc.get("alerts"))
    alerts = tuple(
        _alertmanager_alert(raw, f"alerts[{i}]", status) for i, raw in enumerate(raw_alerts)
    )
    truncated = doc.get("truncatedAlerts", 0)
    if truncated is None:
        truncated = 0
    if type(truncated) is not int or not 0 <= truncated <= MAX_TRUNCATED:
        raise AlertPayloadError("truncatedAlerts is not a count")
    return Notification(
        source=source,
        group_key=_bounded_key(_nonempty_str(doc.get("groupKey"), "groupKey")),
        status=status,
        alerts=alerts,
        group_labels=_string_map(doc.get("groupLabels"), "groupLabels", MAX_LABEL_VALUE),
        common_labels=_string_map(doc.get("commonLabels"), "commonLabels", MAX_LABEL_VALUE),
        common_annotations=_string_map(
            doc.get("commonAnnotations"), "commonAnnotations", MAX_ANNOTATION_VALUE
        ),
        external_url=_url(doc.get("externalURL"), "externalURL"),
        truncated=truncated,
    )


def _alertmanager_alert(raw: Any, where: str, group_status: AlertStatus) -> Alert:
    if not isinstance(raw, dict):
        raise AlertPayloadError(f"{where} is not an object")
    if "labels" not in raw:
        raise AlertPayloadError(f"{where}.labels is missing")
    labels = _string_map(raw["labels"], f"{where}.labels", MAX_LABEL_VALUE)
    status = raw.get("status")
    fingerprint = raw.get("fingerprint")
    if fingerprint is not None:
        fingerprint = _str(fingerprint, f"{where}.fingerprint")
    starts_at = _time(raw.get("startsAt"), f"{where}.startsAt")
    if starts_at is None:
        raise AlertPayloadError(f"{where}.startsAt is the zero time")
    return Alert(
        # Senders older than Alertmanager 0.7 gave alerts no status or fingerprint.
        fingerprint=_bounded_key(fingerprint) if fingerprint else label_fingerprint(labels),
        status=group_status if status is None else _status(status, f"{where}.status"),
        labels=labels,
        annotations=_string_map(
            raw.get("annotations"), f"{where}.annotations", MAX_ANNOTATION_VALUE
        ),
        starts_at=starts_at,
        ends_at=_optional_time(raw.get("endsAt"), f"{where}.endsAt"),
        source_url=_url(raw.get("generatorURL"), f"{where}.generatorURL"),
    )


def _generic_alert(raw: Any, where: str) -> Alert:
    if not isinstance(raw, dict):
        raise AlertPayloadError(f"{where} is not an object")
    _no_unknown_fields(raw, _GENERIC_ALERT_FIELDS, f"{where}.")
    labels = dict(_string_map(raw.get("labels"), f"{where}.labels", MAX_LABEL_VALUE))
    name = raw.get("name")
    if name is not None:
        name = _clip(_nonempty_str(name, f"{where}.name"), MAX_LABEL_VALUE)
        if labels.setdefault("alertname", name) != name:
            raise AlertPayloadError(f"{where}.name and {where}.labels.alertname differ")
    elif not labels.get("alertname"):
        raise AlertPayloadError(f"{where}.name is missing (or give labels.alertname)")
    fingerprint = raw.get("fingerprint")
    if fingerprint is not None:
        fingerprint = _bounded_key(_nonempty_str(fingerprint, f"{where}.fingerprint"))
    starts_at = _time(raw.get("starts_at"), f"{where}.starts_at")
    if starts_at is None:
        raise AlertPayloadError(f"{where}.starts_at is the zero time")
    status = raw.get("status")
    return Alert(
        fingerprint=fingerprint or label_fingerprint(labels),
        status=FIRING if status is None else _status(status, f"{where}.status"),
        labels=labels,
        annotations=_string_map(
            raw.get("annotations"), f"{where}.annotations", MAX_ANNOTATION_VALUE
        ),
        starts_at=starts_at,
        ends_at=_optional_time(raw.get("ends_at"), f"{where}.ends_at"),
        source_url=_url(raw.get("url"), f"{where}.url"),
    )


def _load(body: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise AlertPayloadError("the body is not JSON") from None
    if not isinstance(doc, dict):
        raise AlertPayloadError("the body is not a JSON object")
    return doc


def _alert_list(value: Any) -> list[Any]:
    if value is None:
        raise AlertPayloadError("alerts is missing")
    if not isinstance(value, list):
        raise AlertPayloadError("alerts is not a list")
    if not value:
        raise AlertPayloadError("alerts is empty")
    if len(value) > MAX_ALERTS:
        raise AlertPayloadError(f"alerts has {len(value)} alerts, more than {MAX_ALERTS}")
    return value


def _no_unknown_fields(doc: Mapping[str, Any], known: frozenset[str], prefix: str) -> None:
    unknown = sorted(set(doc) - known)
    if unknown:
        raise AlertPayloadError(
            f"{prefix}{_show(unknown[0])} is not a field of the generic format "
            f"(the fields are {', '.join(sorted(known))})"
        )


def _status(value: Any, where: str) -> AlertStatus:
    if value == FIRING:
        return FIRING
    if value == RESOLVED:
        return RESOLVED
    if value is None:
        raise AlertPayloadError(f"{where} is missing")
    raise AlertPayloadError(f"{where} is not firing or resolved")


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise AlertPayloadError(f"{where} is not a string")
    return value


def _nonempty_str(value: Any, where: str) -> str:
    if value is None:
        raise AlertPayloadError(f"{where} is missing")
    text = _str(value, where)
    if not text.strip():
        raise AlertPayloadError(f"{where} is empty")
    return text


def _string_map(value: Any, where: str, max_value: int) -> Mapping[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise AlertPayloadError(f"{where} is not an object")
    clipped: dict[str, str] = {}
    for name, text in value.items():
        if not isinstance(text, str):
            raise AlertPayloadError(f"{where}.{_show(name)} is not a string")
        clipped[_clip(name, MAX_NAME)] = _clip(text, max_value)
    return clipped


def _show(name: str) -> str:
    """A name from the body, fit for an error message that may be logged: escaped, short."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,39}", name):
        return name
    return json.dumps(_clip(name, 40))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _bounded_key(key: str) -> str:
    if len(key) <= MAX_KEY:
        return key
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{key[: MAX_KEY - 33]}#{digest}"


def _url(value: Any, where: str) -> str | None:
    if value is None:
        return None
    url = _str(value, where).strip()
    if len(url) > MAX_URL or not url.lower().startswith(("https://", "http://")):
        return None
    return url


def _optional_time(value: Any, where: str) -> datetime | None:
    return None if value is None or value == "" else _time(value, where)


def _time(value: Any, where: str) -> datetime | None:
    """Timezone-aware UTC; None for Go's zero time. More than six fractional digits (Go
    writes nanoseconds) are cut to microseconds."""
    if value is None:
        raise AlertPayloadError(f"{where} is missing")
    match = _RFC3339.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise AlertPayloadError(f"{where} is not an RFC 3339 time")
    year, month, day, hour, minute, second, fraction, sign, off_h, off_m = match.groups()
    try:
        offset = timedelta(hours=int(off_h), minutes=int(off_m)) if sign else timedelta(0)
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            int((fraction or "0")[:6].ljust(6, "0")),
            tzinfo=timezone(-offset if sign == "-" else offset),
        ).astimezone(UTC)
    except (ValueError, OverflowError):  # 2026-02-30, 25:00, +24:00, year 0 once in UTC
        raise AlertPayloadError(f"{where} is not an RFC 3339 time") from None
    return None if moment == _ZERO_TIME else moment


_PARSERS: dict[str, Callable[[bytes], Notification]] = {
    "alertmanager": parse_alertmanager,
    "grafana": parse_grafana,
    "generic": parse_generic,
}
