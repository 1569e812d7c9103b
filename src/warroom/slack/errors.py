"""Slack refusals turned into what the person at the keyboard should do next."""

from __future__ import annotations

__all__ = ["TRANSIENT_ERRORS", "SlackFailure", "may_pass"]

_ADVICE: dict[str, str] = {
    "restricted_action": (
        "Your workspace settings don't let Warroom do this (often only admins may create "
        "channels). Ask a Slack admin to allow it, then try again."
    ),
    "invalid_auth": (
        "Slack rejected Warroom's token. An admin needs to reinstall the app or fix "
        "SLACK_BOT_TOKEN, then try again."
    ),
    "not_authed": "Warroom has no Slack token configured. An admin needs to set SLACK_BOT_TOKEN.",
    "token_revoked": "Warroom's Slack token was revoked. An admin needs to reinstall the app.",
    "account_inactive": "Warroom's Slack app was deactivated. An admin needs to reinstall it.",
    "missing_scope": (
        "Warroom's Slack app lacks a permission it needs. An admin needs to reinstall it "
        "from manifest.yml, then try again."
    ),
    "ratelimited": "Slack is rate-limiting Warroom right now. Wait a minute, then try again.",
    "not_in_channel": "Warroom isn't in that channel. Invite @warroom to it, then try again.",
    "channel_not_found": (
        "Warroom can't see that channel. Check BROADCAST_CHANNEL and invite @warroom to it."
    ),
    "is_archived": "That channel is archived. Unarchive it or pick another one.",
    "expired_trigger_id": "Slack gives 3 seconds to open a form and that passed. Run it again.",
    "exchanged_trigger_id": "That form was already opened once. Run the command again.",
    "unreachable": "Warroom couldn't reach Slack in time. Try again in a minute.",
    "fatal_error": "Slack had an internal error. Try again in a minute.",
    "internal_error": "Slack had an internal error. Try again in a minute.",
    "service_unavailable": "Slack is unavailable right now. Try again in a few minutes.",
    "request_timeout": "Slack took too long to answer. Try again in a minute.",
}


TRANSIENT_ERRORS = frozenset(
    {
        "ratelimited",
        "rate_limited",
        "unreachable",
        "fatal_error",
        "internal_error",
        "service_unavailable",
        "request_timeout",
    }
)
"""Errors that say "try again later": Slack's common errors, chat.postMessage's own
`rate_limited`, and Slack not answering at all."""


_MAY_HAVE_ACTED = frozenset({"unreachable", "request_failed", "fatal_error", "internal_error"})


class SlackFailure(Exception):
    """A Web API call that did not succeed after the SDK's retries."""

    def __init__(self, method: str, error: str) -> None:
        super().__init__(f"{method}: {error}")
        self.method = method
        self.error = error

    @property
    def transient(self) -> bool:
        """Trying again later may well succeed (a 5xx, a rate limit, no answer)."""
        return self.error in TRANSIENT_ERRORS or self.error.startswith("http_5")

    @property
    def outcome_unknown(self) -> bool:
        """Slack may have carried the call out: no answer, a 5xx, or an error Slack
        documents as "some aspect of the operation may have succeeded". Anything
        else is a refusal: Slack did nothing."""
        return self.error in _MAY_HAVE_ACTED or self.error.startswith("http_5")

    @property
    def advice(self) -> str:
        if self.error.startswith("http_5"):
            return _ADVICE["fatal_error"]
        if self.error in {"rate_limited", "http_429"}:
            return _ADVICE["ratelimited"]
        return _ADVICE.get(self.error, f"Slack answered `{self.error}` to `{self.method}`.")


def may_pass(error: BaseException) -> bool:
    """The scheduler's rule for a failed job: Slack's own failures pass only when
    Slack says they may (a rate limit, a 5xx, no answer); anything else may pass."""
    return error.transient if isinstance(error, SlackFailure) else True
