"""The demo's Slack: a stand-in that behaves like Slack where the demo needs it.

A real HTTP server for the Web API and response_url (`SlackStandIn`), the
workspace it serves, builders for the signed requests Slack sends the app
(`inbound`, `sender`) and helpers to drive Warroom like people do (`driver`).
The tests' FakeSlack (the `warroom-testkit` distribution) is built on it.
"""

from warroom.demo.slack.inbound import (
    block_actions,
    event_callback,
    new_trigger_id,
    slash_command,
    url_verification,
    view_closed,
    view_submission,
)
from warroom.demo.slack.recorded import RecordedCall
from warroom.demo.slack.sender import SlackSender, sign
from warroom.demo.slack.server import SlackStandIn
from warroom.demo.slack.state import Channel

__all__ = [
    "Channel",
    "RecordedCall",
    "SlackSender",
    "SlackStandIn",
    "block_actions",
    "event_callback",
    "new_trigger_id",
    "sign",
    "slash_command",
    "url_verification",
    "view_closed",
    "view_submission",
]
