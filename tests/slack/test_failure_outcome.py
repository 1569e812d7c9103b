"""Which Slack failures leave Warroom unsure whether Slack acted (so a resume may look)."""

import pytest

from warroom.slack.errors import SlackFailure


@pytest.mark.parametrize(
    "error", ["unreachable", "request_failed", "fatal_error", "internal_error", "http_503"]
)
def test_no_answer_or_a_server_fault_is_an_unknown_outcome(error: str) -> None:
    assert SlackFailure("conversations.create", error).outcome_unknown


@pytest.mark.parametrize(
    "error", ["name_taken", "restricted_action", "ratelimited", "http_429", "invalid_auth"]
)
def test_a_refusal_is_a_known_outcome(error: str) -> None:
    assert not SlackFailure("conversations.create", error).outcome_unknown
