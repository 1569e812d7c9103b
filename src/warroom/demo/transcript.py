"""What each person in the demo would have seen, printed as a transcript."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable, Mapping
from typing import Any

from warroom.demo.cast import PEOPLE
from warroom.demo.screen import render_blocks, render_text
from warroom.demo.slack import SlackStandIn

__all__ = ["Transcript", "answer_text"]

_MENTION = re.compile(r"<([@#!])([^>|]+)(?:\|([^>]*))?>")


def _blocks(value: Any) -> list[dict[str, Any]]:
    """A call's blocks, sent as a list or as JSON text."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    return [b for b in value if isinstance(b, dict)] if isinstance(value, list) else []


def answer_text(body: str) -> str:
    try:
        parsed = json.loads(body)
    except ValueError:
        return body
    return str(parsed.get("text", "")) if isinstance(parsed, dict) else body


class Transcript:
    """Prints what people saw: messages in channels, private notes, forms."""

    def __init__(self, slack: SlackStandIn, say: Callable[[str], None]) -> None:
        self.slack = slack
        self.say = say
        self.seen = 0
        self.reply_to: dict[str, str] = {}

    def readable(self, text: str) -> str:
        def swap(match: re.Match[str]) -> str:
            sigil, target, label = match.groups()
            if sigil == "@":
                return "@" + PEOPLE.get(target, target).split(" ")[0]
            if sigil == "#":
                channel = self.slack.channel(target)
                return "#" + (channel.name if channel else target)
            return label or "@" + target.split("^")[0]

        plain = _MENTION.sub(swap, text)
        return plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")

    def step(self, title: str) -> None:
        self.flush()
        first, *rest = textwrap.wrap(title, 72) or [""]
        self.say(f"\n── {first} " + "─" * max(0, 66 - len(first)))
        for line in rest:
            self.say(f"   {line}")

    def flush(self) -> None:
        for call in self.slack.calls[self.seen :]:
            self._show(call.method, call.args, call.ok)
        self.seen = len(self.slack.calls)

    def _show(self, method: str, args: Mapping[str, Any], ok: bool) -> None:
        if not ok:
            return
        if method == "chat.postMessage":
            channel = self.slack.channel(str(args["channel"]))
            where = f"#{channel.name}" if channel and not channel.is_im else "DM"
            thread = " (in thread)" if args.get("thread_ts") else ""
            self.shown(f"{where}{thread} · warroom:", args)
        elif method == "chat.update":
            channel = self.slack.channel(str(args["channel"]))
            self.say(f"  [#{channel.name if channel else '?'}: Warroom's message updated in place]")
        elif method in {"chat.postEphemeral", "response_url"}:
            user = str(args.get("user") or self.reply_to.get(str(args.get("key")), ""))
            self.shown(f"only {PEOPLE.get(user, 'you').split(' ')[0]} sees:", args)
        elif method == "views.open":
            title = args["view"]["title"]["text"]
            self.say(f"  [a form opens: {title}]")
        elif method == "reactions.add":
            self.say(f"  [warroom reacts :{args.get('name')}:]")
        elif method == "reactions.remove":
            self.say(f"  [warroom takes back its :{args.get('name')}:]")
        elif method == "conversations.create":
            self.say(f"  [channel #{args['name']} created]")
        elif method == "conversations.setTopic":
            self.say(f"  [topic: {self.readable(str(args['topic']))}]")
        elif method == "files.completeUploadExternal":
            self.say("  [file attached: the postmortem draft, Markdown]")

    def shown(self, head: str, args: Mapping[str, Any]) -> None:
        """A message as its reader sees it in Slack: its blocks, else its text."""
        blocks = _blocks(args.get("blocks"))
        self.say(f"  {head}")
        raw = str(args.get("text") or "")
        for line in (
            render_blocks(blocks, self.readable) if blocks else render_text(raw, self.readable)
        ):
            self.say(f"    {line}")
