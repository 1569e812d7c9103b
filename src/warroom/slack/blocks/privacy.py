"""What someone is told when they reach for a private incident they may not see.

It never names the incident, its room or its title.
"""

from __future__ import annotations

from warroom.slack.blocks.text import mrkdwn_message
from warroom.slack.message import Message

__all__ = ["not_visible"]


def not_visible() -> Message:
    return mrkdwn_message("🔒 That incident is private and you aren't in its room.")
