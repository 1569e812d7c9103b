"""Injected Slack failures: queued ones a test names, and a seeded random share of calls.

A failed call is never carried out: Slack answered, or dropped the connection,
before doing anything, so a retry cannot double it. Every injected failure is
recorded on the call it hit (`RecordedCall.fault`), so a test can tell what
Slack refused from what Warroom then did about it.

Random faults are drawn from one seeded stream per method, so a given seed
fails the same calls of each method whatever order concurrent calls arrive in
across methods.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

from warroom.demo.slack.api_files import UPLOAD_METHOD
from warroom.demo.slack.responses import RESPONSE_URL_METHOD

__all__ = [
    "COMMON_ERRORS",
    "KINDS",
    "METHOD_ERRORS",
    "Fault",
    "FaultMethods",
    "Faults",
    "RandomFaults",
]

KINDS = ("rate_limit", "server_error", "timeout", "drop", "error")
"""rate_limit: HTTP 429 + Retry-After. server_error: HTTP 500/503. timeout: no answer
for longer than the client waits, then the connection closes. drop: the connection
closes at once. error: HTTP 200 `{"ok": false, "error": ...}`."""

COMMON_ERRORS = ("internal_error", "fatal_error", "service_unavailable", "ratelimited")
"""`ok:false` errors Slack documents for every Web API method that mean "try later"
(`fatal_error` and `request_timeout` are also listed per method in Slack's spec)."""

METHOD_ERRORS: dict[str, tuple[str, ...]] = {
    "chat.postMessage": ("rate_limited", "channel_not_found", "is_archived", "restricted_action"),
    "chat.update": ("request_timeout", "message_not_found", "cant_update_message"),
    "chat.postEphemeral": ("request_timeout", "restricted_action", "user_not_in_channel"),
    "conversations.create": ("request_timeout", "restricted_action", "cannot_create_channel"),
    "conversations.invite": ("request_timeout", "cant_invite", "channel_not_found"),
    "conversations.setTopic": ("request_timeout", "not_in_channel", "too_long"),
    "conversations.join": ("request_timeout", "channel_not_found", "is_archived"),
    "conversations.archive": ("request_timeout", "restricted_action", "not_in_channel"),
    "pins.add": ("request_timeout", "too_many_pins", "not_pinnable"),
    "views.open": ("expired_trigger_id", "exchanged_trigger_id"),
    "views.publish": ("hash_conflict",),
    "files.completeUploadExternal": ("file_update_failed", "posting_to_channel_denied"),
    "response_url": ("expired_url",),
}
"""A few refusals Slack documents for each method (Slack's per-method error codes and
Web API spec): transient ones first, then ones no retry will cure."""

TRANSIENT_ERRORS = frozenset({*COMMON_ERRORS, "rate_limited", "request_timeout"})


@dataclass(frozen=True)
class Fault:
    """What a failed call got instead of an answer."""

    kind: str
    status: int = 200
    error: str = ""
    retry_after: int = 0

    def __str__(self) -> str:
        if self.kind == "rate_limit":
            return f"HTTP 429 Retry-After {self.retry_after}"
        if self.kind == "server_error":
            return f"HTTP {self.status}"
        if self.kind == "error":
            return f"{self.status} {self.error}"
        return self.kind


@dataclass
class _Queued:
    fault: Fault
    remaining: int | None


@dataclass
class RandomFaults:
    """Fail `share` (0..1) of the calls to `methods` (None: every method, response_url
    included) with one of `kinds`, chosen by a RNG seeded with `seed`. With
    `permanent=False`, `error` faults only use errors a retry may cure."""

    share: float
    seed: int
    methods: Collection[str] | None = None
    kinds: tuple[str, ...] = KINDS
    permanent: bool = True
    max_retry_after: int = 1
    _streams: dict[str, random.Random] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not 0.0 <= self.share <= 1.0:
            raise ValueError(f"share must be between 0 and 1, not {self.share}")
        unknown = set(self.kinds) - set(KINDS)
        if unknown or not self.kinds:
            raise ValueError(f"kinds must be some of {KINDS}, not {self.kinds}")

    def draw(self, method: str) -> Fault | None:
        if self.methods is not None and method not in self.methods:
            return None
        rng = self._streams.setdefault(method, random.Random(f"{self.seed}:{method}"))
        if rng.random() >= self.share:
            return None
        kind = rng.choice(self.kinds)
        if kind == "rate_limit":
            retry_after = rng.randint(0, self.max_retry_after)
            return Fault(kind, 429, "ratelimited", retry_after=retry_after)
        if kind == "server_error":
            return Fault(kind, rng.choice((500, 503)), "fatal_error")
        if kind == "error" and method != UPLOAD_METHOD:
            return self._error(method, rng)
        if kind == "error":  # the upload URL is no Web API method: it has no ok:false
            return Fault("server_error", rng.choice((500, 503)), "fatal_error")
        return Fault(kind, 0)

    def _error(self, method: str, rng: random.Random) -> Fault:
        if method == RESPONSE_URL_METHOD:
            return Fault("error", 404, "expired_url")
        documented = METHOD_ERRORS.get(method, ())
        if not self.permanent:
            documented = tuple(e for e in documented if e in TRANSIENT_ERRORS)
        choices = [*COMMON_ERRORS, *COMMON_ERRORS, *documented]
        return Fault("error", 200, rng.choice(choices))


class Faults:
    """The failures the next calls will get: queued ones first, then the random share."""

    def __init__(self) -> None:
        self._queues: dict[str, list[_Queued]] = {}
        self.random: RandomFaults | None = None

    def queue(self, method: str, fault: Fault, times: int | None) -> None:
        self._queues.setdefault(method, []).append(_Queued(fault, times))

    def clear(self) -> None:
        self._queues.clear()
        self.random = None

    def take(self, method: str) -> Fault | None:
        queue = self._queues.get(method)
        if queue:
            queued = queue[0]
            if queued.remaining is not None:
                queued.remaining -= 1
                if queued.remaining <= 0:
                    queue.pop(0)
            return queued.fault
        return self.random.draw(method) if self.random is not None else None


Interceptor = Callable[[str, str, dict[str, Any]], bool]


class FaultMethods:
    """FakeSlack's fault-injection API: what the next calls to a method will get."""

    faults: Faults
    interceptors: list[Interceptor]

    def fail(self, method: str, error: str, *, times: int | None = 1) -> None:
        """Next `times` calls (None: all) answer HTTP 200 `{"ok": false, "error": error}`."""
        self.faults.queue(method, Fault("error", 200, error), times)

    def rate_limit(self, method: str, *, retry_after: int = 0, times: int = 1) -> None:
        """Next `times` calls answer HTTP 429 with `Retry-After: retry_after`."""
        self.faults.queue(method, Fault("rate_limit", 429, "ratelimited", retry_after), times)

    def server_error(self, method: str, *, status: int = 500, times: int = 1) -> None:
        """Next `times` calls answer HTTP `status` (500/503 are what slack_sdk retries)."""
        self.faults.queue(method, Fault("server_error", status, "fatal_error"), times)

    def time_out(self, method: str, *, times: int = 1) -> None:
        """Next `times` calls get no answer for `hold_s` seconds, then a closed connection."""
        self.faults.queue(method, Fault("timeout", 0), times)

    def drop(self, method: str, *, times: int = 1) -> None:
        """Next `times` calls have their connection closed without an answer."""
        self.faults.queue(method, Fault("drop", 0), times)

    def fail_randomly(self, faults: RandomFaults) -> None:
        """From now on fail a seeded random share of calls (see `RandomFaults`)."""
        self.faults.random = faults

    def clear_faults(self) -> None:
        """No more injected failures, queued or random; the record of past ones stays."""
        self.faults.clear()
        self.interceptors.clear()

    def intercept(self, hook: Interceptor) -> None:
        """Call `hook(phase, method, args)` around every Web API and response_url request.

        Phase "before" runs before Slack acts (returning True drops the request
        unanswered, as if it never arrived); "after" runs once Slack has acted but
        before the answer leaves. Crash tests kill the app from here.
        """
        self.interceptors.append(hook)

    def intercepted(self, phase: str, method: str, args: dict[str, Any]) -> bool:
        return any([hook(phase, method, args) for hook in list(self.interceptors)])
