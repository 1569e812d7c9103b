"""Replays: over-long user text over real signed HTTP, on SQLite and PostgreSQL.

Slack's clients stop people at a modal's `max_length`, but a crafted or older client's
submission is not stopped, and text that fits a form can still grow past a block's
limit once escaped (`&` → `&amp;`). Either way the text is shown cut with "…"; no
post, card update, topic or draft is refused because of it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from fakeslack import view_submission
from fakeslack.limits import block_problems
from tests.harness import REPORTER, WAIT_S, Harness
from warroom.demo.slack.driver import fill_view
from warroom.domain.declaration import TITLE_MAX
from warroom.domain.incident import Incident
from warroom.domain.status_update import UPDATE_TEXT_MAX
from warroom.slack.blocks.limits import ELLIPSIS

# Escapes to five times its length in mrkdwn, and reads like a real resolution.
PHRASE = "Rolled back deploy 812 & flushed <caches> && restarted >3 workers. "


def long_text(n: int) -> str:
    return (PHRASE * (n // len(PHRASE) + 1))[:n]


# What Slack answers when content breaks a limit (other refusals are not about length).
CONTENT_ERRORS = {
    "invalid_blocks",
    "invalid_arguments",
    "msg_too_long",
    "msg_blocks_too_long",
    "too_long",
    "view_too_large",
    "invalid_payload",
}


def refused_calls(harness: Harness, since: int) -> list[tuple[str, Any]]:
    """Calls since `since` that Slack refused over their content."""
    return [
        (c.method, c.response)
        for c in harness.slack.calls[since:]
        if not c.ok and c.response.get("error") in CONTENT_ERRORS
    ]


async def fresh(harness: Harness, incident: Incident) -> Incident:
    (found,) = [i for i in await harness.incidents() if i.id == incident.id]
    return found


async def submit_modal(
    harness: Harness, incident: Incident, action_id: str, answers: dict[str, Any]
) -> tuple[int, str]:
    """Open the modal behind a card button and send back `answers`, however long."""
    before = len(harness.slack.calls_to("views.open"))
    assert await harness.press(incident, action_id) == (200, "")
    call = (await harness.slack.wait_for("views.open", count=before + 1, timeout=WAIT_S))[before]
    view: dict[str, Any] = call.args["view"]
    body, kind = view_submission(
        view["callback_id"],
        fill_view(view, answers),
        user_id=REPORTER,
        private_metadata=view["private_metadata"],
        view_id=call.response["view"]["id"],
    )
    result = await harness.post(body, kind)
    await harness.settle()
    return result


@pytest.mark.parametrize("length", [3001, 10_000])
async def test_an_overlong_resolution_is_announced_shown_cut_and_drafted(
    harness: Harness, length: int
) -> None:
    incident = await harness.declare(severity="SEV1")
    since = len(harness.slack.calls)
    resolution, root_cause = long_text(length), long_text(length)
    answers = {"resolution": resolution, "root_cause": root_cause}
    assert await submit_modal(harness, incident, "resolve_open", answers) == (200, "")

    now = await fresh(harness, incident)
    assert now.resolved_at is not None and now.summary == resolution.strip()
    assert refused_calls(harness, since) == []
    card = harness.card(now)
    assert card["blocks"][0]["text"]["text"].startswith("✅ INC-1")
    (shown,) = [b for b in card["blocks"] if b.get("block_id") == "resolution"]
    assert ELLIPSIS in shown["text"]["text"] and "&amp;" in shown["text"]["text"]
    assert "resolved by" in harness.slack.messages(now.channel_id or "")[-1]["text"]
    notice = harness.slack.messages(harness.broadcast_channel)[-1]["text"]
    assert notice.startswith("✅ *INC-1* SEV1 resolved") and ELLIPSIS in notice

    since = len(harness.slack.calls)
    report = await harness.tick()
    assert report.done >= 1 and refused_calls(harness, since) == []
    drafts = [
        m
        for m in harness.slack.messages(now.channel_id or "")
        if m.get("text", "").startswith("Postmortem draft")
    ]
    assert len(drafts) == 1 and block_problems(drafts[0]["blocks"], surface="message") == []
    assert ELLIPSIS in json.dumps(drafts[0]["blocks"], ensure_ascii=False)


async def test_a_long_title_at_declare_is_cut_in_the_form_and_fits_everywhere(
    harness: Harness,
) -> None:
    since = len(harness.slack.calls)
    opened = await harness.open_declare(long_text(10_000))
    (title,) = [b for b in opened.view["blocks"] if b["block_id"] == "title"]
    prefilled = title["element"]["initial_value"]
    assert len(prefilled) <= TITLE_MAX and prefilled.endswith(ELLIPSIS)

    at_limit = ("DB &&<<>> " * 20)[:TITLE_MAX]  # grows to 3.5 times its length escaped
    incident = await harness.declare(title=at_limit, impact=long_text(2000))
    assert refused_calls(harness, since) == []
    card = harness.card(incident)
    assert card["blocks"][0]["text"]["text"] == f"🚨 INC-1: {at_limit.strip()}"
    channel = harness.slack.channel(incident.channel_id or "")
    assert channel is not None and 0 < len(channel.topic) <= 250
    assert channel.topic.endswith(ELLIPSIS)
    assert harness.slack.messages(harness.broadcast_channel)

    opened = await harness.open_declare()
    answers = {"title": long_text(10_000), "severity": "SEV2", "impact": "x"}
    status, body = await harness.submit(opened, answers)
    assert status == 200 and "title" in json.loads(body)["errors"]
    assert len(await harness.incidents()) == 1


async def test_a_long_status_update_reaches_every_audience(harness: Harness) -> None:
    incident = await harness.declare(severity="SEV1")
    since = len(harness.slack.calls)
    most = long_text(UPDATE_TEXT_MAX)
    answers = {"happening": most, "impact": most, "doing": most}
    assert await submit_modal(harness, incident, "update_open", answers) == (200, "")

    now = await fresh(harness, incident)
    assert now.last_update_at == harness.clock()
    assert refused_calls(harness, since) == []
    full = harness.slack.messages(now.channel_id or "")[-1]
    assert "What is happening" in full["text"]
    assert block_problems(full["blocks"], surface="message") == []
    (stakeholder,) = harness.slack.messages(harness.stakeholder_channel)
    assert ELLIPSIS in stakeholder["text"]
    announced = harness.slack.message(harness.broadcast_channel, now.announcement_ts or "")
    assert announced is not None and "*Latest:*" in json.dumps(announced)

    since = len(harness.slack.calls)
    huge = {"happening": long_text(10_000), "impact": "x", "doing": "y"}
    status, body = await submit_modal(harness, incident, "update_open", huge)
    assert status == 200 and "happening" in json.loads(body)["errors"]
    assert refused_calls(harness, since) == []
