"""The declare modal, what its submission contains, and where errors are shown."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import (
    CheckboxesElement,
    DateTimePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from warroom.domain.declaration import IMPACT_MAX, TITLE_MAX, DeclarationForm
from warroom.domain.policy import Policy
from warroom.slack.blocks.limits import OPTION_DESCRIPTION, OPTION_TEXT, clip

__all__ = [
    "CALLBACK_ID",
    "DeclareOrigin",
    "declare_modal",
    "parse_declare_submission",
]

CALLBACK_ID = "declare_incident"
_CHANNEL_ID = re.compile(r"C[A-Z0-9]{2,40}")
ACTION = "value"
PRIVATE_OPTION = "private"


@dataclass(frozen=True)
class DeclareOrigin:
    """Where `/incident declare` was typed; carried through the modal's private_metadata.
    `public`: a public channel (not a DM or a private channel), to be told about it."""

    channel_id: str | None = None
    response_url: str | None = None
    public: bool = False

    def encode(self) -> str:
        data: dict[str, Any] = {"channel_id": self.channel_id, "response_url": self.response_url}
        if self.public:
            data["public"] = True
        return json.dumps(data)

    @property
    def public_channel(self) -> str | None:
        """The channel, if it is a public channel (and a channel ID at all)."""
        channel = self.channel_id
        if self.public and isinstance(channel, str) and _CHANNEL_ID.fullmatch(channel):
            return channel
        return None

    @classmethod
    def decode(cls, metadata: str | None) -> DeclareOrigin:
        try:
            data = json.loads(metadata or "{}")
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        return cls(
            channel_id=data.get("channel_id"),
            response_url=data.get("response_url"),
            public=data.get("public") is True,
        )


def declare_modal(policy: Policy, *, title: str, origin: DeclareOrigin) -> dict[str, Any]:
    title = " ".join(title.split())
    severity_options = [
        Option(
            value=level.key,
            text=PlainTextObject(text=clip(f"{level.key} · {level.label}", OPTION_TEXT)),
            description=PlainTextObject(text=clip(level.description, OPTION_DESCRIPTION)),
        )
        for level in policy.severities
    ]
    blocks = [
        InputBlock(
            block_id="title",
            label="Title",
            element=PlainTextInputElement(
                action_id=ACTION,
                initial_value=clip(title, TITLE_MAX) if title else None,
                max_length=TITLE_MAX,
                placeholder="What is broken, in a few words",
            ),
        ),
        InputBlock(
            block_id="severity",
            label="Severity",
            hint="When unsure, pick the higher severity. You can lower it later.",
            element=RadioButtonsElement(action_id=ACTION, options=severity_options),
        ),
        InputBlock(
            block_id="impact",
            label="What is the impact?",
            element=PlainTextInputElement(
                action_id=ACTION,
                multiline=True,
                max_length=IMPACT_MAX,
                placeholder="Who or what is affected, and how badly",
            ),
        ),
        InputBlock(
            block_id="started_at",
            label="When did it start?",
            optional=True,
            hint="Leave empty if unknown.",
            element=DateTimePickerElement(action_id=ACTION),
        ),
        InputBlock(
            block_id="private",
            label="Visibility",
            optional=True,
            element=CheckboxesElement(
                action_id=ACTION,
                options=[
                    Option(
                        value=PRIVATE_OPTION,
                        text=PlainTextObject(text="Private incident"),
                        description=PlainTextObject(
                            text="Private channel, invite only, never announced"
                        ),
                    )
                ],
            ),
        ),
        InputBlock(
            block_id="responders",
            label="Responders to invite",
            optional=True,
            element=UserMultiSelectElement(action_id=ACTION, placeholder="Pick people"),
        ),
    ]
    view = View(
        type="modal",
        callback_id=CALLBACK_ID,
        title="Declare an incident",
        submit="Declare",
        close="Cancel",
        private_metadata=origin.encode(),
        blocks=blocks,
    )
    result: dict[str, Any] = view.to_dict()
    return result


def parse_declare_submission(view: dict[str, Any]) -> tuple[DeclarationForm, DeclareOrigin]:
    """Read the submitted state; tolerant of missing blocks (validation says what is wrong)."""
    values: dict[str, Any] = view.get("state", {}).get("values", {})

    def field(block_id: str) -> dict[str, Any]:
        found: dict[str, Any] = values.get(block_id, {}).get(ACTION) or {}
        return found

    started = field("started_at").get("selected_date_time")
    checked = field("private").get("selected_options") or []
    severity = (field("severity").get("selected_option") or {}).get("value")
    form = DeclarationForm(
        title=field("title").get("value"),
        severity=severity,
        impact=field("impact").get("value"),
        started_at=datetime.fromtimestamp(int(started), UTC) if started else None,
        private=any(option.get("value") == PRIVATE_OPTION for option in checked),
        responders=tuple(field("responders").get("selected_users") or ()),
    )
    return form, DeclareOrigin.decode(view.get("private_metadata"))
