"""What people can type, at its worst, and how to tell if it got through.

`hostile_text()` draws text mixing arbitrary unicode with Slack's special forms,
RTL and ZWJ sequences, control characters and (sometimes) 100 kB of it. The IDs
inside are distinctive (`UHYPO…`, `CHYPO…`, `SHYPO…`, `evil.example`) so a
mention Warroom makes of a real participant is never confused with one a user
typed. `Outbox` reads every call Warroom made to the Slack stand-in since it was
opened and fails on the first refused call or live mention, broadcast or link.

Each property runs 30 examples (about a minute for all of them per database);
set WARROOM_PROPERTY_EXAMPLES for a deeper run.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from sqlalchemy import select

from fakeslack import RecordedCall, block_problems, view_problems
from tests.harness import Harness
from warroom.demo.slack.api_chat import MESSAGE_TEXT_MAX
from warroom.domain.incident import Incident
from warroom.store.models import ActionItemRow, RoleAssignmentRow
from warroom.web.bounded_body import MAX_BODY_BYTES

__all__ = [
    "PROPERTY_SETTINGS",
    "Outbox",
    "fill_text_inputs",
    "hostile_text",
    "live_markup",
    "open_room",
    "shown_texts",
]

PROPERTY_SETTINGS = settings(
    max_examples=int(os.environ.get("WARROOM_PROPERTY_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SLACK_FORMS = (
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!here|here>",
    "<!subteam^SHYPO123>",
    "<!subteam^SHYPO123|@oncall>",
    "<@UHYPO12345>",
    "<@UHYPO12345|mallory>",
    "<@WHYPO67890>",
    "<#CHYPO123>",
    "<#CHYPO123|secret-ops>",
    "<https://evil.example|ok>",
    "<http://evil.example/login>",
    "<mailto:x@evil.example|mail>",
    "<!date^1700000000^{date}|today>",
    "&<>",
    "&amp;",
    "&lt;!channel&gt;",
    "&lt;@UHYPO12345&gt;",
    "<",
    ">",
    "<<!here>>",
    "`",
    "```",
    "*bold*",
    "_it_",
    "~gone~",
    "> quoted",
    "|",
    "@channel",
    ":fire:",
)
SCRIPTS = (
    "\u200f",  # right-to-left mark
    "\u200e",
    "\u202e",  # right-to-left override
    "\u2066",
    "مرحبا بالعالم",
    "שלום עולם",
    "👩‍👩‍👧‍👦",
    "🏳️‍🌈",
    "👍🏽",
    "🔥",
    "e\u0301",
    "\U0001d54f",
    "ﷺ",
    "中文",
)
CONTROLS = (
    "\x00",
    "\r",
    "\r\n",
    "\t",
    "\n",
    "\u2028",
    "\u2029",
    "\x1b[31m",
    "\x7f",
    "\ufeff",
    "\x0b",
)

_piece = st.one_of(
    st.text(max_size=20),
    st.sampled_from(SLACK_FORMS),
    st.sampled_from(SCRIPTS),
    st.sampled_from(CONTROLS),
)
_short = st.lists(_piece, max_size=10).map("".join)
SLACK_MESSAGE_MAX = 40_000
"""Slack truncates a message past 40,000 characters, so no event carries a longer one."""


def _huge(longest: int) -> st.SearchStrategy[str]:
    return st.builds(
        lambda seed, size: (seed * (size // max(len(seed), 1) + 1))[:size],
        st.lists(_piece, min_size=1, max_size=6).map("".join).filter(bool),
        st.sampled_from([n for n in (3_001, SLACK_MESSAGE_MAX, 100_000) if n <= longest]),
    )


def hostile_text(*, longest: int = 100_000) -> st.SearchStrategy[str]:
    """Mostly short mixes; one draw in about eight is 3 kB to `longest` long."""
    return st.one_of(_short, _short, _short, _short, _short, _short, _short, _huge(longest))


TOO_BIG = (413, '{"error": "request body too large"}')
"""The answer to a signed request past the body cap."""

_LIVE = re.compile(
    r"<!(?:channel|here|everyone)"
    r"|<!subteam\^SHYPO"
    r"|<@[UW]HYPO[A-Z0-9]*"
    r"|<#CHYPO"
    r"|<(?:https?|mailto):[^>]*evil\.example",
    re.IGNORECASE,
)
_LIVE_IN_FILE = re.compile(r"(?<!\\)(?:" + _LIVE.pattern + ")", re.IGNORECASE)


def live_markup(
    text: str, *, allowed: frozenset[str] = frozenset(), file: bool = False
) -> list[str]:
    """Mentions, broadcasts and links in `text` that came from hostile input.

    `allowed` are user IDs Warroom may mention because it made them participants
    (a role holder, an action item's owner). In a Markdown file a backslash-escaped
    `\\<` is text, not markup.
    """
    found = (_LIVE_IN_FILE if file else _LIVE).findall(text)
    return [m for m in found if m.removeprefix("<@") not in allowed]


def shown_texts(node: Any, key: str | None = None) -> Iterator[str]:
    """Strings Slack renders as mrkdwn or links: message text, mrkdwn objects, topics, URLs."""
    if isinstance(node, list):
        for item in node:
            yield from shown_texts(item)
    elif isinstance(node, dict):
        if node.get("type") == "plain_text":
            return
        for k, value in node.items():
            if isinstance(value, str) and k in {"text", "topic", "purpose", "url"}:
                yield value
            elif k in {"blocks", "view", "attachments", "elements", "fields", "accessory"}:
                yield from shown_texts(_json(value), k)
            elif isinstance(value, dict | list) and k not in {"private_metadata", "metadata"}:
                yield from shown_texts(value, k)


def _json(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


@dataclass
class Outbox:
    """The calls Warroom makes to Slack from now on, checked against the properties."""

    harness: Harness
    start: int = field(init=False)
    answers: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.start = len(self.harness.slack.calls)

    async def post(self, body: bytes, content_type: str) -> None:
        """Send a signed request. One past the body cap (longer than anything Slack sends:
        it caps a message at 40,000 characters) must be refused whole; any other is
        `answered`."""
        if len(body) <= MAX_BODY_BYTES:
            self.answered(*await self.harness.post(body, content_type))
            return
        try:
            answer = await self.harness.post(body, content_type)
        except aiohttp.ClientOSError:
            # Warroom answered 413 and closed without reading the rest; the unread bytes
            # made the kernel reset the connection, which can discard the 413 before the
            # client reads it (seen under load). Refused whole either way.
            return
        assert answer == TOO_BIG, answer

    def answered(self, status: int, body: str) -> None:
        """A synchronous HTTP answer: always 200 (a valid signature was given), within what
        Slack takes for a command's or an interaction's answer, and later scanned."""
        assert status == 200, (status, body[:500])
        answer = _json(body)
        if isinstance(answer, dict):
            assert len(answer.get("text") or "") <= MESSAGE_TEXT_MAX, len(answer["text"])
            assert block_problems(answer.get("blocks", []), surface="message") == []
            if isinstance(answer.get("view"), dict):
                assert view_problems(answer["view"]) == []
        else:
            assert len(body) <= MESSAGE_TEXT_MAX, len(body)
        self.answers.append(body)

    async def allowed(self) -> frozenset[str]:
        async with self.harness.runtime.store.transaction() as session:
            holders = (await session.execute(select(RoleAssignmentRow.user_id))).scalars()
            owners = (await session.execute(select(ActionItemRow.owner_id))).scalars()
            return frozenset({*holders, *(o for o in owners if o)})

    async def check(self) -> None:
        await self.harness.settle()
        allowed = await self.allowed()
        calls = self.harness.slack.calls[self.start :]
        joined = {c.args.get("channel") for c in calls if c.method == "conversations.join" and c.ok}
        posted = _posted_to(calls)
        for call in calls:
            handled = (
                (  # refusals Warroom answers by joining, or with a DM instead
                    call.response.get("error") == "not_in_channel"
                    and call.args.get("channel") in joined
                )
                or (  # or by leaving out the line where /incident declare was typed
                    call.response.get("error") == "not_in_channel" and _origin_note(call.args)
                )
                or (  # a ✅ on a message these tests sent only as an event, never to Slack
                    call.method in {"reactions.add", "reactions.remove"}
                    and call.response.get("error") == "message_not_found"
                )
                or (
                    call.response.get("error") == "user_not_in_channel"
                    and bool(
                        {call.args.get("user"), self.harness.slack.dm_channel(call.args["user"])}
                        & posted
                    )
                )
            )
            assert call.ok or handled, (call.method, call.status, call.response, _brief(call.args))
        for call in calls:
            for text in shown_texts(call.args):
                live = live_markup(text, allowed=allowed)
                assert not live, (call.method, live, text[:500])
        for body in self.answers:
            answer = _json(body)
            for text in shown_texts(answer) if isinstance(answer, dict) else [body]:
                live = live_markup(text, allowed=allowed)
                assert not live, ("answer", live, text[:500])
        for call in calls:
            if call.method == "files.completeUploadExternal":
                for shared in _json(call.args.get("files")) or []:
                    stored = self.harness.slack.file(shared["id"]) or {}
                    content = stored.get("content") or ""
                    live = live_markup(content, allowed=allowed, file=True)
                    assert not live, ("file", live)
                    assert not live_markup(str(shared.get("title") or ""), allowed=allowed)


async def open_room(harness: Harness) -> Incident:
    """The one open SEV1 incident (with an IC) the examples of a test share on `harness`."""
    incident: Incident | None = getattr(harness, "hostile_room", None)
    if incident is None:
        incident = await harness.declare(severity="SEV1")
        await harness.press(incident, "role_take:commander")
        await harness.settle()
        harness.hostile_room = incident  # type: ignore[attr-defined]
    return incident


def _posted_to(calls: list[RecordedCall]) -> set[str]:
    return {str(c.args.get("channel")) for c in calls if c.method == "chat.postMessage" and c.ok}


def _origin_note(args: Mapping[str, Any]) -> bool:
    blocks = _json(args.get("blocks")) or []
    return any(str(b.get("block_id", "")).startswith("origin_note:") for b in blocks)


def _brief(args: Mapping[str, Any]) -> str:
    return json.dumps(args, ensure_ascii=False, default=str)[:800]


def fill_text_inputs(view: Mapping[str, Any], texts: Mapping[str, str]) -> dict[str, Any]:
    """Answers for `fill_view`: every plain-text input gets hostile text, by its block order.

    `texts` is keyed by block_id; a text input not named there gets the first value.
    Required choices without an initial value get their first option.
    """
    answers: dict[str, Any] = {}
    first = next(iter(texts.values()), "x")
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element, block_id = block["element"], block["block_id"]
        if element["type"] == "plain_text_input":
            answers[block_id] = texts.get(block_id, first)
        elif (
            element["type"] in {"radio_buttons", "static_select"}
            and not element.get("initial_option")
            and not block.get("optional")
        ):
            answers[block_id] = element["options"][0]["value"]
    return answers
