"""FakeSlack for the tests and benches: the demo's Slack stand-in, plus fault injection,
held calls, Socket Mode, Slack's limits, child-process control and a hostile client."""

from fakeslack.faults import Fault, RandomFaults
from fakeslack.limits import block_problems, channel_name_problem, view_problems
from fakeslack.server import FakeSlack, RecordedCall
from fakeslack.socket_mode import socket_payload
from warroom.demo.slack.inbound import (
    block_actions,
    event_callback,
    new_trigger_id,
    slash_command,
    url_verification,
    view_closed,
    view_submission,
)
from warroom.demo.slack.sender import SlackSender, sign
from warroom.demo.slack.state import Channel

__all__ = [
    "Channel",
    "FakeSlack",
    "Fault",
    "RandomFaults",
    "RecordedCall",
    "SlackSender",
    "block_actions",
    "block_problems",
    "channel_name_problem",
    "event_callback",
    "new_trigger_id",
    "sign",
    "slash_command",
    "socket_payload",
    "url_verification",
    "view_closed",
    "view_problems",
    "view_submission",
]
