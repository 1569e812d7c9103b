"""The App Home tab: open incidents, your roles, your action items, what was resolved
this week, and a Declare incident button.

Everything given here is already what the person may see (`services.home` filtered
it). The Home stays within Slack's 100 blocks: each list is cut to its share
(`warroom.domain.home`) and ends with "and N more" and where to see them all.
The action items carry the same Done / Won't do buttons as everywhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from warroom.domain.home import HomeTab, OwnedItem
from warroom.domain.incident import Incident
from warroom.domain.policy import Policy
from warroom.slack import mrkdwn
from warroom.slack.blocks import kit
from warroom.slack.blocks.action_item_parts import due_label, item_buttons, room_label
from warroom.slack.blocks.limits import CONTEXT_TEXT, clip
from warroom.slack.blocks.text import incident_lines, mrkdwn_section

__all__ = ["DECLARE_ACTION", "HOME_CALLBACK_ID", "home_view"]

DECLARE_ACTION = "home_declare"
HOME_CALLBACK_ID = "warroom_home"
ITEM_SHOWN = 300
"""Characters of an action item's text on the Home."""


def home_view(home: HomeTab, policy: Policy) -> dict[str, Any]:
    """The `home` view to publish for `home.user_id`."""
    now = home.now
    blocks: list[dict[str, Any]] = [
        kit.header("Incidents"),
        kit.actions(
            [kit.button(DECLARE_ACTION, "Declare incident", value="home", style="primary")],
            block_id="home_declare",
        ),
        kit.divider(),
        *_open(home, policy, now),
        kit.divider(),
        _roles(home, policy),
        kit.divider(),
        *_items(home, now, policy),
        kit.divider(),
        *_resolved(home, policy, now),
    ]
    return {"type": "home", "callback_id": HOME_CALLBACK_ID, "blocks": blocks}


def _open(home: HomeTab, policy: Policy, now: datetime | None) -> list[dict[str, Any]]:
    return _incidents(
        "Open incidents",
        home.open,
        home.open_more,
        policy,
        now,
        empty="None right now. 🎉",
        where="`/incident list` shows them all",
    )


def _roles(home: HomeTab, policy: Policy) -> dict[str, Any]:
    if not home.roles:
        return _section("*Your roles*\nYou hold no role in an open incident.")
    lines = ["*Your roles*"]
    for held in home.roles:
        try:
            name = mrkdwn.escape(policy.role(held.role).name)
        except KeyError:  # a role since removed from the policy
            name = mrkdwn.escape(held.role)
        lines.append(f"• {name} of {room_label(held.incident)}")
    if home.roles_more:
        lines.append(f"…and {home.roles_more} more — `/incident list mine` shows them all.")
    return _section("\n".join(lines))


def _items(home: HomeTab, now: datetime | None, policy: Policy) -> list[dict[str, Any]]:
    total = len(home.items) + home.items_more
    if not total:
        return [_section("*Your open action items*\nNone. 👍")]
    today = now.astimezone(policy.zone).date() if now is not None else None
    blocks = [_section(f"*Your open action items* ({total})")]
    for owned in home.items:
        blocks.append(_section(_item(owned, today)))
        blocks.append(kit.actions([b.to_dict() for b in item_buttons(owned.item, None)]))
    if home.items_more:
        blocks.append(_more(home.items_more, "`/incident actions` in each room lists them"))
    return blocks


def _resolved(home: HomeTab, policy: Policy, now: datetime | None) -> list[dict[str, Any]]:
    return _incidents(
        "Resolved in the last 7 days",
        home.resolved,
        home.resolved_more,
        policy,
        now,
        empty="None.",
        where="`/incident list recent` shows them all",
    )


def _incidents(
    heading: str,
    shown: Sequence[Incident],
    more: int,
    policy: Policy,
    now: datetime | None,
    *,
    empty: str,
    where: str,
) -> list[dict[str, Any]]:
    if not shown and not more:
        return [_section(f"*{heading}*\n{empty}")]
    blocks = [_section(f"*{heading}* ({len(shown) + more})")]
    blocks += [_section(incident_lines(incident, policy, now)) for incident in shown]
    if more:
        blocks.append(_more(more, where))
    return blocks


def _item(owned: OwnedItem, today: date | None) -> str:
    text = mrkdwn.escape_within(owned.item.text, ITEM_SHOWN)
    return f"{text}\n{room_label(owned.incident)} · {due_label(owned.item, today)}"


def _section(text: str) -> dict[str, Any]:
    block: dict[str, Any] = mrkdwn_section(text).to_dict()
    return block


def _more(count: int, where: str) -> dict[str, Any]:
    return kit.context(clip(f"…and {count} more — {where}.", CONTEXT_TEXT))
