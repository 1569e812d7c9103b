"""Driving Warroom the way people in Slack do: fill in the modal it opened, serve it locally.

Used by the tests, the benches and the demo, so each of them exercises the
real ASGI app over real HTTP rather than calling listeners directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

__all__ = ["fill_view"]


def fill_view(view: Mapping[str, Any], answers: Mapping[str, Any]) -> dict[str, Any]:
    """The `state.values` Slack sends for `view` filled in with `answers` (keyed by block_id).

    Unanswered inputs keep their initial value, as in Slack.
    """
    values: dict[str, Any] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block["element"]
        kind, action_id, block_id = element["type"], element["action_id"], block["block_id"]
        answer = answers.get(block_id)
        state: dict[str, Any] = {"type": kind}
        if kind == "plain_text_input":
            state["value"] = answer if answer is not None else element.get("initial_value")
        elif kind in {"radio_buttons", "static_select"}:
            options = {option["value"]: option for option in element.get("options", [])}
            chosen = options.get(answer, {"value": answer} if answer else None)
            state["selected_option"] = chosen or element.get("initial_option")
        elif kind == "checkboxes":
            if answer is None:
                state["selected_options"] = list(element.get("initial_options") or [])
            else:
                picked = set(answer)
                state["selected_options"] = [o for o in element["options"] if o["value"] in picked]
        elif kind == "datetimepicker":
            moment: datetime | None = answer
            initial = element.get("initial_date_time")
            state["selected_date_time"] = int(moment.timestamp()) if moment else initial
        elif kind == "datepicker":
            day = answer.isoformat() if answer is not None else element.get("initial_date")
            state["selected_date"] = day
        elif kind == "multi_users_select":
            state["selected_users"] = list(answer or element.get("initial_users") or [])
        elif kind == "users_select":
            state["selected_user"] = answer or element.get("initial_user")
        else:
            raise ValueError(f"fill_view cannot fill a {kind} element")
        values[block_id] = {action_id: state}
    return values
