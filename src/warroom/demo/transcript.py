"""What each person in the demo would have seen, printed as a transcript."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from warroom.demo.cast import PEOPLE
from warroom.demo.slack import SlackStandIn

__all__ = ["Transcript", "answer_text"]

_MENTION = re.compile(r"<([@#!])([^>|]+)(?:\|([^>]*))?>")


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
        self.say(f"\n── {title} " + "─" * max(0, 66 - len(title)))

    def flush(self) -> None:
        for call in self.slack.calls[self.seen :]:
            self._show(call.method, call.args, call.ok)
        self.seen = len(self.slack.calls)

    def _show(self, method: str, args: Mapping[str, Any], ok: bool) -> None:
        if not ok:
            return
        text = self.readable(str(args.get("text") or ""))
        if method == "chat.postMessage":
            channel = self.slack.channel(str(args["channel"]))
            where = f"#{channel.name}" if channel and not channel.is_im else "DM"
            thread = " (in thread)" if args.get("thread_ts") else ""
            self.lines(f"{where}{thread} · warroom:", text)
        elif method == "chat.update":
            channel = self.slack.channel(str(args["channel"]))
            self.say(f"  [#{channel.name if channel else '?'}: Warroom's message updated in place]")
        elif method in {"chat.postEphemeral", "response_url"}:
            user = str(args.get("user") or self.reply_to.get(str(args.get("key")), ""))
            self.lines(f"only {PEOPLE.get(user, 'you').split(' ')[0]} sees:", text)
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

    def lines(self, head: str, text: str) -> None:
        body = text.strip().splitlines() or [""]
        self.say(f"  {head} {body[0]}")
        for line in body[1:]:
            self.say(f"      {line}")
