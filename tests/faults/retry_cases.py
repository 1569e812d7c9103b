"""Every kind of request Warroom accepts, one line each: how to build one in a fresh scene.

A new slash subcommand, action_id, callback_id or subscribed event gets a line
here; test_slack_retry_coverage fails until it does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fakeslack import block_actions
from tests.faults.retry_scene import ALICE, BOB, DECLARE_ANSWERS, Kind, Request, Scene
from tests.harness import REPORTER
from warroom.domain.alerts import FIRING, Alert, Notification
from warroom.domain.timeline import Cursor

__all__ = ["CASES", "Case"]

Prepare = Callable[[Scene], Awaitable[Request]]


@dataclass(frozen=True)
class Case:
    kind: Kind
    prepare: Prepare
    variant: str = ""

    @property
    def id(self) -> str:
        return ":".join(self.kind) + (f"[{self.variant}]" if self.variant else "")


def command(text: str, *, in_room: bool = True) -> Prepare:
    async def prepare(scene: Scene) -> Request:
        return await scene.command(text, in_room=in_room)

    return prepare


def on_card(action_id: str, choose: str | None = None) -> Prepare:
    async def prepare(scene: Scene) -> Request:
        return await scene.on_card(action_id, choose=choose)

    return prepare


def incident_button(action_id: str) -> Prepare:
    """A button whose value is the incident id (cards, notices, reminders)."""

    async def prepare(scene: Scene) -> Request:
        return await scene.button(action_id, str((await scene.incident()).id))

    return prepare


def submitted(opening: Prepare, **answers: object) -> Prepare:
    """Open a modal with `opening`, then the submission of it filled in with `answers`."""

    async def prepare(scene: Scene) -> Request:
        return scene.submit(await scene.modal(await opening(scene)), answers)

    return prepare


def message_event(**fields: object) -> Prepare:
    async def prepare(scene: Scene) -> Request:
        return await scene.event((await scene.room()).message("Rolling back now", **fields))

    return prepare


def other_event(event_type: str, **fields: object) -> Prepare:
    async def prepare(scene: Scene) -> Request:
        channel = (await scene.incident()).channel_id
        return await scene.event({"type": event_type, "channel": channel, "user": BOB, **fields})

    return prepare


# -- preparations that need more than one step ------------------------------------


async def _reopen_command(scene: Scene) -> Request:
    await scene.resolved()
    return await scene.command("reopen", user=REPORTER)


async def _close_command(scene: Scene) -> Request:
    await scene.resolved()
    return await scene.command("close", user=REPORTER)


async def _duplicate_command(scene: Scene) -> Request:
    await scene.incident()
    reported = len(await scene.harness.incidents())
    original = await scene.harness.declare(title=f"The same outage, reported first ({reported})")
    return await scene.command(f"duplicate {original.reference}")


async def _postmortem_command(scene: Scene) -> Request:
    await scene.resolved()
    return await scene.command("postmortem")


async def _reopen_button(scene: Scene) -> Request:
    incident = await scene.resolved()
    return await scene.button("incident_reopen", str(incident.id), user=REPORTER)


async def _postmortem_complete(scene: Scene) -> Request:
    incident = await scene.resolved()
    return await scene.button("postmortem_complete", str(incident.id), user=REPORTER)


async def _declare_retry(scene: Scene) -> Request:
    scene.harness.slack.fail("conversations.create", "restricted_action")
    incident = await scene.incident()
    assert incident.provision_error, "the war room setup was meant to fail"
    return await scene.button("declare_retry", str(incident.id))


async def _role_handoff(scene: Scene) -> Request:
    incident = await scene.incident()
    await scene.harness.runtime.roles.take(incident.id, "commander", ALICE)
    return await scene.button("role_handoff:commander", str(incident.id))


async def _show_earlier(scene: Scene) -> Request:
    incident = await scene.incident()
    cursor = Cursor(incident.id, scene.harness.clock(), 2**31 - 1, 20)
    return await scene.button("timeline_show_earlier", cursor.encode())


async def _item_button(scene: Scene, action_id: str) -> Request:
    return await scene.button(action_id, f"{await scene.action_item()}:0")


async def _done(scene: Scene) -> Request:
    return await _item_button(scene, "action_item_done")


async def _wont_do(scene: Scene) -> Request:
    return await _item_button(scene, "action_item_wont_do")


async def _page(scene: Scene) -> Request:
    return await scene.button("action_items_page:next", f"{(await scene.incident()).id}:0")


async def _resolve_submit(scene: Scene) -> Request:
    opened = await scene.modal(await scene.on_card("resolve_open"))
    return scene.submit(opened, {"resolution": "Rolled back deploy 42"})


async def _wont_do_submit(scene: Scene) -> Request:
    opened = await scene.modal(await _wont_do(scene))
    return scene.submit(opened, {"reason": "Covered by the SLO alert"})


async def _declare_submit(scene: Scene) -> Request:
    opened = await scene.modal(await scene.command("declare", in_room=False))
    return scene.submit(opened, DECLARE_ANSWERS)


async def _shortcut_in_room(scene: Scene) -> Request:
    message = await scene.said()
    return await scene.shortcut(message, (await scene.incident()).channel_id or "")


async def _shortcut_elsewhere(scene: Scene) -> Request:
    await scene.incident()
    elsewhere = scene.harness.command_channel
    message = {**(await scene.room()).message("Customers report 502s"), "channel": elsewhere}
    return await scene.shortcut(message, elsewhere)


async def _declare_from_message(scene: Scene) -> Request:
    await scene.incident()
    elsewhere = scene.harness.command_channel
    message = {
        **(await scene.room()).message("Payments time out for everyone"),
        "channel": elsewhere,
    }
    return await scene.shortcut(message, elsewhere, callback_id="declare_from_message")


async def _join_similar(scene: Scene) -> Request:
    """**Join INC-N instead** in a declare form opened for the same problem."""
    incident = await scene.incident()
    opened = await scene.modal(await scene.command(f"declare {incident.title}", in_room=False))
    view = {**opened.view, "id": opened.view_id, "hash": opened.view_hash}
    return block_actions(
        "declare_join_similar",
        str(incident.id),
        user_id="UCAROL0003",
        team_id="T0WARROOM",
        view=view,
    )


async def _alert_card(scene: Scene, action_id: str) -> Request:
    """A click on the triage card an unrouted alert got in the broadcast channel."""
    incident = await scene.incident()
    harness = scene.harness
    now = harness.clock()
    # named like the incident, so the card suggests attaching to it
    alert = Alert("fp-retry", FIRING, {"alertname": incident.title}, {}, starts_at=now)
    await harness.runtime.alert_intake.receive(
        Notification("generic", f"retry-{incident.id}", FIRING, (alert,))
    )
    await harness.settle()
    await harness.tick()
    *_, card = [
        m
        for m in harness.slack.messages(harness.broadcast_channel)
        if m["blocks"][0].get("block_id", "").startswith("alert_card:")
        and incident.title in m["text"]
    ]
    element = next(
        e
        for b in card["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] == action_id
    )
    option = element["options"][0] if "options" in element else None
    return block_actions(
        action_id,
        element.get("value"),
        user_id=BOB,
        team_id="T0WARROOM",
        channel_id=harness.broadcast_channel,
        message_ts=card["ts"],
        action_type=element["type"],
        selected_option=option,
        message=card,
        response_url=harness.new_response_url(),
    )


def alert_card(action_id: str) -> Prepare:
    async def prepare(scene: Scene) -> Request:
        return await _alert_card(scene, action_id)

    return prepare


async def _pick_submit(scene: Scene) -> Request:
    opened = await scene.modal(await _shortcut_elsewhere(scene))
    return scene.submit(opened, {"incident": str((await scene.incident()).id)})


async def _changed(scene: Scene) -> Request:
    message = await scene.said()
    room = await scene.room()
    return await scene.event(room.changed(message["ts"], message["text"], "Deploy 43 went out"))


async def _deleted(scene: Scene) -> Request:
    message = await scene.said()
    return await scene.event((await scene.room()).deleted(message["ts"], message["text"]))


async def _reaction(scene: Scene) -> Request:
    message = await scene.said()
    return await scene.event((await scene.room()).reaction(message["ts"]))


async def _reaction_removed(scene: Scene) -> Request:
    room = await scene.room()
    message = await scene.said()
    assert await room.send(room.reaction(message["ts"])) == 200
    await scene.harness.settle()  # Warroom's own ✅ for the 📌 is part of the setting
    return await scene.event(room.reaction(message["ts"], added=False))


async def _pin(scene: Scene) -> Request:
    message = await scene.said()
    return await scene.event((await scene.room()).pin(message))


async def _unpin(scene: Scene) -> Request:
    room = await scene.room()
    message = await scene.said()
    assert await room.send(room.pin(message)) == 200
    return await scene.event(room.pin(message, added=False))


async def _private_message(scene: Scene) -> Request:
    await scene.incident(private=["private"])
    room = await scene.room()
    return await scene.event(room.message("In the private room", channel_type="group"))


_thread_broadcast = message_event(subtype="thread_broadcast", thread_ts="1700000000.000001")
_file_share = message_event(subtype="file_share", files=[{"id": "F1", "name": "graph.png"}])


async def _bot_message(scene: Scene) -> Request:
    message = (await scene.room()).message("Pager: checkout 5xx > 5%", subtype="bot_message")
    message.pop("user")
    return await scene.event({**message, "bot_id": "B0PAGER", "username": "pager"})


async def _home_opened(scene: Scene) -> Request:
    await scene.incident()
    return await scene.event(
        {"type": "app_home_opened", "user": BOB, "channel": "D0BOB", "tab": "home"}
    )


async def _home_declare(scene: Scene) -> Request:
    await scene.incident()
    home = {"id": "V0HOME0001", "team_id": "T0WARROOM", "type": "home", "blocks": []}
    return block_actions("home_declare", "home", user_id=BOB, team_id="T0WARROOM", view=home)


async def _mention(scene: Scene) -> Request:
    room = await scene.room()
    return await scene.event({**room.message("<@UWARROOMBOT> status?"), "type": "app_mention"})


def _renamed(event_type: str) -> Prepare:
    async def prepare(scene: Scene) -> Request:
        incident = await scene.incident()
        channel = {"id": incident.channel_id, "name": "inc-renamed", "created": 1_700_000_000}
        return await scene.event({"type": event_type, "channel": channel})

    return prepare


async def _user_changed(scene: Scene) -> Request:
    await scene.incident()
    user = {
        "id": BOB,
        "team_id": "T0WARROOM",
        "name": "bob",
        "real_name": "Bob Ruiz",
        "tz": "Europe/Lisbon",
        "profile": {"display_name": "Bob", "real_name": "Bob Ruiz"},
    }
    return await scene.event({"type": "user_change", "user": user})


CASES: list[Case] = [
    # /incident subcommands (the router's table, plus help and what it does not know)
    Case(("command", ""), command("", in_room=False)),
    Case(("command", "help"), command("help", in_room=False)),
    Case(("command", "frobnicate"), command("frobnicate", in_room=False)),
    Case(("command", "declare"), command("declare Checkout down", in_room=False)),
    Case(("command", "role"), command(f"role ops <@{BOB}>")),
    Case(("command", "duties"), command("duties")),
    Case(("command", "severity"), command("severity SEV1")),
    Case(("command", "sev"), command("sev SEV3")),
    Case(("command", "status"), command("status identified")),
    Case(("command", "update"), command("update")),
    Case(("command", "resolve"), command("resolve")),
    Case(("command", "reopen"), _reopen_command),
    Case(("command", "postmortem"), _postmortem_command),
    Case(("command", "close"), _close_command),
    Case(("command", "cancel"), command("cancel false alarm: the probe was misconfigured")),
    Case(("command", "duplicate"), _duplicate_command),
    Case(("command", "note"), command("note Rolled back deploy 42")),
    Case(("command", "symptom"), command("symptom p99 latency 4s")),
    Case(("command", "hypothesis"), command("hypothesis The pool is exhausted")),
    Case(("command", "action"), command(f"action Add a pool alert <@{ALICE}>")),
    Case(("command", "result"), command("result Latency back to normal")),
    Case(("command", "timeline"), command("timeline")),
    Case(("command", "actions"), command("actions")),
    Case(("command", "list"), command("list open SEV2", in_room=False)),
    Case(("command", "find"), command("find checkout", in_room=False)),
    Case(("command", "stats"), command("stats 30d", in_room=False)),
    Case(("command", "statuspage"), command("statuspage show")),
    # buttons and pickers (block_actions)
    Case(("block_actions", "role_take:commander"), on_card("role_take:commander")),
    Case(("block_actions", "role_take:scribe"), on_card("role_take:scribe")),
    Case(("block_actions", "role_handoff:commander"), _role_handoff),
    Case(("block_actions", "role_assign"), on_card("role_assign")),
    Case(("block_actions", "severity_select"), on_card("severity_select", "SEV1")),
    Case(("block_actions", "status_select"), on_card("status_select", "mitigated")),
    Case(("block_actions", "update_open"), on_card("update_open")),
    Case(("block_actions", "update_snooze:30"), incident_button("update_snooze:30")),
    Case(("block_actions", "resolve_open"), on_card("resolve_open")),
    Case(("block_actions", "incident_reopen"), _reopen_button),
    Case(("block_actions", "postmortem_complete"), _postmortem_complete),
    Case(("block_actions", "declare_retry"), _declare_retry),
    Case(("block_actions", "timeline_show_earlier"), _show_earlier),
    Case(("block_actions", "action_item_add"), incident_button("action_item_add")),
    Case(("block_actions", "action_item_done"), _done),
    Case(("block_actions", "action_item_wont_do"), _wont_do),
    Case(("block_actions", "action_items_page:next"), _page),
    Case(("block_actions", "home_declare"), _home_declare),
    Case(("block_actions", "declare_join_similar"), _join_similar),
    Case(("block_actions", "alert_declare"), alert_card("alert_declare")),
    Case(("block_actions", "alert_attach"), alert_card("alert_attach")),
    Case(("block_actions", "alert_attach_to"), alert_card("alert_attach_to")),
    Case(("block_actions", "alert_dismiss"), alert_card("alert_dismiss")),
    # modal submissions (view_submission)
    Case(("view_submission", "declare_incident"), _declare_submit),
    Case(
        ("view_submission", "role_assign"),
        submitted(on_card("role_assign"), role="commander", user=ALICE),
    ),
    Case(
        ("view_submission", "status_update"),
        submitted(
            on_card("update_open"),
            happening="Checkout errors fell to 2%",
            impact="EU checkouts",
            doing="Watching the pool",
        ),
    ),
    Case(("view_submission", "resolve"), _resolve_submit),
    Case(("view_submission", "add_to_timeline_pick"), _pick_submit),
    Case(
        ("view_submission", "action_item_add"),
        submitted(incident_button("action_item_add"), text="Write the runbook", owner=ALICE),
    ),
    Case(("view_submission", "action_item_wont_do"), _wont_do_submit),
    # the message shortcut
    Case(("message_action", "add_to_timeline"), _shortcut_in_room, "in the war room"),
    Case(("message_action", "add_to_timeline"), _shortcut_elsewhere, "elsewhere"),
    Case(("message_action", "declare_from_message"), _declare_from_message),
    # Events API: everything the manifest subscribes to
    Case(("event", "message.channels"), message_event()),
    Case(("event", "message.channels/thread_broadcast"), _thread_broadcast),
    Case(("event", "message.channels/file_share"), _file_share),
    Case(("event", "message.channels/me_message"), message_event(subtype="me_message")),
    Case(("event", "message.channels/bot_message"), _bot_message),
    Case(("event", "message.channels/channel_join"), message_event(subtype="channel_join")),
    Case(("event", "message.channels/message_changed"), _changed),
    Case(("event", "message.channels/message_deleted"), _deleted),
    Case(("event", "message.groups"), _private_message),
    Case(("event", "reaction_added"), _reaction),
    Case(("event", "reaction_removed"), _reaction_removed),
    Case(("event", "pin_added"), _pin),
    Case(("event", "pin_removed"), _unpin),
    Case(("event", "app_home_opened"), _home_opened),
    Case(("event", "app_mention"), _mention),
    Case(("event", "member_joined_channel"), other_event("member_joined_channel")),
    Case(("event", "member_left_channel"), other_event("member_left_channel")),
    Case(("event", "user_change"), _user_changed),
    Case(("event", "channel_archive"), other_event("channel_archive")),
    Case(("event", "group_archive"), other_event("group_archive")),
    Case(("event", "channel_rename"), _renamed("channel_rename")),
    Case(("event", "group_rename"), _renamed("group_rename")),
]
