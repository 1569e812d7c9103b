"""Timeline capture: war-room messages, edits, deletions, highlights, typed entries.

Event listeners only write to the database and return; returning is Slack's
acknowledgement (`process_before_response`), so an event is never acked and
then lost, and a failed write answers 500 so Slack retries it. Slack calls
(modal, private answers) go to the background after the ack.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext

from warroom.bolt.listeners.commands import Invocation, Subcommand
from warroom.bolt.listeners.refusals import NotPermitted, refuse_command
from warroom.domain.timeline import TYPED_KINDS, Cursor, SlackMessage, slack_time
from warroom.runtime import Runtime
from warroom.services.timeline import REACTION_SOURCE, Hidden
from warroom.slack.blocks.privacy import not_visible
from warroom.slack.blocks.timeline import (
    PICK_BLOCK,
    PICK_CALLBACK_ID,
    SHORTCUT_CALLBACK_ID,
    SHOW_EARLIER_ACTION,
    ShortcutOrigin,
    added_to_timeline,
    no_incident_to_add_to,
    not_added,
    on_hidden_incident,
    pick_incident_modal,
    picked_incident,
    timeline_page,
    typed_entry,
    typed_usage,
)
from warroom.slack.errors import SlackFailure
from warroom.slack.message import Message

__all__ = ["listen", "parse_message", "subcommands"]

log = logging.getLogger(__name__)

CAPTURED_SUBTYPES = {None, "thread_broadcast", "file_share", "me_message", "bot_message"}
"""Everything else (joins, topic/purpose/name changes, pinned_item, message_replied, ...)
is Slack talking about the channel, not people talking in it."""
FILES_KEPT = 20
Json = dict[str, Any]


def parse_message(raw: Json, channel_id: str) -> SlackMessage:
    """A message object from an event, a pin or a shortcut, as stored on the timeline."""
    bot_id = raw.get("bot_id")
    files = [
        str(f.get("name") or f.get("title") or "file")[:200]
        for f in raw.get("files") or []
        if isinstance(f, dict)
    ][:FILES_KEPT]
    if raw.get("subtype") == "bot_message" or bot_id:
        kind = "bot_message"
    elif files or raw.get("subtype") == "file_share":
        kind = "file_share"
    else:
        kind = "message"
    data: Json = {}
    for key in ("thread_ts", "subtype", "bot_id", "username"):
        if raw.get(key):
            data[key] = raw[key]
    if files:
        data["files"] = files
    edited = raw.get("edited") or {}
    return SlackMessage(
        channel_id=channel_id,
        ts=str(raw["ts"]),
        kind=kind,
        author_id=raw.get("user") or bot_id,
        text=str(raw.get("text") or ""),
        edited_ts=edited.get("ts"),
        data=data,
    )


def _bot_user(context: AsyncBoltContext) -> str:
    """Warroom's bot user; unknown only while Slack failed to say (see slack/authorize.py),
    and then the request fails so Slack delivers it again rather than it being misfiled."""
    if not context.bot_user_id:
        raise RuntimeError("Warroom's bot user is not known yet (auth.test failed)")
    return context.bot_user_id


def _ours(raw: Json, context: AsyncBoltContext) -> bool:
    bot_id = raw.get("bot_id")
    user = raw.get("user")
    mine = _bot_user(context)
    return bool((bot_id and bot_id == context.bot_id) or (user and user == mine))


def _event_ts(event: Json) -> str:
    return str(event.get("event_ts") or event.get("ts") or event.get("deleted_ts"))


def _emoji(name: str | None) -> str:
    return (name or "").split("::", 1)[0]


def listen(app: AsyncApp, runtime: Runtime) -> None:
    service = runtime.timeline
    gateway = runtime.gateway

    def later(work: Callable[[], Coroutine[Any, Any, None]], name: str) -> None:
        async def run() -> None:
            try:
                await work()
            except SlackFailure as failure:
                log.warning("%s: %s", name, failure)

        runtime.background.spawn(run(), name=name)

    def answer(
        response_url: str | None, user_id: str, note: Message, replace: bool = False
    ) -> None:
        later(
            lambda: gateway.tell(
                user_id, note, response_url=response_url, replace_original=replace
            ),
            "answer about the timeline",
        )

    @app.event("message")
    async def on_message(event: Json, context: AsyncBoltContext) -> None:
        subtype = event.get("subtype")
        channel_id = str(event.get("channel") or "")
        if subtype == "message_changed":
            changed, before = event.get("message") or {}, event.get("previous_message")
            if (
                _ours(changed, context)
                or "ts" not in changed
                or changed.get("subtype") not in CAPTURED_SUBTYPES | {"tombstone"}
            ):
                return
            previous = parse_message(before, channel_id) if before else None
            if changed.get("subtype") == "tombstone":
                await service.record_delete(
                    channel_id, str(changed["ts"]), deleted_ts=_event_ts(event), previous=previous
                )
                return
            message = parse_message(changed, channel_id)
            if message.edited_ts is None and previous is not None and previous.text != message.text:
                message = replace(message, edited_ts=_event_ts(event))
            await service.record_edit(message, previous)
        elif subtype == "message_deleted":
            before = event.get("previous_message")
            if before and (
                _ours(before, context) or before.get("subtype") not in CAPTURED_SUBTYPES
            ):
                return
            await service.record_delete(
                channel_id,
                str(event["deleted_ts"]),
                deleted_ts=_event_ts(event),
                previous=parse_message(before, channel_id) if before else None,
            )
        elif subtype in CAPTURED_SUBTYPES and not _ours(event, context) and "ts" in event:
            await service.record_message(parse_message(event, channel_id))

    def acknowledge(channel_id: str, ts: str, *, recorded: bool) -> None:
        """After the ack: Warroom's own reaction says the message is (no longer) recorded."""
        runtime.background.spawn(
            service.acknowledge(channel_id, ts, recorded=recorded),
            name="acknowledge a timeline highlight",
        )

    async def on_reaction(event: Json, context: AsyncBoltContext) -> None:
        item = event.get("item") or {}
        bot_user = _bot_user(context)
        if (
            _emoji(event.get("reaction")) != runtime.policy.highlight_emoji
            or item.get("type") != "message"
            or event.get("item_user") == bot_user
            or event.get("user") == bot_user
        ):
            return
        user = str(event.get("user") or "")
        added = event["type"] == "reaction_added"
        channel_id, ts = str(item["channel"]), str(item["ts"])
        marked = await service.mark(
            channel_id,
            ts,
            source=f"{REACTION_SOURCE}{user}",
            user_id=user or None,
            active=added,
            at=slack_time(_event_ts(event)),
            author_id=event.get("item_user"),
        )
        if marked is not None and marked.changed and marked.highlighted == added:
            acknowledge(channel_id, ts, recorded=added)

    async def on_pin(event: Json, context: AsyncBoltContext) -> None:
        item = event.get("item") or {}
        raw = item.get("message") or {}
        channel_id = str(item.get("channel") or event.get("channel_id") or "")
        if item.get("type") != "message" or "ts" not in raw or _ours(raw, context):
            return
        pinned = event["type"] == "pin_added"
        marked = await service.mark(
            channel_id,
            str(raw["ts"]),
            source="pin",
            user_id=event.get("user"),
            active=pinned,
            at=slack_time(_event_ts(event)),
            message=parse_message(raw, channel_id),
        )
        if marked is not None and marked.changed and not pinned and not marked.highlighted:
            # A pin shows itself; only a ✅ a 📌 left behind needs taking off.
            acknowledge(channel_id, str(raw["ts"]), recorded=False)

    app.event("reaction_added")(on_reaction)
    app.event("reaction_removed")(on_reaction)
    app.event("pin_added")(on_pin)
    app.event("pin_removed")(on_pin)

    @app.shortcut(SHORTCUT_CALLBACK_ID)
    async def on_shortcut(ack: AsyncAck, body: Json, context: AsyncBoltContext) -> None:
        raw, user_id = body.get("message") or {}, body["user"]["id"]
        response_url = body.get("response_url")
        if _ours(raw, context) or "ts" not in raw:
            await ack()
            answer(response_url, user_id, not_added("that is Warroom's own message."))
            return
        message = parse_message(raw, str(body["channel"]["id"]))
        added = await service.add_from_shortcut(message, user_id=user_id)
        if isinstance(added, Hidden):
            await ack()
            answer(response_url, user_id, on_hidden_incident())
            return
        if added is not None:
            await ack()
            answer(response_url, user_id, added_to_timeline(added.incident))
            return
        team = body.get("team") or {}
        choices = await service.incidents_for(str(team.get("id") or ""), user_id)
        await ack()
        if not choices:
            answer(response_url, user_id, no_incident_to_add_to())
            return
        view = pick_incident_modal(choices, ShortcutOrigin(message, response_url))

        async def pick() -> None:
            try:
                await gateway.open_view(body["trigger_id"], view)
            except SlackFailure as failure:
                why = f"the incident picker didn't open ({failure.error}). {failure.advice}"
                await gateway.tell(user_id, not_added(why), response_url=response_url)

        later(pick, "open the timeline picker")

    @app.view(PICK_CALLBACK_ID)
    async def on_pick(ack: AsyncAck, body: Json, view: Json) -> None:
        incident_id, origin = picked_incident(view)
        user_id = body["user"]["id"]
        incident = await service.incident(incident_id) if incident_id is not None else None
        if (
            origin is None
            or incident is None
            or incident.resolved_at is not None
            or not await runtime.audience.may_see(user_id, incident)
        ):
            await ack(response_action="errors", errors={PICK_BLOCK: "Pick an open incident."})
            return
        added = await service.add_from_shortcut(
            origin.message, user_id=user_id, incident_id=incident.id
        )
        await ack()
        if isinstance(added, Hidden):
            answer(origin.response_url, user_id, on_hidden_incident())
        elif added is not None:
            answer(origin.response_url, user_id, added_to_timeline(added.incident))
        else:
            why = "it was put on another timeline meanwhile; use the shortcut again."
            answer(origin.response_url, user_id, not_added(why))

    @app.action(SHOW_EARLIER_ACTION)
    async def on_show_earlier(ack: AsyncAck, body: Json, action: Json) -> None:
        await ack()
        cursor = Cursor.decode(str(action.get("value") or ""))
        if cursor is None:
            return

        async def show() -> None:
            page = await service.key_page(cursor.incident_id, cursor)
            note = timeline_page(
                page, highlight_emoji=runtime.policy.highlight_emoji, zone=runtime.policy.zone
            )
            if not await runtime.audience.may_see(body["user"]["id"], page.incident):
                note = not_visible()  # a forged cursor: the button is only shown in the room
            await gateway.tell(
                body["user"]["id"],
                note,
                response_url=body.get("response_url"),
                replace_original=True,
            )

        later(show, "show earlier timeline entries")


def subcommands(runtime: Runtime) -> list[Subcommand]:
    service = runtime.timeline

    async def log_typed(invocation: Invocation, ack: AsyncAck) -> None:
        assert invocation.incident is not None
        text = invocation.rest.strip()
        if not text:
            usage = typed_usage(TYPED_KINDS, invocation.subcommand)
            await ack(text=usage.text, blocks=usage.blocks)
            return
        try:
            item = await service.add_typed(
                invocation.incident,
                kind=invocation.subcommand,
                author_id=invocation.user_id,
                text=text,
                channel_id=invocation.channel_id,
            )
        except NotPermitted as refused:
            await refuse_command(ack, runtime, refused)
            return
        posted = typed_entry(item)
        await ack(response_type="in_channel", text=posted.text, blocks=posted.blocks)

    async def show(invocation: Invocation, ack: AsyncAck) -> None:
        assert invocation.incident is not None
        page = await service.key_page(invocation.incident.id)
        note = timeline_page(
            page, highlight_emoji=runtime.policy.highlight_emoji, zone=runtime.policy.zone
        )
        await ack(text=note.text, blocks=note.blocks)

    return [
        Subcommand(
            names=TYPED_KINDS,
            usage=f"/incident {'|'.join(TYPED_KINDS)} <text>",
            what="Log a typed entry on the timeline; it is posted in the room.",
            run=log_typed,
            in_incident=True,
        ),
        Subcommand(
            names=("timeline",),
            usage="/incident timeline",
            what="Show the key timeline of this incident, only to you.",
            run=show,
            in_incident=True,
        ),
    ]
