"""The declare modal, what its submission contains, and where errors are shown."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from warroom.domain.declaration import IMPACT_MAX, TITLE_MAX, DeclarationForm
from warroom.domain.policy import Policy
from warroom.slack.blocks import kit
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
    title_input: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": ACTION,
        "max_length": TITLE_MAX,
        "placeholder": kit.plain("What is broken, in a few words"),
    }
    if title:
        title_input["initial_value"] = clip(title, TITLE_MAX)
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": kit.plain("Declare an incident"),
        "submit": kit.plain("Declare"),
        "close": kit.plain("Cancel"),
        "private_metadata": origin.encode(),
        "blocks": [kit.input_block("title", "Title", title_input), *_fixed_fields(policy)],
    }


@functools.lru_cache(maxsize=4)
def _fixed_fields(policy: Policy) -> tuple[dict[str, Any], ...]:
    """The form's fields after the title, the same for every declaration under `policy`.
    Shared between forms: the dicts are serialised, never changed."""
    severities = [
        kit.option(
            level.key,
            clip(f"{level.key} · {level.label}", OPTION_TEXT),
            clip(level.description, OPTION_DESCRIPTION),
        )
        for level in policy.severities
    ]
    private = kit.option(
        PRIVATE_OPTION, "Private incident", "Private channel, invite only, never announced"
    )
    return (
        kit.input_block(
            "severity",
            "Severity",
            {"type": "radio_buttons", "action_id": ACTION, "options": severities},
            hint="When unsure, pick the higher severity. You can lower it later.",
        ),
        kit.input_block(
            "impact",
            "What is the impact?",
            {
                "type": "plain_text_input",
                "action_id": ACTION,
                "multiline": True,
                "max_length": IMPACT_MAX,
                "placeholder": kit.plain("Who or what is affected, and how badly"),
            },
        ),
        kit.input_block(
            "started_at",
            "When did it start?",
            {"type": "datetimepicker", "action_id": ACTION},
            hint="Leave empty if unknown.",
            optional=True,
        ),
        kit.input_block(
            "private",
            "Visibility",
            {"type": "checkboxes", "action_id": ACTION, "options": [private]},
            optional=True,
        ),
        kit.input_block(
            "responders",
            "Responders to invite",
            {
                "type": "multi_users_select",
                "action_id": ACTION,
                "placeholder": kit.plain("Pick people"),
            },
            optional=True,
        ),
    )


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
