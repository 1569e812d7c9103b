"""Declaring: the `declare` subcommand, the "Declare incident" message shortcut, the
modal's submission (offering similar open incidents first), **Join INC-N instead**,
and Retry after a failed setup."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from warroom.bolt.command_text import plain
from warroom.bolt.listeners.commands import Invocation, Subcommand
from warroom.domain.declaration import IMPACT_MAX, TITLE_MAX, DeclaredFrom, validate_declaration
from warroom.domain.incident import Incident
from warroom.runtime import Runtime
from warroom.services.similar import Joined
from warroom.slack import mrkdwn
from warroom.slack.blocks.declare_modal import (
    CALLBACK_ID,
    JOIN_SIMILAR_ACTION,
    DeclareOrigin,
    declare_modal,
    join_refused,
    joined_view,
    parse_declare_submission,
)
from warroom.slack.blocks.limits import clip
from warroom.slack.blocks.notices import DECLARE_RETRY_ACTION
from warroom.slack.blocks.text import mrkdwn_message
from warroom.slack.errors import SlackFailure
from warroom.slack.message import Message

__all__ = [
    "FROM_MESSAGE_CALLBACK_ID",
    "impact_from_message",
    "listen",
    "subcommands",
    "title_from_message",
]

log = logging.getLogger(__name__)

STORE_DOWN = "Warroom couldn't save the incident just now. Press Declare again in a moment."
NOT_PUBLIC = frozenset({"directmessage", "privategroup"})
"""A slash command's `channel_name` in a DM and in a private channel."""
FROM_MESSAGE_CALLBACK_ID = "declare_from_message"
Json = dict[str, Any]


def _public(channel_name: str) -> bool:
    """Typed in a public channel: not a DM, a group DM ("mpdm-…") or a private channel
    (an unknown name counts as not public)."""
    return bool(channel_name) and channel_name not in NOT_PUBLIC and "mpdm-" not in channel_name


def _team_id(body: dict[str, Any]) -> str:
    team = body.get("team") or {}
    return str(team.get("id") or body.get("user", {}).get("team_id") or "")


def _message_text(message: Json) -> str:
    """What a message says, in Slack's format: its text, or for a bot's message with
    attachments only (many alerting tools), the first attachment's title and text."""
    text = str(message.get("text") or "").strip()
    if text:
        return text
    for attachment in message.get("attachments") or []:
        if isinstance(attachment, dict):
            parts = [attachment.get(k) for k in ("title", "text", "fallback")]
            found = "\n".join(str(p).strip() for p in parts if p and str(p).strip())
            if found:
                return found
    return ""


_MARKS = re.compile(r"`+|(?<!\w)[*_~]+|[*_~]+(?!\w)")
"""Bold, italic, strike and code marks at a word's edge (not `snake_case`'s `_`)."""


def title_from_message(text: str) -> str:
    """The first line that says something, as its reader saw it (mentions, channels and
    links readable, no formatting marks or quote sign), cut to the title's limit."""
    for line in mrkdwn.inert(text).splitlines():
        shown = " ".join(_MARKS.sub("", line).split()).lstrip("> ").strip()
        if shown:
            return clip(shown, TITLE_MAX)
    return ""


def impact_from_message(text: str) -> str:
    """The whole message, readable, cut to the impact's limit."""
    return clip(mrkdwn.inert(text).strip(), IMPACT_MAX)


def _incidents(similar: list[Any]) -> list[Incident]:
    return [found.incident for found in similar]


def subcommands(runtime: Runtime) -> list[Subcommand]:
    async def open_form(invocation: Invocation) -> None:
        title = plain(invocation.rest)
        similar = await _similar(runtime, invocation.team_id, invocation.user_id, title, "")
        origin = DeclareOrigin(
            invocation.channel_id,
            invocation.response_url,
            public=_public(invocation.channel_name),
            checked=bool(similar),
        )
        view = declare_modal(runtime.policy, title=title, origin=origin, similar=similar)
        try:
            await runtime.gateway.open_view(invocation.trigger_id, view)
        except SlackFailure as failure:
            note = f"⚠️ I couldn't open the declare form (`{failure.error}`). {failure.advice}"
            await runtime.gateway.tell(
                invocation.user_id, Message(text=note), response_url=origin.response_url
            )

    async def declare(invocation: Invocation, ack: AsyncAck) -> None:
        await ack()
        runtime.background.spawn(open_form(invocation), name="open the declare form")

    return [
        Subcommand(
            names=("declare",),
            usage="/incident declare [title]",
            what="Open a war room: severity, impact, responders.",
            run=declare,
        )
    ]


async def _similar(
    runtime: Runtime, team_id: str, user_id: str, title: str, impact: str
) -> list[Incident]:
    """Open incidents like this one that `user_id` may see; none if the check fails (a
    declaration is never held up by it)."""
    if not (title.strip() or impact.strip()):
        return []
    try:
        found = await runtime.similar.similar_open_incidents(team_id, user_id, title, impact)
    except Exception:
        log.exception("could not look for similar open incidents")
        return []
    return _incidents(found)


def listen(app: AsyncApp, runtime: Runtime) -> None:
    service = runtime.declare
    gateway = runtime.gateway

    async def tell(user_id: str, text: str, response_url: str | None) -> None:
        try:
            await gateway.tell(user_id, mrkdwn_message(text), response_url=response_url)
        except SlackFailure as failure:
            log.warning("could not tell %s about a declaration: %s", user_id, failure)

    @app.view(CALLBACK_ID)
    async def on_declare_submit(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        form, origin = parse_declare_submission(view)
        checked = validate_declaration(form, runtime.policy, runtime.clock())
        if isinstance(checked, dict):
            await ack(response_action="errors", errors=checked)
            return
        team_id, user_id = _team_id(body), body["user"]["id"]
        if not origin.checked:
            similar = await _similar(runtime, team_id, user_id, checked.title, checked.impact)
            if similar:
                offered = declare_modal(
                    runtime.policy,
                    title="",
                    origin=replace(origin, checked=True),
                    similar=similar,
                    form=form,
                )
                await ack(response_action="update", view=offered)
                return
        try:
            incident = await service.record(
                team_id=team_id,
                reporter_id=user_id,
                declaration=checked,
                declare_key=f"view:{view['id']}",
                origin_channel=origin.public_channel,
                declared_from=origin.message,
            )
        except Exception:
            log.exception("could not record a declaration")
            await ack(response_action="errors", errors={"title": STORE_DOWN})
            return
        if origin.alert_group is not None:
            await runtime.alert_desk.link(
                origin.alert_group, incident, by=user_id, unless_taken=True
            )
        await ack()
        runtime.background.spawn(
            service.provision(incident.id, response_url=origin.response_url),
            name=f"build the war room of {incident.reference}",
        )
        if origin.alert_group is not None:
            runtime.background.spawn(
                runtime.alert_desk.refresh_card(origin.alert_group),
                name=f"show the alerts' card is {incident.reference}",
            )

    @app.action(DECLARE_RETRY_ACTION)
    async def on_declare_retry(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        runtime.background.spawn(
            service.provision(
                int(action["value"]), response_url=body.get("response_url"), replace_original=True
            ),
            name="retry a war room setup",
        )

    async def open_from_message(body: Json) -> None:
        message, user_id = body.get("message") or {}, body["user"]["id"]
        channel_id = str((body.get("channel") or {}).get("id") or "")
        response_url = body.get("response_url")
        ts = str(message.get("ts") or body.get("message_ts") or "")
        if not channel_id or not ts:
            await tell(user_id, "⚠️ Slack didn't say which message that was; try again.", None)
            return
        text = _message_text(message)
        title, impact = title_from_message(text), impact_from_message(text)
        thread_ts = message.get("thread_ts")
        link, similar = await asyncio.gather(
            _permalink(channel_id, ts),
            _similar(runtime, _team_id(body), user_id, title, impact),
        )
        declared_from = DeclaredFrom(
            channel_id=channel_id,
            ts=ts,
            thread_ts=str(thread_ts) if thread_ts and thread_ts != ts else None,
            permalink=link,
        )
        origin = DeclareOrigin(
            channel_id, response_url, message=declared_from, checked=bool(similar)
        )
        view = declare_modal(
            runtime.policy, title=title, impact=impact, origin=origin, similar=similar
        )
        try:
            await gateway.open_view(body["trigger_id"], view)
        except SlackFailure as failure:
            await tell(
                user_id,
                f"⚠️ I couldn't open the declare form (`{failure.error}`). {failure.advice} "
                "Use the shortcut again, or type `/incident declare`.",
                response_url,
            )

    async def _permalink(channel_id: str, ts: str) -> str | None:
        try:
            return await gateway.permalink(channel_id, ts) or None
        except SlackFailure as failure:
            log.info("no permalink for a message declared from: %s", failure)
            return None

    @app.shortcut(FROM_MESSAGE_CALLBACK_ID)
    async def on_declare_from_message(ack: AsyncAck, body: Json) -> None:
        await ack()
        runtime.background.spawn(open_from_message(body), name="open the declare form")

    async def join_instead(body: Json, action: Json) -> None:
        user_id = body["user"]["id"]
        view: Json = body.get("view") or {}
        try:
            incident_id = int(action.get("value") or "")
        except ValueError:
            return
        outcome = await runtime.similar.join(incident_id, user_id)
        if isinstance(outcome, Joined):
            updated, view_hash = joined_view(outcome.incident), None
            assert outcome.incident.channel_id is not None
            said = f"✅ You're in {mrkdwn.channel(outcome.incident.channel_id)} now."
        else:
            updated, view_hash = join_refused(view, incident_id, outcome.reason), view.get("hash")
            said = f"⚠️ I couldn't add you there: {mrkdwn.escape(outcome.reason)}."
        try:
            await gateway.update_view(str(view.get("id") or ""), updated, view_hash=view_hash)
        except SlackFailure as failure:
            log.info("declare modal not updated after Join: %s", failure)
            await tell(user_id, said, None)

    @app.action(JOIN_SIMILAR_ACTION)
    async def on_join_similar(ack: AsyncAck, body: Json, action: Json) -> None:
        await ack()
        runtime.background.spawn(join_instead(body, action), name="join a similar incident")
