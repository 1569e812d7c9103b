"""Whatever people type into Warroom's modals: never a 5xx, never refused by Slack,
never a mention, broadcast or link. One harness (per database) serves every example.

Typed text comes back either as an incident/update/resolution shown safely
everywhere, or as a clear per-field error in the modal. A submission too big for
any body Slack sends (three 100 kB fields, past the 2 MiB cap) is refused whole
with 413 and changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from hypothesis import example, given
from hypothesis import strategies as st

from tests.faults.hostile import (
    PROPERTY_SETTINGS,
    TOO_BIG,
    Outbox,
    fill_text_inputs,
    hostile_text,
    open_room,
)
from tests.harness import REPORTER, WAIT_S, Harness, OpenedView
from warroom.demo.slack.driver import fill_view
from warroom.domain.declaration import validate_declaration
from warroom.domain.incident import Incident
from warroom.slack.blocks.declare_modal import parse_declare_submission
from warroom.web.bounded_body import MAX_BODY_BYTES


async def _submit(harness: Harness, opened: OpenedView, answers: dict[str, Any]) -> tuple[int, str]:
    """Submit the form; a body past the cap must be refused whole, and is answered TOO_BIG."""
    body, content_type = harness.submission(opened, answers)
    status, text = await harness.post(body, content_type)
    if len(body) > MAX_BODY_BYTES:
        assert (status, text) == TOO_BIG
    else:
        assert status == 200, text
    return status, text


async def _open_from_card(harness: Harness, incident: Incident, action_id: str) -> OpenedView:
    before = len(harness.slack.calls_to("views.open"))
    assert await harness.press(incident, action_id) == (200, "")
    call = (await harness.slack.wait_for("views.open", count=before + 1, timeout=WAIT_S))[before]
    assert call.ok, call.response
    return OpenedView(call.args["view"], call.response["view"]["id"], call.response["view"]["hash"])


def _field_errors(body: str, fields: set[str]) -> dict[str, str]:
    """A modal answer that refuses the input must name the fields and say why."""
    answer = json.loads(body)
    assert answer["response_action"] == "errors", answer
    errors: dict[str, str] = answer["errors"]
    assert errors and set(errors) <= fields, errors
    assert all(len(why) > 10 for why in errors.values()), errors
    return errors


@PROPERTY_SETTINGS
@given(
    command_title=hostile_text(),
    title=hostile_text(),
    impact=hostile_text(),
    private=st.booleans(),
)
@example(command_title="<!channel>", title="NUL", impact="\x00", private=False)
async def test_declare_modal_takes_any_text_safely(
    harness: Harness, command_title: str, title: str, impact: str, private: bool
) -> None:
    outbox = Outbox(harness)
    before = len(harness.slack.calls_to("views.open"))
    outbox.answered(*await harness.command(f"declare {command_title}"))
    call = (await harness.slack.wait_for("views.open", count=before + 1, timeout=WAIT_S))[before]
    assert call.ok, call.response
    opened = OpenedView(
        call.args["view"], call.response["view"]["id"], call.response["view"]["hash"]
    )
    answers = fill_text_inputs(opened.view, {"title": title, "impact": impact})
    answers["private"] = ["private"] if private else []
    count = len(await harness.incidents())
    body = (await _submit(harness, opened, answers))[1]
    offered = json.loads(body) if body.startswith("{") else {}
    if offered.get("response_action") == "update":  # like an earlier example: declare anyway
        again = replace(opened, view=offered["view"], view_hash=f"{opened.view_hash}.1")
        body = (await _submit(harness, again, answers))[1]
    if body == TOO_BIG[1]:
        await harness.settle()
        assert len(await harness.incidents()) == count
        return
    expected = validate_declaration(
        parse_declare_submission({"state": {"values": fill_view(opened.view, answers)}})[0],
        harness.runtime.policy,
        harness.clock(),
    )
    if body:
        assert _field_errors(body, {"title", "impact"}) == expected
        assert len(await harness.incidents()) == count
    else:
        assert not isinstance(expected, dict), expected
        await harness.settle()
        incidents = await harness.incidents()
        assert len(incidents) == count + 1
        assert incidents[-1].channel_id, incidents[-1]
        told = harness.told()[-1]
        assert told.get("text"), told
    await outbox.check()


@PROPERTY_SETTINGS
@given(happening=hostile_text(), impact=hostile_text(), doing=hostile_text())
async def test_status_update_modal_takes_any_text_safely(
    harness: Harness, happening: str, impact: str, doing: str
) -> None:
    incident = await open_room(harness)
    outbox = Outbox(harness)
    opened = await _open_from_card(harness, incident, "update_open")
    texts = {"happening": happening, "impact": impact, "doing": doing}
    _, body = await _submit(harness, opened, fill_text_inputs(opened.view, texts))
    if body == TOO_BIG[1]:
        await outbox.check()
        return
    if body:
        _field_errors(body, set(texts) | {"next_update", "status"})
    else:
        await harness.settle()
        assert harness.slack.calls_to("chat.postMessage")[-1].args["channel"] in {
            incident.channel_id,
            harness.stakeholder_channel,
            harness.broadcast_channel,
        }
    await outbox.check()


@PROPERTY_SETTINGS
@given(title=hostile_text(), resolution=hostile_text(), root_cause=hostile_text())
async def test_resolve_modal_and_postmortem_take_any_text_safely(
    harness: Harness, title: str, resolution: str, root_cause: str
) -> None:
    incident = await harness.declare(title=f"Resolve me {len(await harness.incidents())}")
    outbox = Outbox(harness)
    note = f"note {title}"
    outbox.answered(*await harness.command(note, channel=incident.channel_id))
    opened = await _open_from_card(harness, incident, "resolve_open")
    texts = {"resolution": resolution, "root_cause": root_cause}
    _, body = await _submit(harness, opened, fill_text_inputs(opened.view, texts))
    if body == TOO_BIG[1]:
        await outbox.check()
        return
    if body:
        _field_errors(body, set(texts))
    else:
        uploads = len(harness.slack.calls_to("files.completeUploadExternal"))
        await harness.tick(hours=2)
        assert len(harness.slack.calls_to("files.completeUploadExternal")) == uploads + 1
    await outbox.check()


def _action_item_answers(view: dict[str, Any], text: str) -> dict[str, Any]:
    return {**fill_text_inputs(view, {"text": text}), "owner": REPORTER}


@PROPERTY_SETTINGS
@given(text=hostile_text(), reason=hostile_text())
async def test_action_item_modals_take_any_text_safely(
    harness: Harness, text: str, reason: str
) -> None:
    incident = await open_room(harness)
    outbox = Outbox(harness)
    outbox.answered(*await harness.command("actions", channel=incident.channel_id))
    listing = json.loads(outbox.answers[-1])
    add = next(
        e
        for b in listing["blocks"]
        for e in ([b["accessory"]] if "accessory" in b else b.get("elements", []))
        if e.get("action_id", "").startswith("action_item_add")
    )
    before = len(harness.slack.calls_to("views.open"))
    await harness.click(add["action_id"], add.get("value", ""), channel_id=incident.channel_id)
    call = (await harness.slack.wait_for("views.open", count=before + 1, timeout=WAIT_S))[before]
    opened = OpenedView(
        call.args["view"], call.response["view"]["id"], call.response["view"]["hash"]
    )
    _, body = await _submit(harness, opened, _action_item_answers(opened.view, text))
    if body and body != TOO_BIG[1]:
        _field_errors(body, {"text", "owner", "due"})
    await outbox.check()
