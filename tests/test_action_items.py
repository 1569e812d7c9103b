"""Action items over signed requests, on both databases: add, list, settle, remind."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from fakeslack import block_problems, view_problems, view_submission
from tests.golden import assert_golden
from tests.harness import REPORTER, WAIT_S, Clock, Harness, start_harness
from tests.payloads import answer_text, mrkdwn_texts
from warroom.bolt.command_text import split_action_item
from warroom.demo.slack.driver import fill_view
from warroom.domain.action_item import ActionItem, Counts
from warroom.domain.incident import Incident
from warroom.domain.policy import BusinessHours
from warroom.policy_file import load_policy
from warroom.scheduler.tick import TickReport
from warroom.services.action_items import (
    after_working_days,
    next_working_day,
    overdue_at,
)
from warroom.slack.blocks.action_items import (
    ADD_ACTION,
    DONE_ACTION,
    PAGE_ACTION,
    WONT_DO_ACTION,
    ItemRef,
    WontDoOrigin,
    add_block,
    add_modal,
    item_list,
    overdue_to_owner,
    wont_do_modal,
)
from warroom.store import action_items
from warroom.store.models import ActionItemRow, DueJobRow

ALICE, BOB, CAROL = "UALICE0001", "UBOB000001", "UCAROL0001"
POLICY = load_policy()
HOURS = POLICY.business_hours
MY_JOBS = {"action_item_overdue", "action_item_escalate", "postmortem_open"}

Json = dict[str, Any]


# -- driving Slack -------------------------------------------------------------------


async def act(harness: Harness, incident: Incident, text: str, user: str = REPORTER) -> Json:
    """`/incident <text>` in the war room; the synchronous (ephemeral) answer."""
    status, body = await harness.command(text, user=user, channel=incident.channel_id)
    assert status == 200
    await harness.settle()
    answer: Json = json.loads(body)
    assert answer.get("response_type", "ephemeral") == "ephemeral"
    assert block_problems(answer.get("blocks", []), surface="message") == []
    return answer


async def items_of(harness: Harness, incident: Incident) -> list[ActionItemRow]:
    async with harness.runtime.store.transaction() as session:
        rows = await session.execute(
            select(ActionItemRow)
            .where(ActionItemRow.incident_id == incident.id)
            .order_by(ActionItemRow.id)
        )
        return list(rows.scalars())


async def fresh(harness: Harness, incident: Incident) -> Incident:
    (found,) = [i for i in await harness.incidents() if i.id == incident.id]
    return found


async def resolve(harness: Harness, incident: Incident, resolution: str) -> None:
    """Resolve from the card's button and modal, as a responder would."""
    before = len(harness.slack.calls_to("views.open"))
    assert await harness.press(incident, "resolve_open") == (200, "")
    view, view_id = await opened_view(harness, before)
    assert await submit(harness, view, view_id, {"resolution": resolution}) == (200, "")


def buttons(message: Json) -> list[Json]:
    return [
        element
        for block in message.get("blocks", [])
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def button(message: Json, action_id: str, item_id: int | None = None) -> Json:
    for element in buttons(message):
        if element["action_id"] != action_id:
            continue
        if item_id is None or element["value"].split(":")[0] == str(item_id):
            return element
    raise AssertionError(f"no {action_id} for item {item_id} in {json.dumps(message)[:500]}")


def fill(view: Json, answers: dict[str, Any]) -> Json:
    """fill_view, plus the date picker it does not know."""
    values: Json = {}
    others = []
    for block in view["blocks"]:
        element = block.get("element") or {}
        if element.get("type") == "datepicker":
            picked = answers.get(block["block_id"]) or element.get("initial_date")
            values[block["block_id"]] = {
                element["action_id"]: {"type": "datepicker", "selected_date": picked}
            }
        else:
            others.append(block)
    values.update(fill_view({**view, "blocks": others}, answers))
    return values


async def click(
    harness: Harness, incident: Incident, element: Json, user: str = REPORTER
) -> tuple[int, str]:
    result = await harness.click(
        element["action_id"], element["value"], user=user, channel_id=incident.channel_id
    )
    await harness.settle()
    return result


async def opened_view(harness: Harness, before: int) -> tuple[Json, str]:
    calls = await harness.slack.wait_for("views.open", count=before + 1, timeout=WAIT_S)
    call = calls[before]
    assert call.response.get("ok"), call.response
    view: Json = call.args["view"]
    assert view_problems(view) == []
    return view, call.response["view"]["id"]


async def submit(
    harness: Harness, view: Json, view_id: str, answers: dict[str, Any], user: str = REPORTER
) -> tuple[int, str]:
    body, kind = view_submission(
        view["callback_id"],
        fill(view, answers),
        user_id=user,
        private_metadata=view["private_metadata"],
        view_id=view_id,
    )
    result = await harness.post(body, kind)
    await harness.settle()
    return result


def dms(harness: Harness, user: str, mark: str = "") -> list[str]:
    channel = harness.slack.dm_channel(user)
    if channel is None:
        return []
    return [m["text"] for m in harness.slack.messages(channel) if mark in m["text"]]


async def reminder_entries(harness: Harness, incident: Incident) -> list[Json]:
    return [
        {"job": e.data.get("job"), "to": e.data.get("to"), "item": e.data.get("item")}
        for e in await harness.timeline(incident.id)
        if e.kind == "reminder" and e.data.get("job") in MY_JOBS
    ]


def today(harness: Harness) -> date:
    return harness.clock().astimezone(UTC).date()


async def tick_until(harness: Harness, moment: datetime) -> TickReport:
    return await harness.tick(seconds=(moment - harness.clock()).total_seconds())


# -- adding by command ---------------------------------------------------------------


async def test_action_with_owner_and_due_date_is_stored_announced_and_owner_told(
    harness: Harness,
) -> None:
    incident = await harness.declare()
    due = today(harness) + timedelta(days=3)
    answer = await act(
        harness,
        incident,
        f"action Alert on 5xx &lt;p99&gt; &amp; <!here> <@{ALICE}|alice> due {due}",
    )
    assert "Action item added to *INC-1*" in answer["text"]
    assert f"<@{ALICE}>" in answer["text"] and f"due {due}" in answer["text"]
    (row,) = await items_of(harness, incident)
    assert (row.text, row.owner_id, row.due_on, row.state) == (
        "Alert on 5xx <p99> & @here",
        ALICE,
        due,
        "open",
    )
    assert row.created_by == REPORTER and row.created_at == harness.clock()
    line = harness.slack.messages(incident.channel_id or "")[-1]
    assert "added an action item" in line["text"] and f"<@{ALICE}>" in line["text"]
    assert "&lt;p99&gt; &amp; @here" in line["text"] and "<!here>" not in json.dumps(line)
    # Alice is not in the war room, so the ephemeral note falls back to a DM.
    (notice,) = dms(harness, ALICE)
    assert "gave you an action item" in notice and "INC-1" in notice
    dm = harness.slack.messages(harness.slack.dm_channel(ALICE) or "")[-1]
    assert [b["action_id"] for b in buttons(dm)] == [DONE_ACTION, WONT_DO_ACTION]
    async with harness.runtime.store.transaction() as session:
        (job,) = (
            await session.execute(select(DueJobRow).where(DueJobRow.kind == "action_item_overdue"))
        ).scalars()
    assert job.payload == {"item": row.id} and job.due_at == overdue_at(HOURS, due)


async def test_owner_in_the_room_is_told_ephemerally_there(harness: Harness) -> None:
    incident = await harness.declare(responders=[CAROL])
    await act(harness, incident, f"action Rotate the keys <@{CAROL}|carol>")
    (whisper,) = [
        e for e in harness.slack.ephemerals(incident.channel_id or "") if e["to"] == CAROL
    ]
    assert "gave you an action item" in whisper["message"]["text"]
    assert dms(harness, CAROL) == []


async def test_a_leading_mention_names_the_owner(harness: Harness) -> None:
    incident = await harness.declare(responders=[CAROL])
    answer = await act(harness, incident, f"action <@{CAROL}|carol> add an alert on p99")
    (row,) = await items_of(harness, incident)
    assert (row.text, row.owner_id) == ("add an alert on p99", CAROL)
    assert f"<@{CAROL}>" in answer["text"]


async def test_owner_slack_will_not_reach_is_reported_to_the_creator(harness: Harness) -> None:
    incident = await harness.declare(responders=[CAROL])
    harness.slack.fail("chat.postEphemeral", "restricted_action")
    await act(harness, incident, f"action Rotate the keys <@{CAROL}|carol>")
    assert len(await items_of(harness, incident)) == 1
    told = harness.told()[-1]["text"]
    assert f"couldn't tell <@{CAROL}>" in told and "`restricted_action`" in told
    assert "added an action item" in harness.slack.messages(incident.channel_id or "")[-1]["text"]


async def test_defaults_no_owner_and_due_from_the_policy(harness: Harness) -> None:
    incident = await harness.declare()
    answer = await act(harness, incident, "action Write the failover runbook")
    (row,) = await items_of(harness, incident)
    expected = today(harness) + POLICY.action_item_due_after
    assert (row.owner_id, row.due_on) == (None, expected)
    assert "no owner" in answer["text"] and f"due {expected}" in answer["text"]
    # A mention inside the text stays text; only a trailing one names the owner.
    await act(harness, incident, f"action Ask <@{BOB}|bob> about quotas due {expected}")
    assert (await items_of(harness, incident))[-1].text == "Ask @bob about quotas"
    assert (await items_of(harness, incident))[-1].owner_id is None


@pytest.mark.parametrize("typed", ["2030-13-01", "5/1", "20300101", "2030-1-5"])
async def test_malformed_due_date_says_the_format(harness: Harness, typed: str) -> None:
    incident = await harness.declare()
    answer = await act(harness, incident, f"action Add alert due {typed}")
    assert "YYYY-MM-DD" in answer["text"] and typed in answer["text"]
    assert await items_of(harness, incident) == []


async def test_past_due_date_is_refused(harness: Harness) -> None:
    incident = await harness.declare()
    yesterday = today(harness) - timedelta(days=1)
    answer = await act(harness, incident, f"action Add alert <@{ALICE}> due {yesterday}")
    assert "has passed" in answer["text"] and "YYYY-MM-DD" in answer["text"]
    assert await items_of(harness, incident) == []
    assert dms(harness, ALICE) == []
    await act(harness, incident, f"action Add alert due {today(harness)}")
    assert len(await items_of(harness, incident)) == 1


@pytest.mark.parametrize("text", ["action", "action   ", f"action <@{ALICE}|alice> due 2030-01-01"])
async def test_no_text_shows_usage(harness: Harness, text: str) -> None:
    incident = await harness.declare()
    answer = await act(harness, incident, text)
    assert "/incident action &lt;text&gt; [@owner] [due YYYY-MM-DD]" in answer["text"]
    assert await items_of(harness, incident) == []


async def test_action_outside_a_war_room_points_to_one(harness: Harness) -> None:
    await harness.declare()
    _, body = await harness.command("action Add alert")
    assert "war-room channel" in answer_text(body)


# -- the modal -----------------------------------------------------------------------


async def test_add_button_opens_a_prefilled_modal_that_adds_the_item(harness: Harness) -> None:
    incident = await harness.declare()
    assert add_block(incident.id)["elements"][0]["action_id"] == ADD_ACTION
    before = len(harness.slack.calls_to("views.open"))
    await harness.click(ADD_ACTION, str(incident.id), channel_id=incident.channel_id)
    view, view_id = await opened_view(harness, before)
    default = today(harness) + POLICY.action_item_due_after
    due_block = next(b for b in view["blocks"] if b.get("block_id") == "due")
    assert due_block["element"]["initial_date"] == default.isoformat()

    status, body = await submit(harness, view, view_id, {"text": "  ", "owner": ALICE})
    assert status == 200 and set(json.loads(body)["errors"]) == {"text"}
    past = (today(harness) - timedelta(days=2)).isoformat()
    status, body = await submit(harness, view, view_id, {"text": "Add alert", "due": past})
    assert set(json.loads(body)["errors"]) == {"due"}
    assert await items_of(harness, incident) == []

    status, body = await submit(harness, view, view_id, {"text": "Add <alert>", "owner": ALICE})
    assert (status, body) == (200, "")
    (row,) = await items_of(harness, incident)
    assert (row.text, row.owner_id, row.due_on) == ("Add <alert>", ALICE, default)
    assert "gave you an action item" in dms(harness, ALICE)[-1]
    assert "Add &lt;alert&gt;" in harness.slack.messages(incident.channel_id or "")[-1]["text"]


async def test_add_button_on_a_closed_incident_explains(harness: Harness) -> None:
    incident = await harness.declare()
    await resolve(harness, incident, "Fixed")
    await harness.tick()  # the postmortem draft, which closing needs
    assert await harness.command("close", channel=incident.channel_id) == (200, "")
    await harness.settle()
    before = len(harness.slack.calls_to("views.open"))
    await harness.click(ADD_ACTION, str(incident.id), channel_id=incident.channel_id)
    await harness.settle()
    assert len(harness.slack.calls_to("views.open")) == before
    assert "is closed" in harness.told()[-1]["text"]
    answer = await act(harness, incident, "action Add alert")
    assert "is closed" in answer["text"] and await items_of(harness, incident) == []


# -- listing and settling ------------------------------------------------------------


async def test_list_done_wont_do_then_close(harness: Harness) -> None:
    incident = await harness.declare()
    await harness.press(incident, "role_take:commander", user=BOB)  # others' items: the IC
    await act(harness, incident, f"action Add an alert <@{ALICE}>")
    await act(harness, incident, "action Load-test the pool")
    first, second = await items_of(harness, incident)
    await resolve(harness, incident, "Rolled back")
    await harness.tick()  # the postmortem draft, which closing needs
    _, body = await harness.command("close", channel=incident.channel_id)
    assert "2 open action item(s)" in answer_text(body)

    listing = await act(harness, incident, "actions")
    assert "2 open, 0 done, 0 won't do" in listing["text"]
    texts = "\n".join(mrkdwn_texts(listing["blocks"]))
    assert "Add an alert" in texts and f"<@{ALICE}>" in texts and "no owner" in texts
    assert len([b for b in buttons(listing) if b["action_id"] == DONE_ACTION]) == 2

    harness.clock.advance(minutes=5)
    await click(harness, incident, button(listing, DONE_ACTION, first.id), user=BOB)
    redrawn = harness.told()[-1]
    assert redrawn["replace_original"] is True
    assert "1 open, 1 done, 0 won't do" in redrawn["text"]
    assert f"done by <@{BOB}>" in "\n".join(mrkdwn_texts(redrawn["blocks"]))
    assert block_problems(redrawn["blocks"], surface="message") == []
    done = (await items_of(harness, incident))[0]
    assert (done.state, done.closed_by, done.closed_at) == ("done", BOB, harness.clock())
    assert (
        f"<@{BOB}> marked an action item done"
        in harness.slack.messages(incident.channel_id or "")[-1]["text"]
    )

    before = len(harness.slack.calls_to("views.open"))
    wont = button(redrawn, WONT_DO_ACTION, second.id)
    await click(harness, incident, wont)
    view, view_id = await opened_view(harness, before)
    status, body = await submit(harness, view, view_id, {"reason": "   "})
    assert json.loads(body)["errors"] == {"reason": "Say why it won't be done."}
    assert (await items_of(harness, incident))[1].state == "open"
    status, body = await submit(harness, view, view_id, {"reason": "Covered by <#C1> SLO alert"})
    assert (status, body) == (200, "")
    declined = (await items_of(harness, incident))[1]
    assert (declined.state, declined.reason) == ("wont_do", "Covered by <#C1> SLO alert")
    final = harness.told()[-1]
    assert final["replace_original"] is True and "0 open, 1 done, 1 won't do" in final["text"]
    assert "Covered by &lt;#C1&gt; SLO alert" in "\n".join(mrkdwn_texts(final["blocks"]))
    assert DONE_ACTION not in [b["action_id"] for b in buttons(final)]

    # A second click on a stale list changes nothing and says so.
    await click(harness, incident, button(listing, DONE_ACTION, second.id))
    assert (await items_of(harness, incident))[1].state == "wont_do"
    assert "already marked won't do" in json.dumps(harness.told()[-1])

    assert await harness.command("close", channel=incident.channel_id) == (200, "")
    await harness.settle()
    assert (await fresh(harness, incident)).status == "closed"


async def test_done_from_the_owners_notice_replaces_it(harness: Harness) -> None:
    incident = await harness.declare()
    await act(harness, incident, f"action Add an alert <@{ALICE}>")
    notice = harness.slack.messages(harness.slack.dm_channel(ALICE) or "")[-1]
    await click(harness, incident, button(notice, DONE_ACTION), user=ALICE)
    replaced = harness.told()[-1]
    assert replaced["replace_original"] is True
    assert replaced["text"].startswith(f"Marked done by <@{ALICE}>")
    assert (await items_of(harness, incident))[0].state == "done"


async def test_sixty_items_page_within_slacks_limits(harness: Harness) -> None:
    incident = await harness.declare()
    async with harness.runtime.store.transaction() as session:
        for n in range(60):
            item = await action_items.add(
                session,
                incident_id=incident.id,
                text=f"Item {n:02d} " + "x" * 900,
                owner_id=ALICE if n % 2 else None,
                due_on=today(harness) + timedelta(days=n),
                created_by=REPORTER,
                now=harness.clock(),
            )
            if n % 3 == 0:
                await action_items.close(session, item.id, state="done", by=BOB, at=harness.clock())
    listing = await act(harness, incident, "actions")
    seen: list[str] = []

    def check(page: Json, first: int, last: int) -> None:
        assert len(page["blocks"]) <= 50
        assert block_problems(page["blocks"], surface="message") == []
        texts = "\n".join(mrkdwn_texts(page["blocks"]))
        assert f"Showing {first} to {last} of 60." in texts
        assert "40 open, 20 done, 0 won't do" in texts
        seen.extend(re.findall(r"Item (\d\d) ", texts))

    check(listing, 1, 20)
    assert [b["action_id"] for b in buttons(listing)][-2:] == [ADD_ACTION, f"{PAGE_ACTION}:next"]
    page = listing
    for first in (21, 41):
        await click(harness, incident, button(page, f"{PAGE_ACTION}:next"))
        page = harness.told()[-1]
        assert page["replace_original"] is True
        check(page, first, first + 19)
    assert f"{PAGE_ACTION}:next" not in [b["action_id"] for b in buttons(page)]
    assert f"{PAGE_ACTION}:prev" in [b["action_id"] for b in buttons(page)]
    # Open items (soonest due first) come before done ones; every item shows once.
    assert len(seen) == 60 and len(set(seen)) == 60
    opened = [n for n in range(60) if n % 3]
    assert seen[:40] == [f"{n:02d}" for n in opened]


# -- reminders -----------------------------------------------------------------------


async def test_overdue_item_reminds_its_owner_then_the_commander(harness: Harness) -> None:
    incident = await harness.declare()
    await harness.press(incident, "role_take:commander", user=BOB)
    due = today(harness) + timedelta(days=1)
    await act(harness, incident, f"action Add an alert <@{ALICE}> due {due}")
    (item,) = await items_of(harness, incident)
    owner_at = overdue_at(HOURS, due)
    assert owner_at.date() > due and owner_at.hour == 9 and owner_at.weekday() < 5

    await tick_until(harness, owner_at - timedelta(minutes=1))
    assert dms(harness, ALICE, "⏰") == [] and await reminder_entries(harness, incident) == []
    await tick_until(harness, owner_at)
    (reminder,) = dms(harness, ALICE, "⏰")
    assert f"was due {due}" in reminder and "Add an alert" in reminder
    dm = harness.slack.messages(harness.slack.dm_channel(ALICE) or "")[-1]
    assert button(dm, DONE_ACTION)["value"] == ItemRef(item.id).encode()
    assert await reminder_entries(harness, incident) == [
        {"job": "action_item_overdue", "to": ALICE, "item": item.id}
    ]

    commander_at = next_working_day(HOURS, owner_at)
    await tick_until(harness, commander_at - timedelta(minutes=1))
    assert dms(harness, BOB, "⏰") == []
    await tick_until(harness, commander_at)
    (escalated,) = dms(harness, BOB, "⏰")
    assert "As IC of *INC-1*" in escalated and f"owned by <@{ALICE}>" in escalated
    assert (await reminder_entries(harness, incident))[-1] == {
        "job": "action_item_escalate",
        "to": BOB,
        "item": item.id,
    }
    await harness.tick(days=10)
    assert len(dms(harness, ALICE, "⏰")) == 1 and len(dms(harness, BOB, "⏰")) == 1


async def test_unowned_overdue_item_goes_to_the_reporter_without_an_ic(harness: Harness) -> None:
    incident = await harness.declare(severity="SEV4")
    due = today(harness)
    await act(harness, incident, f"action Write it down due {due}")
    await harness.tick(days=10)
    (reminder,) = dms(harness, REPORTER, "⏰")
    assert "with no owner" in reminder
    assert [e["job"] for e in await reminder_entries(harness, incident)] == ["action_item_overdue"]


async def test_settled_items_are_skipped_when_their_reminder_falls_due(harness: Harness) -> None:
    incident = await harness.declare(severity="SEV4")
    due = today(harness) + timedelta(days=1)
    await act(harness, incident, f"action Add an alert <@{ALICE}> due {due}")
    await act(harness, incident, f"action Remove the flag <@{ALICE}> due {due}")
    listing = await act(harness, incident, "actions")
    first, second = await items_of(harness, incident)
    await click(harness, incident, button(listing, DONE_ACTION, first.id))
    before = len(harness.slack.calls_to("views.open"))
    await click(harness, incident, button(listing, WONT_DO_ACTION, second.id))
    view, view_id = await opened_view(harness, before)
    await submit(harness, view, view_id, {"reason": "Flag is gone already"})
    report = await tick_until(harness, overdue_at(HOURS, due))
    assert report.done == 2 and report.failed == 0
    assert dms(harness, ALICE, "⏰") == [] and await reminder_entries(harness, incident) == []
    await harness.tick(days=10)
    assert dms(harness, ALICE, "⏰") == []


@pytest.mark.both_databases
async def test_postmortem_open_reminds_the_commander(harness: Harness) -> None:
    incident = await harness.declare()
    await harness.press(incident, "role_take:commander", user=BOB)
    await act(harness, incident, f"action Add an alert <@{ALICE}> due 2099-01-01")
    await resolve(harness, incident, "Rolled back")
    resolved = await fresh(harness, incident)
    assert resolved.resolved_at is not None
    due = after_working_days(HOURS, resolved.resolved_at, 5)  # planned by the resolve itself
    await tick_until(harness, due - timedelta(minutes=1))
    assert dms(harness, BOB, "📝") == []
    await tick_until(harness, due)
    (reminder,) = dms(harness, BOB, "📝")
    assert "still open, 5 working days after it was resolved" in reminder
    assert "1 action item(s) are still open" in reminder
    assert "*Complete postmortem & close*" in reminder
    assert (await reminder_entries(harness, incident))[-1] == {
        "job": "postmortem_open",
        "to": BOB,
        "item": None,
    }

    await tick_until(harness, due + timedelta(days=7))
    _, again = dms(harness, BOB, "📝")
    days = (harness.clock() - resolved.resolved_at).days
    assert f"still open, {days} days after it was resolved" in again
    await harness.tick()
    items = await items_of(harness, incident)
    async with harness.runtime.store.transaction() as session:
        for item in items:
            await action_items.close(session, item.id, state="done", by=BOB, at=harness.clock())
    assert await harness.command("close", channel=incident.channel_id) == (200, "")
    await harness.settle()
    notice = harness.slack.messages(harness.broadcast_channel)[-1]["text"]
    assert "*INC-1* SEV2 postmortem complete, closed" in notice
    await harness.tick(days=30)
    assert len(dms(harness, BOB, "📝")) == 2


async def test_postmortem_reminder_is_skipped_once_closed_or_reopened(harness: Harness) -> None:
    closed = await harness.declare(title="Closed one")
    reopened = await harness.declare(title="Reopened one")
    for incident in (closed, reopened):
        await resolve(harness, incident, "Fixed")
    await harness.tick()  # the postmortem drafts, which closing needs
    assert await harness.command("close", channel=closed.channel_id) == (200, "")
    assert await harness.command("reopen", channel=reopened.channel_id) == (200, "")
    await harness.settle()
    await harness.tick(days=10)
    assert dms(harness, REPORTER, "📝") == []
    for incident in (closed, reopened):
        assert await reminder_entries(harness, incident) == []


# -- pure pieces ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rest", "expected"),
    [
        ("Add alert <@U1|alice> due 2030-05-01", ("Add alert", "U1", "2030-05-01")),
        ("Add alert due 2030-05-01 <@U1>", ("Add alert", "U1", "2030-05-01")),
        ("Fix <@U2|bob> thing", ("Fix <@U2|bob> thing", None, None)),
        ("Check what is due today", ("Check what is due today", None, None)),
        ("Add alert DUE: 5/1", ("Add alert", None, "5/1")),
        ("<@W1>", ("", "W1", None)),
        ("<@U2|bob> add an alert", ("add an alert", "U2", None)),
        ("<@U2|bob> add an alert due 2030-05-01", ("add an alert", "U2", "2030-05-01")),
        ("<@U2> ask <@U3> about it <@U4>", ("<@U2> ask <@U3> about it", "U4", None)),
    ],
)
def test_split_action_item(rest: str, expected: tuple[str, str | None, str | None]) -> None:
    assert split_action_item(rest) == expected


def test_reminder_times_follow_business_days() -> None:
    hours = BusinessHours("UTC", HOURS.start, HOURS.end, HOURS.weekdays)
    friday = date(2026, 11, 27)
    assert overdue_at(hours, friday) == datetime(2026, 11, 30, 9, tzinfo=UTC)  # Monday
    assert overdue_at(hours, date(2026, 11, 24)) == datetime(2026, 11, 25, 9, tzinfo=UTC)
    monday_9 = datetime(2026, 11, 30, 9, tzinfo=UTC)
    assert next_working_day(hours, monday_9) == datetime(2026, 12, 1, 9, tzinfo=UTC)
    friday_9 = datetime(2026, 11, 27, 9, tzinfo=UTC)
    assert next_working_day(hours, friday_9) == monday_9
    monday_15 = datetime(2026, 11, 23, 15, tzinfo=UTC)
    assert after_working_days(hours, monday_15, 5) == datetime(2026, 11, 30, 15, tzinfo=UTC)
    saturday = datetime(2026, 11, 28, 10, tzinfo=UTC)
    assert after_working_days(hours, saturday, 5) == datetime(2026, 12, 4, 10, tzinfo=UTC)
    friday_late = datetime(2026, 11, 27, 20, tzinfo=UTC)
    assert after_working_days(hours, friday_late, 5) == datetime(2026, 12, 7, 9, tzinfo=UTC)
    new_york = BusinessHours("America/New_York", HOURS.start, HOURS.end, HOURS.weekdays)
    assert overdue_at(new_york, friday) == datetime(2026, 11, 30, 14, tzinfo=UTC)


# -- goldens -------------------------------------------------------------------------

INCIDENT = Incident(
    id=41,
    team_id="T1",
    number=7,
    title="Checkout returns 500s <!channel>",
    impact="About 30% of EU checkouts fail",
    severity="SEV1",
    status="resolved",
    private=False,
    reporter_id="UREPORTER",
    declared_at=datetime(2026, 11, 23, 3, 4, 5, tzinfo=UTC),
    channel_id="CROOM",
)
CREATED = datetime(2026, 11, 23, 4, 0, tzinfo=UTC)


def golden_item(item_id: int, state: str = "open", **changes: Any) -> ActionItem:
    fields: dict[str, Any] = {
        "id": item_id,
        "incident_id": INCIDENT.id,
        "text": f"Alert on <5xx> & p99 #{item_id}",
        "owner_id": "UALICE",
        "due_on": date(2026, 12, 7),
        "state": state,
        "reason": None,
        "created_by": "UREPORTER",
        "created_at": CREATED,
        "closed_by": None,
        "closed_at": None,
    }
    fields.update(changes)
    return ActionItem(**fields)


def test_list_golden() -> None:
    closed_at = datetime(2026, 11, 30, 10, tzinfo=UTC)
    items = [
        golden_item(1, due_on=date(2026, 11, 30)),
        golden_item(2, owner_id=None),
        golden_item(3, "done", closed_by="UBOB", closed_at=closed_at),
        golden_item(4, "wont_do", closed_by="UBOB", closed_at=closed_at, reason="<!here> SLO"),
    ]
    zone = ZoneInfo("America/Los_Angeles")
    message = item_list(
        INCIDENT, items, Counts(2, 1, 1), offset=0, today=date(2026, 12, 1), zone=zone
    )
    assert block_problems(message.blocks, surface="message") == []
    assert "<!here>" not in json.dumps(message.blocks)
    assert "|2026-11-30 02:00 PST>" in json.dumps(message.blocks), "fallback in the org's zone"
    assert_golden("action_items_list", {"text": message.text, "blocks": message.blocks})


def test_modals_and_reminder_golden() -> None:
    add = add_modal(INCIDENT, default_due=date(2026, 12, 7))
    origin = WontDoOrigin(ItemRef(2, 20), "https://hooks.slack.com/actions/T1/1/x")
    wont = wont_do_modal(INCIDENT, golden_item(2), origin)
    reminder = overdue_to_owner(INCIDENT, golden_item(1))
    assert view_problems(add) == [] and view_problems(wont) == []
    assert WontDoOrigin.decode(wont["private_metadata"]) == origin
    assert block_problems(reminder.blocks, surface="message") == []
    assert_golden("action_items_add_modal", add)
    assert_golden("action_items_wont_do_modal", wont)
    assert_golden(
        "action_items_overdue_reminder", {"text": reminder.text, "blocks": reminder.blocks}
    )


async def test_a_date_typed_late_in_the_evening_is_the_typists_date(
    database_url: str,
) -> None:
    """22:00 in Los Angeles on 6 December is 06:00 UTC on the 7th: "6 December" is today
    for the person typing it, not a date that has passed."""
    evening = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
    async with start_harness(database_url, Clock(evening)) as harness:
        harness.slack.add_user(REPORTER, "rita", tz="America/Los_Angeles")
        harness.slack.add_user(CAROL, "carol", tz="UTC")
        incident = await harness.declare()
        answer = await act(harness, incident, "action Write the runbook due 2026-12-06")
        assert "Action item added to *INC-1*" in answer["text"]
        (row,) = await items_of(harness, incident)
        assert row.due_on == date(2026, 12, 6)
        late = await act(harness, incident, "action Check the alerts due 2026-12-06", user=CAROL)
        assert "2026-12-06 has passed where you are (today is 2026-12-07, UTC)" in late["text"]
        assert len(await items_of(harness, incident)) == 1
