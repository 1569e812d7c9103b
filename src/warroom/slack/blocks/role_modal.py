"""The "Assign role" modal: which role, and who takes it."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    InputBlock,
    Option,
    PlainTextObject,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from warroom.domain.incident import Incident
from warroom.domain.policy import Policy
from warroom.slack.blocks.limits import INPUT_LABEL, OPTION_TEXT, clip

__all__ = ["ASSIGN_CALLBACK_ID", "assign_role_modal", "parse_assign_submission"]

ASSIGN_CALLBACK_ID = "role_assign"
ACTION = "value"


def assign_role_modal(
    policy: Policy, incident: Incident, *, role_key: str | None
) -> dict[str, Any]:
    options = [
        Option(
            value=role.key,
            text=PlainTextObject(text=clip(f"{role.name} ({role.short})", OPTION_TEXT)),
        )
        for role in policy.roles
    ]
    chosen = next((o for o in options if o.value == role_key), None)
    holder = incident.holder(role_key) if role_key else None
    view = View(
        type="modal",
        callback_id=ASSIGN_CALLBACK_ID,
        title="Assign a role",
        submit="Assign",
        close="Cancel",
        private_metadata=str(incident.id),
        blocks=[
            InputBlock(
                block_id="role",
                label=clip(f"Role in {incident.reference}", INPUT_LABEL),
                element=StaticSelectElement(
                    action_id=ACTION,
                    placeholder="Pick a role",
                    options=options,
                    initial_option=chosen,
                ),
            ),
            InputBlock(
                block_id="user",
                label="Who takes it",
                hint="The previous holder, who assigned it and when stay on the timeline.",
                element=UserSelectElement(
                    action_id=ACTION, placeholder="Pick a person", initial_user=holder
                ),
            ),
        ],
    )
    result: dict[str, Any] = view.to_dict()
    return result


def parse_assign_submission(view: dict[str, Any]) -> tuple[int, str | None, str | None]:
    """(incident id, role key, user id) from a submitted assign modal."""
    values: dict[str, Any] = view.get("state", {}).get("values", {})
    role = (values.get("role", {}).get(ACTION, {}).get("selected_option") or {}).get("value")
    user = values.get("user", {}).get(ACTION, {}).get("selected_user")
    return int(view.get("private_metadata") or 0), role, user
