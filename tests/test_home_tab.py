"""The App Home tab over signed requests: app_home_opened publishes the right person's
Home (`views.publish`, as the stand-in received it), a private incident only on its
members' Homes, Done pressed on the Home settles the item and republishes the Home
(there is no response_url to redraw), and Declare incident opens the declare form."""

from __future__ import annotations

import json
from typing import Any

from fakeslack import block_actions, event_callback, view_problems
from tests.harness import REPORTER, TEAM_ID, WAIT_S, Harness, OpenedView
from warroom.domain.action_item import DONE, WONT_DO
from warroom.slack.blocks.action_item_parts import DONE_ACTION, WONT_DO_ACTION
from warroom.slack.blocks.declare_modal import CALLBACK_ID as DECLARE_CALLBACK_ID
from warroom.slack.blocks.home import DECLARE_ACTION

OUTSIDER = "UOUTSIDER1"

Json = dict[str, Any]


async def open_home(harness: Harness, user: str, *, tab: str = "home") -> Json | None:
    """`user` opens Warroom's `tab`; the Home Slack was then given for them, if any."""
    before = len(harness.slack.calls_to("views.publish"))
    event = {
        "type": "app_home_opened",
        "user": user,
        "channel": "D0HOME0001",
        "tab": tab,
        "view": {"id": "V0OLDHOME1", "team_id": TEAM_ID, "type": "home"},
    }
    status, _ = await harness.post(*event_callback(event, team_id=TEAM_ID))
    assert status == 200
    await harness.settle()
    published = harness.slack.calls_to("views.publish")[before:]
    if not published:
        return None
    (call,) = published
    assert call.response.get("ok"), call.response
    assert call.args["user_id"] == user
    return {**call.args["view"], "id": call.response["view"]["id"]}


def shown(view: Json) -> str:
    return json.dumps(view, ensure_ascii=False)


def button(view: Json, action_id: str, *, text: str | None = None) -> tuple[str, str]:
    """(block_id, value) of the `action_id` button, in the actions block after `text`."""
    after = text is None
    for block in view["blocks"]:
        if text is not None and text in shown(block):
            after = True
        if after and block["type"] == "actions":
            for element in block["elements"]:
                if element["action_id"] == action_id:
                    return block.get("block_id", "b"), element.get("value", "")
    raise AssertionError(f"no {action_id} on the Home")


async def press_on_home(harness: Harness, view: Json, action_id: str, **find: Any) -> None:
    block_id, value = button(view, action_id, **find)
    body, content_type = block_actions(
        action_id, value, user_id=REPORTER, team_id=TEAM_ID, block_id=block_id, view=view
    )
    status, _ = await harness.post(body, content_type)
    assert status == 200
    await harness.settle()


async def test_opening_the_home_publishes_what_that_person_may_see(harness: Harness) -> None:
    public = await harness.declare(title="Checkout returns 500s", severity="SEV2")
    secret = await harness.declare(title="Merger data room leak", private=["private"])
    assert public.channel_id and secret.channel_id

    mine = await open_home(harness, REPORTER)
    assert mine is not None and mine["type"] == "home"
    assert view_problems(mine) == []
    assert f"<#{public.channel_id}>" in shown(mine) and f"<#{secret.channel_id}>" in shown(mine)
    assert "*Open incidents* (2)" in shown(mine)

    theirs = await open_home(harness, OUTSIDER)
    assert theirs is not None
    assert f"<#{public.channel_id}>" in shown(theirs) and "Checkout returns 500s" in shown(theirs)
    assert "Merger" not in shown(theirs) and secret.channel_id not in shown(theirs)
    assert "*Open incidents* (1)" in shown(theirs)

    assert await open_home(harness, OUTSIDER, tab="messages") is None


async def test_done_on_the_home_settles_the_item_and_republishes_the_home(
    harness: Harness,
) -> None:
    incident = await harness.declare(title="Checkout returns 500s")
    added = await harness.runtime.action_items.add(
        incident.id,
        text="Alert on checkout errors",
        owner_id=REPORTER,
        due_on=harness.runtime.action_items.default_due(),
        by=REPORTER,
    )
    home = await open_home(harness, REPORTER)
    assert home is not None and "Alert on checkout errors" in shown(home)
    published = len(harness.slack.calls_to("views.publish"))
    told = len(harness.told())
    dms = len(harness.slack.calls_to("chat.postMessage"))

    await press_on_home(harness, home, DONE_ACTION, text="Alert on checkout errors")

    found = await harness.runtime.action_items.item(added.item.id)
    assert found is not None and found[1].state == DONE
    await harness.slack.wait_for("views.publish", count=published + 1, timeout=WAIT_S)
    republished = harness.slack.calls_to("views.publish")[published:]
    assert [call.args["user_id"] for call in republished] == [REPORTER]
    assert "Alert on checkout errors" not in shown(republished[-1].args["view"])
    assert harness.told()[told:] == [], "a Home press has no response_url to answer through"
    new_posts = harness.slack.calls_to("chat.postMessage")[dms:]
    assert not any("Marked done" in str(call.args) for call in new_posts), "no DM instead"


async def test_declare_incident_on_the_home_opens_the_declare_form(harness: Harness) -> None:
    home = await open_home(harness, REPORTER)
    assert home is not None
    opened = len(harness.slack.calls_to("views.open"))

    await press_on_home(harness, home, DECLARE_ACTION)

    calls = await harness.slack.wait_for("views.open", count=opened + 1, timeout=WAIT_S)
    call = calls[opened]
    assert call.response.get("ok"), call.response
    form = call.args["view"]
    assert form["callback_id"] == DECLARE_CALLBACK_ID
    assert json.loads(form["private_metadata"])["channel_id"] is None

    view = OpenedView(form, call.response["view"]["id"], call.response["view"]["hash"])
    status, text = await harness.submit(
        view, {"title": "Search is slow", "severity": "SEV3", "impact": "Searches take 10 s"}
    )
    assert status == 200 and text == "", text
    await harness.settle()
    (declared,) = [i for i in await harness.incidents() if i.title == "Search is slow"]
    assert declared.channel_id is not None


async def test_wont_do_on_the_home_asks_why_then_republishes_the_home(harness: Harness) -> None:
    incident = await harness.declare(title="Checkout returns 500s")
    added = await harness.runtime.action_items.add(
        incident.id,
        text="Rewrite the checkout",
        owner_id=REPORTER,
        due_on=harness.runtime.action_items.default_due(),
        by=REPORTER,
    )
    home = await open_home(harness, REPORTER)
    assert home is not None
    opened = len(harness.slack.calls_to("views.open"))

    await press_on_home(harness, home, WONT_DO_ACTION, text="Rewrite the checkout")
    calls = await harness.slack.wait_for("views.open", count=opened + 1, timeout=WAIT_S)
    form = calls[opened]
    view = OpenedView(form.args["view"], form.response["view"]["id"], form.response["view"]["hash"])
    published = len(harness.slack.calls_to("views.publish"))
    told = len(harness.told())
    status, text = await harness.submit(view, {"reason": "Not worth it"})
    assert status == 200 and text == "", text
    await harness.settle()

    found = await harness.runtime.action_items.item(added.item.id)
    assert found is not None and found[1].state == WONT_DO
    republished = harness.slack.calls_to("views.publish")[published:]
    assert [call.args["user_id"] for call in republished] == [REPORTER]
    assert "Rewrite the checkout" not in shown(republished[-1].args["view"])
    assert harness.told()[told:] == []
