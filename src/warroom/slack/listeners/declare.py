"""The declare modal's submission, and the Retry button when setup failed."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from warroom.domain.clock import Clock
from warroom.domain.declaration import validate_declaration
from warroom.domain.policy import Policy
from warroom.services.declare import DeclareService
from warroom.slack.blocks.declare_modal import CALLBACK_ID, parse_declare_submission
from warroom.slack.blocks.notices import DECLARE_RETRY_ACTION

__all__ = ["register"]

log = logging.getLogger(__name__)

STORE_DOWN = "Warroom couldn't save the incident just now. Press Declare again in a moment."


def _team_id(body: dict[str, Any]) -> str:
    team = body.get("team") or {}
    return str(team.get("id") or body.get("user", {}).get("team_id") or "")


def register(app: AsyncApp, *, policy: Policy, clock: Clock, service: DeclareService) -> None:
    @app.view(CALLBACK_ID)
    async def on_declare_submit(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        form, origin = parse_declare_submission(view)
        checked = validate_declaration(form, policy, clock())
        if isinstance(checked, dict):
            await ack(response_action="errors", errors=checked)
            return
        try:
            incident = await service.record(
                team_id=_team_id(body),
                reporter_id=body["user"]["id"],
                declaration=checked,
                declare_key=f"view:{view['id']}",
            )
        except Exception:
            log.exception("could not record a declaration")
            await ack(response_action="errors", errors={"title": STORE_DOWN})
            return
        await ack()
        await service.provision(incident.id, response_url=origin.response_url)

    @app.action(DECLARE_RETRY_ACTION)
    async def on_declare_retry(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        await service.provision(
            int(action["value"]), response_url=body.get("response_url"), replace_original=True
        )
