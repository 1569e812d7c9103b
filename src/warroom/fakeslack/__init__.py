"""A Slack stand-in: fake Web API server plus builders for signed Slack→app requests."""

from warroom.fakeslack.faults import Fault, RandomFaults
from warroom.fakeslack.inbound import (
    block_actions,
    event_callback,
    new_trigger_id,
    slash_command,
    url_verification,
    view_closed,
    view_submission,
)
from warroom.fakeslack.limits import block_problems, channel_name_problem, view_problems
from warroom.fakeslack.sender import SlackSender, sign
from warroom.fakeslack.server import FakeSlack, RecordedCall
from warroom.fakeslack.socket_mode import socket_payload
from warroom.fakeslack.state import Channel

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
