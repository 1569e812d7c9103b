"""Action items: `/incident action`, `/incident actions`, the add modal, Done and Won't do.

Each listener stores the change, then acknowledges; the Slack calls that follow
(the room line, telling the owner, redrawing the list) run in the background.
A list or reminder whose button was pressed is redrawn in place through its
response_url (by DM when that no longer works).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from warroom.bolt.command_text import plain, split_action_item
from warroom.bolt.listeners.commands import Invocation, Subcommand
from warroom.bolt.listeners.home import pressed_on_home, republish_home, team_of
from warroom.bolt.listeners.refusals import NotPermitted, refuse_button, refuse_form
from warroom.bolt.listeners.replies import ViewOrReason, open_form_later, tell_actor
from warroom.domain.action_item import DONE, WONT_DO
from warroom.runtime import Runtime
from warroom.services.action_items import (
    ActionItems,
    Added,
    Refused,
    Settled,
)
from warroom.slack import mrkdwn
from warroom.slack.blocks.action_items import (
    ADD_ACTION,
    ADD_CALLBACK_ID,
    DONE_ACTION,
    PAGE_ACTION,
    USAGE,
    WONT_DO_ACTION,
    WONT_DO_CALLBACK_ID,
    ItemRef,
    WontDoOrigin,
    add_modal,
    added_answer,
    item_list,
    item_settled,
    not_added,
    parse_add,
    parse_wont_do,
    usage,
    wont_do_modal,
)
from warroom.slack.blocks.privacy import not_visible
from warroom.slack.blocks.text import mrkdwn_message
from warroom.slack.errors import SlackFailure
from warroom.slack.message import Message

__all__ = ["listen", "subcommands"]

log = logging.getLogger(__name__)

Json = dict[str, Any]


# -- background steps ----------------------------------------------------------------


async def _announce(
    runtime: Runtime, service: ActionItems, added: Added, *, response_url: str | None
) -> None:
    """Room line and owner notice; if Slack refused either, the person who added it hears."""
    announced = await service.announce(added)
    item, problems = added.item, []
    if announced.owner is not None and item.owner_id:
        problems.append(
            f"⚠️ I couldn't tell {mrkdwn.user(item.owner_id)} about the action item "
            f"(`{announced.owner.error}`); please let them know yourself."
        )
    if announced.room is not None:
        problems.append(
            f"⚠️ The action item is saved, but I couldn't post it in the room "
            f"(`{announced.room.error}`). {announced.room.advice}"
        )
    if problems:
        await tell_actor(
            runtime,
            item.created_by,
            mrkdwn_message("\n".join(problems)),
            response_url=response_url,
            room=added.incident.channel_id,
        )


async def _redraw(
    runtime: Runtime,
    service: ActionItems,
    settled: Settled,
    ref: ItemRef,
    *,
    actor: str,
    response_url: str | None,
    home_team: str | None = None,
) -> None:
    """Replace the list page (or the reminder) the button was on; post the room line.
    Pressed on the App Home tab (`home_team`: its workspace), the Home is republished."""
    failures = await service.publish_settled(settled)
    if home_team is not None:
        await republish_home(runtime, actor, home_team)
    else:
        message = await _redrawn(service, settled, ref)
        await _replace(runtime, actor, message, response_url=response_url)
    if failures:
        note = mrkdwn_message(
            f"⚠️ Saved, but I couldn't post it in the room (`{failures[0].error}`). "
            f"{failures[0].advice}"
        )
        await tell_actor(runtime, actor, note, room=settled.incident.channel_id)


async def _redrawn(service: ActionItems, settled: Settled, ref: ItemRef) -> Message:
    """The list page the button was on, or what replaces the reminder it was on."""
    if ref.offset is None:
        return item_settled(settled.item, already=not settled.changed)
    listing = await service.listing(settled.incident.id, offset=ref.offset)
    return item_list(
        listing.incident,
        listing.items,
        listing.counts,
        offset=listing.offset,
        today=listing.today,
        zone=listing.zone,
        note=None if settled.changed else _already(settled),
    )


def _already(settled: Settled) -> str:
    state = "done" if settled.item.state == DONE else "won't do"
    who = mrkdwn.user(settled.item.closed_by) if settled.item.closed_by else "someone"
    return f"_That item was already marked {state} by {who}._"


async def _replace(
    runtime: Runtime, actor: str, message: Message, *, response_url: str | None
) -> None:
    try:
        await runtime.gateway.tell(actor, message, response_url=response_url, replace_original=True)
    except SlackFailure as failure:
        log.error("could not redraw for %s: %s", actor, failure)


# -- slash commands ------------------------------------------------------------------


def subcommands(runtime: Runtime) -> list[Subcommand]:
    """`action` and `actions`."""
    service = runtime.action_items

    async def add(invocation: Invocation, ack: AsyncAck) -> None:
        assert invocation.incident is not None
        escaped, owner, due_typed = split_action_item(invocation.rest)
        text = plain(escaped).strip()
        if not text:
            note = usage()
            await ack(text=note.text, blocks=note.blocks)
            return
        try:
            zone = await service.zone_of(invocation.user_id)
            due = service.due_date(due_typed, zone)
            added = await service.add(
                invocation.incident.id,
                text=text,
                owner_id=owner,
                due_on=due,
                by=invocation.user_id,
                zone=zone,
            )
        except Refused as refused:
            note = not_added(str(refused))
            await ack(text=note.text, blocks=note.blocks)
            return
        answer = added_answer(added.incident, added.item)
        await ack(text=answer.text, blocks=answer.blocks)
        runtime.background.spawn(
            _announce(runtime, service, added, response_url=invocation.response_url),
            name=f"announce an action item of {added.incident.reference}",
        )

    async def show(invocation: Invocation, ack: AsyncAck) -> None:
        assert invocation.incident is not None
        listing = await service.listing(invocation.incident.id)
        message = item_list(
            listing.incident,
            listing.items,
            listing.counts,
            offset=0,
            today=listing.today,
            zone=listing.zone,
        )
        await ack(text=message.text, blocks=message.blocks)

    return [
        Subcommand(
            names=("action",),
            usage=USAGE,
            what="Add a follow-up with an owner and a due date; the owner is told privately.",
            run=add,
            in_incident=True,
        ),
        Subcommand(
            names=("actions",),
            usage="/incident actions",
            what="List the action items, with Done and Won't do, only to you.",
            run=show,
            in_incident=True,
        ),
    ]


# -- buttons and modals --------------------------------------------------------------


def listen(app: AsyncApp, runtime: Runtime) -> None:
    service = runtime.action_items
    spawn = runtime.background.spawn

    @app.action(ADD_ACTION)
    async def on_add(ack: AsyncAck, body: Json, action: Json) -> None:
        await ack()
        actor, response_url = body["user"]["id"], body.get("response_url")
        value = str(action.get("value") or "")
        if not value.isdigit():
            return

        async def form() -> ViewOrReason:
            incident = await service.incident(int(value))
            if not await runtime.audience.may_see(actor, incident):
                return not_visible()
            if incident.closed_at is not None:
                return not_added(f"{incident.reference} is closed, so it takes no new items.")
            return add_modal(incident, default_due=service.default_due())

        open_form_later(
            runtime,
            form,
            trigger_id=body["trigger_id"],
            actor=actor,
            response_url=response_url,
            name="open the action-item form",
        )

    @app.view(ADD_CALLBACK_ID)
    async def on_add_submit(ack: AsyncAck, body: Json, view: Json) -> None:
        form = parse_add(view)
        if not form.text:
            await ack(response_action="errors", errors={"text": "Say what needs doing."})
            return
        actor = body["user"]["id"]
        zone = await service.zone_of(actor)
        try:
            due = service.due_date(form.due, zone)
        except Refused:
            await ack(response_action="errors", errors={"due": "Pick today or a later date."})
            return
        try:
            added = await service.add(
                form.incident_id,
                text=form.text,
                owner_id=form.owner_id,
                due_on=due,
                by=actor,
                zone=zone,
            )
        except Refused as refused:
            await ack(response_action="errors", errors={"text": str(refused)})
            return
        await ack()
        spawn(
            _announce(runtime, service, added, response_url=None),
            name=f"announce an action item of {added.incident.reference}",
        )

    @app.action(DONE_ACTION)
    async def on_done(ack: AsyncAck, body: Json, action: Json) -> None:
        ref = ItemRef.decode(str(action.get("value") or ""))
        actor, response_url = body["user"]["id"], body.get("response_url")
        if ref is None:
            await ack()
            return
        try:
            settled = await service.settle(ref.item_id, DONE, actor)
        except NotPermitted as refused:
            await refuse_button(ack, runtime, refused, response_url=response_url)
            return
        except Refused as refused:
            await ack()
            spawn(
                tell_actor(runtime, actor, not_added(str(refused)), response_url=response_url),
                name="tell a refusal",
            )
            return
        await ack()
        home_team = team_of(body) if pressed_on_home(body) else None
        spawn(
            _redraw(
                runtime,
                service,
                settled,
                ref,
                actor=actor,
                response_url=response_url,
                home_team=home_team,
            ),
            name="mark an action item done",
        )

    @app.action(WONT_DO_ACTION)
    async def on_wont_do(ack: AsyncAck, body: Json, action: Json) -> None:
        await ack()
        ref = ItemRef.decode(str(action.get("value") or ""))
        actor, response_url = body["user"]["id"], body.get("response_url")
        if ref is None:
            return

        async def form() -> ViewOrReason:
            found = await service.item(ref.item_id)
            if found is None:
                return not_added("That action item no longer exists.")
            incident, item = found
            if not item.is_open:
                return item_settled(item, already=True)
            origin = WontDoOrigin(ref, response_url, home=pressed_on_home(body))
            return wont_do_modal(incident, item, origin)

        open_form_later(
            runtime,
            form,
            trigger_id=body["trigger_id"],
            actor=actor,
            response_url=response_url,
            name="ask why an action item won't be done",
        )

    @app.view(WONT_DO_CALLBACK_ID)
    async def on_wont_do_submit(ack: AsyncAck, body: Json, view: Json) -> None:
        origin, reason = parse_wont_do(view)
        if not reason:
            await ack(response_action="errors", errors={"reason": "Say why it won't be done."})
            return
        if origin is None:
            await ack(response_action="errors", errors={"reason": "This form is out of date."})
            return
        actor = body["user"]["id"]
        try:
            settled = await service.settle(origin.ref.item_id, WONT_DO, actor, reason=reason)
        except NotPermitted as refused:
            await refuse_form(ack, runtime, refused)
            return
        except Refused as refused:
            await ack(response_action="errors", errors={"reason": str(refused)})
            return
        await ack()
        spawn(
            _redraw(
                runtime,
                service,
                settled,
                origin.ref,
                actor=actor,
                response_url=origin.response_url,
                home_team=team_of(body) if origin.home else None,
            ),
            name="mark an action item won't do",
        )

    @app.action(re.compile(f"^{re.escape(PAGE_ACTION)}:(prev|next)$"))
    async def on_page(ack: AsyncAck, body: Json, action: Json) -> None:
        await ack()
        incident_id, _, offset = str(action.get("value") or "").partition(":")
        if not (incident_id.isdigit() and offset.isdigit()):
            return
        actor, response_url = body["user"]["id"], body.get("response_url")

        async def turn() -> None:
            listing = await service.listing(int(incident_id), offset=int(offset))
            if not await runtime.audience.may_see(actor, listing.incident):
                await _replace(runtime, actor, not_visible(), response_url=response_url)
                return
            message = item_list(
                listing.incident,
                listing.items,
                listing.counts,
                offset=listing.offset,
                today=listing.today,
                zone=listing.zone,
            )
            await _replace(runtime, actor, message, response_url=response_url)

        spawn(turn(), name="turn a page of action items")
