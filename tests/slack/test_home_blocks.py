"""The App Home tab's view: its blocks (golden), an empty Home, the shared Done / Won't do
buttons, and a very busy Home within Slack's 100 blocks with "and N more"."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from slack_sdk.models.views import View

from fakeslack.limits import view_problems
from tests.golden import assert_golden
from tests.slack.test_blocks import INCIDENT, POLICY
from warroom.domain.action_item import ActionItem
from warroom.domain.home import (
    ITEMS_SHOWN,
    OPEN_SHOWN,
    RESOLVED_SHOWN,
    HeldRole,
    HomeTab,
    OwnedItem,
)
from warroom.domain.incident import Incident, RoleHolder
from warroom.domain.policy import COMMANDER
from warroom.slack.blocks.action_item_parts import DONE_ACTION, WONT_DO_ACTION, ItemRef
from warroom.slack.blocks.home import DECLARE_ACTION, home_view
from warroom.slack.blocks.limits import VIEW_BLOCKS

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
VIEWER = "UALICE"


def incident(number: int, *, title: str = "", **fields: object) -> Incident:
    return replace(
        INCIDENT,
        id=number,
        number=number,
        title=title or f"Incident number {number}",
        channel_id=f"CROOM{number}",
        declared_at=NOW - timedelta(hours=number),
        **fields,  # type: ignore[arg-type]
    )


def item(number: int, of: Incident, *, text: str = "") -> ActionItem:
    return ActionItem(
        id=number,
        incident_id=of.id,
        text=text or f"Follow-up {number}",
        owner_id=VIEWER,
        due_on=date(2026, 12, 1 + number % 20),
        state="open",
        reason=None,
        created_by="UREPORTER",
        created_at=NOW,
        closed_by=None,
        closed_at=None,
    )


def busy_home(
    open_count: int = 60, *, items: int = 30, resolved: int = 30, title: str = ""
) -> HomeTab:
    """A Home with more of everything than fits, every title and item `title`."""
    commander = (RoleHolder(COMMANDER, VIEWER, "UREPORTER", NOW),)
    opened = [incident(n, title=title, roles=commander) for n in range(1, open_count + 1)]
    done = [
        incident(100 + n, title=title, status="resolved", resolved_at=NOW - timedelta(days=1))
        for n in range(resolved)
    ]
    owned = [OwnedItem(opened[0], item(n, opened[0], text=title)) for n in range(items)]
    return HomeTab(
        user_id=VIEWER,
        open=tuple(opened[:OPEN_SHOWN]),
        open_more=max(0, open_count - OPEN_SHOWN),
        roles=tuple(HeldRole(i, COMMANDER) for i in opened[:20]),
        roles_more=max(0, open_count - 20),
        items=tuple(owned[:ITEMS_SHOWN]),
        items_more=max(0, items - ITEMS_SHOWN),
        resolved=tuple(done[:RESOLVED_SHOWN]),
        resolved_more=max(0, resolved - RESOLVED_SHOWN),
        now=NOW,
    )


def test_home_golden() -> None:
    commander = (RoleHolder(COMMANDER, VIEWER, "UREPORTER", NOW - timedelta(minutes=40)),)
    sev1 = incident(7, roles=commander, next_update_due_at=NOW + timedelta(minutes=20))
    secret = incident(
        8,
        title="Merger data room <leak> & more",
        severity="SEV2",
        status="identified",
        private=True,
        next_update_due_at=NOW - timedelta(minutes=5),
    )
    done = incident(5, status="resolved", resolved_at=NOW - timedelta(days=2))
    home = HomeTab(
        user_id=VIEWER,
        open=(sev1, secret),
        roles=(HeldRole(sev1, COMMANDER),),
        items=(OwnedItem(sev1, item(12, sev1, text="Alert on checkout errors")),),
        resolved=(done,),
        now=NOW,
    )

    view = home_view(home, POLICY)

    assert_golden("home_tab", view)
    assert view_problems(view) == []
    View(**view).to_dict()


def test_an_empty_home_says_so_and_still_offers_declare() -> None:
    view = home_view(HomeTab(user_id=VIEWER, now=NOW), POLICY)

    assert_golden("home_tab_empty", view)
    text = str(view)
    assert "None right now." in text and "You hold no role" in text
    buttons = [e for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["action_id"] for b in buttons] == [DECLARE_ACTION]


def test_items_carry_the_shared_done_and_wont_do_buttons() -> None:
    view = home_view(busy_home(3, items=2, resolved=0), POLICY)

    buttons = [
        (element["action_id"], element["value"])
        for block in view["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] != DECLARE_ACTION
    ]
    refs = [ItemRef(n).encode() for n in range(2)]
    assert buttons == [(a, ref) for ref in refs for a in (DONE_ACTION, WONT_DO_ACTION)]


def test_a_busy_home_stays_within_slacks_limits() -> None:
    view = home_view(busy_home(title="x" * 3000), POLICY)

    assert len(view["blocks"]) <= VIEW_BLOCKS
    assert view_problems(view) == []
    View(**view).to_dict()
    text = str(view)
    assert f"…and {60 - OPEN_SHOWN} more — `/incident list` shows them all." in text
    assert f"…and {30 - ITEMS_SHOWN} more" in text
    assert f"…and {30 - RESOLVED_SHOWN} more — `/incident list recent` shows them all." in text
    assert "…and 40 more — `/incident list mine` shows them all." in text
