"""Role buttons on the incident card."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from warroom.slack.blocks.card import ROLE_TAKE_PREFIX
from warroom.slack.gateway import SlackGateway
from warroom.slack.message import Message

__all__ = ["register"]

NOT_YET = (
    "Taking roles from the card isn't available in this version yet. "
    "Say in the channel who holds which role for now."
)


def register(app: AsyncApp, *, gateway: SlackGateway) -> None:
    @app.action(re.compile(f"^{re.escape(ROLE_TAKE_PREFIX)}"))
    async def on_role_take(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        await gateway.tell(
            body["user"]["id"], Message(text=NOT_YET), response_url=body.get("response_url")
        )
