"""The demo's responders, acting through signed requests like Slack's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from warroom.demo.cast import PEOPLE, SECRET, TEAM
from warroom.demo.slack import (
    SlackSender,
    SlackStandIn,
    block_actions,
    event_callback,
    slash_command,
    view_submission,
)
from warroom.demo.slack.driver import fill_view
from warroom.demo.transcript import Transcript, answer_text
from warroom.domain.clock import ManualClock

__all__ = ["People"]


class People:
    """The scripted responders, acting through signed requests like Slack's."""

    def __init__(
        self,
        slack: SlackStandIn,
        sender: SlackSender,
        url: str,
        clock: ManualClock,
        show: Transcript,
    ) -> None:
        self.slack, self.sender, self.url, self.clock, self.show = slack, sender, url, clock, show
        self.urls = 0

    def _did(self, user: str, what: str) -> None:
        self.show.flush()
        self.show.say(f"  {PEOPLE[user].split(' ')[0]} {what}")

    async def _post(self, body: bytes, kind: str) -> str:
        status, text = await self.sender.post(self.url, body, kind, signing_secret=SECRET)
        if status != 200:
            raise RuntimeError(f"Warroom answered {status}: {text}")
        return text

    def _reply_url(self, user: str) -> str:
        self.urls += 1
        key = f"demo{self.urls}"
        self.show.reply_to[key] = user
        return self.slack.response_url(key)

    async def command(self, user: str, text: str, channel: str) -> None:
        self._did(user, f"types: /incident {text}")
        answer = await self._post(
            *slash_command(
                text,
                user_id=user,
                team_id=TEAM,
                channel_id=channel,
                response_url=self._reply_url(user),
            )
        )
        if answer:
            self.show.shown("warroom answers:", {"text": answer_text(answer)})

    async def fill_in(self, user: str, answers: Mapping[str, Any]) -> None:
        """Submit the form Warroom opened last, filled in with `answers`."""
        call = self.slack.calls_to("views.open")[-1]
        view = call.args["view"]
        self._did(user, "fills in the form and submits it")
        await self._post(
            *view_submission(
                view["callback_id"],
                fill_view(view, answers),
                user_id=user,
                team_id=TEAM,
                private_metadata=view.get("private_metadata", ""),
                view_id=call.response["view"]["id"],
            )
        )

    async def press(self, user: str, channel: str, ts: str, action_id: str) -> None:
        """Press the element `action_id` on the message at `ts`, as it looks now."""
        message = self.slack.message(channel, ts) or {}
        for block in message.get("blocks", []):
            for element in [block.get("accessory", {}), *block.get("elements", [])]:
                if element.get("action_id") == action_id:
                    self._did(user, f"presses [{element['text']['text']}]")
                    await self._post(
                        *block_actions(
                            action_id,
                            element.get("value"),
                            user_id=user,
                            team_id=TEAM,
                            channel_id=channel,
                            message_ts=ts,
                            block_id=block.get("block_id"),
                            message=message,
                            response_url=self._reply_url(user),
                        )
                    )
                    return
        raise RuntimeError(f"no {action_id} on that message")

    async def say(self, user: str, channel: str, text: str) -> str:
        self._did(user, f"says: {text}")
        ts = self.slack.add_message(
            channel, text, user=user, ts=f"{self.clock().timestamp():.6f}"
        )  # in Slack too, so it can be reacted to
        event = {"type": "message", "channel": channel, "user": user, "text": text, "ts": ts}
        await self._post(*event_callback(event, team_id=TEAM))
        return ts

    async def react(self, user: str, channel: str, ts: str, emoji: str) -> None:
        self._did(user, f"reacts :{emoji}:")
        event = {
            "type": "reaction_added",
            "user": user,
            "reaction": emoji,
            "item": {"type": "message", "channel": channel, "ts": ts},
        }
        await self._post(*event_callback(event, team_id=TEAM))
