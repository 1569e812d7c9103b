"""The declare modal, what its submission contains, and where errors are shown.

The form can be opened prefilled (from a message, an alert proposal, `/incident
declare <title>`) and can offer open incidents that look like the same problem,
each with **Join INC-N instead** (`JOIN_SIMILAR_ACTION`); its submit button then
reads "Declare anyway". `joined_view` and `join_refused` are what the modal becomes
after such a button.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from warroom.domain.declaration import IMPACT_MAX, TITLE_MAX, DeclarationForm, DeclaredFrom
from warroom.domain.incident import Incident
from warroom.domain.policy import Policy
from warroom.slack import mrkdwn
from warroom.slack.blocks import kit
from warroom.slack.blocks.limits import OPTION_DESCRIPTION, OPTION_TEXT, TITLE_SHOWN, clip
from warroom.slack.blocks.text import incident_lines

__all__ = [
    "CALLBACK_ID",
    "JOINED_CALLBACK_ID",
    "JOIN_SIMILAR_ACTION",
    "DeclareOrigin",
    "declare_modal",
    "join_refused",
    "joined_view",
    "parse_declare_submission",
]

CALLBACK_ID = "declare_incident"
JOINED_CALLBACK_ID = "declare_joined"
JOIN_SIMILAR_ACTION = "declare_join_similar"
SIMILAR_BLOCK = "similar:"
"""Block ids of the offered incidents: `similar:<incident id>`."""
_VIEW_KEYS = (
    "type",
    "callback_id",
    "title",
    "submit",
    "close",
    "private_metadata",
    "blocks",
    "clear_on_close",
    "notify_on_close",
    "external_id",
)
"""What of a view Slack sent may be sent back in views.update."""
REASON_SHOWN = 500
_CHANNEL_ID = re.compile(r"C[A-Z0-9]{2,40}")
ACTION = "value"
PRIVATE_OPTION = "private"


@dataclass(frozen=True)
class DeclareOrigin:
    """Where `/incident declare` was typed; carried through the modal's private_metadata.
    `public`: a public channel (not a DM or a private channel), to be told about it.
    `message`: the message the form was opened from (the message shortcut).
    `checked`: similar open incidents were already offered (or looked for and none
    found), so the next submission declares without looking again.
    `alert_group`: the alert group whose triage card's Declare opened the form."""

    channel_id: str | None = None
    response_url: str | None = None
    public: bool = False
    message: DeclaredFrom | None = None
    checked: bool = False
    alert_group: int | None = None

    def encode(self) -> str:
        data: dict[str, Any] = {"channel_id": self.channel_id, "response_url": self.response_url}
        if self.public:
            data["public"] = True
        if self.message is not None:
            data["message"] = self.message.to_data()
        if self.checked:
            data["checked"] = True
        if self.alert_group is not None:
            data["alert_group"] = self.alert_group
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
            message=DeclaredFrom.from_data(data.get("message")),
            checked=data.get("checked") is True,
            alert_group=group if isinstance(group := data.get("alert_group"), int) else None,
        )


def declare_modal(
    policy: Policy,
    *,
    title: str,
    origin: DeclareOrigin,
    impact: str = "",
    severity: str | None = None,
    similar: Sequence[Incident] = (),
    form: DeclarationForm | None = None,
) -> dict[str, Any]:
    """The declare form. `title`, `impact` and `severity` prefill it (a severity the
    policy does not know is ignored); `form` prefills every field from a submission
    (answering it with `response_action: update`). `similar`: open incidents the person
    may see that look like the same problem, offered above the form with **Join INC-N
    instead**; the submit button then reads "Declare anyway"."""
    if form is not None:
        title, impact, severity = form.title or "", form.impact or "", form.severity
    title = " ".join(title.split())
    title_input: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": ACTION,
        "max_length": TITLE_MAX,
        "placeholder": kit.plain("What is broken, in a few words"),
    }
    if title:
        title_input["initial_value"] = clip(title, TITLE_MAX)
    fields: Sequence[dict[str, Any]] = _fixed_fields(policy)
    impact = impact.strip()
    if impact or severity or form is not None:
        fields = _prefilled(fields, impact=impact, severity=severity, form=form)
    return {
        "type": "modal",
        "callback_id": CALLBACK_ID,
        "title": kit.plain("Declare an incident"),
        "submit": kit.plain("Declare anyway" if similar else "Declare"),
        "close": kit.plain("Cancel"),
        "private_metadata": origin.encode(),
        "blocks": [
            *_similar_blocks(policy, similar),
            kit.input_block("title", "Title", title_input),
            *fields,
        ],
    }


def _similar_blocks(policy: Policy, similar: Sequence[Incident]) -> list[dict[str, Any]]:
    if not similar:
        return []
    many = len(similar) > 1
    lead = (
        f"*{'These open incidents look' if many else 'This open incident looks'} like the "
        "same problem.* Join the room already working on it, or declare anyway."
    )
    blocks = [kit.section(lead)]
    for incident in similar:
        blocks.append(
            kit.section(
                incident_lines(incident, policy, None),
                block_id=f"{SIMILAR_BLOCK}{incident.id}",
                accessory=kit.button(
                    JOIN_SIMILAR_ACTION,
                    f"Join {incident.reference} instead",
                    value=str(incident.id),
                    style="primary",
                ),
            )
        )
    blocks.append(kit.divider())
    return blocks


def _prefilled(
    fields: Sequence[dict[str, Any]],
    *,
    impact: str,
    severity: str | None,
    form: DeclarationForm | None,
) -> list[dict[str, Any]]:
    """A copy of the fixed fields with initial values (the originals are shared)."""
    blocks = {block["block_id"]: block for block in copy.deepcopy(list(fields))}
    if impact:
        blocks["impact"]["element"]["initial_value"] = clip(impact, IMPACT_MAX)
    severity_input = blocks["severity"]["element"]
    chosen = [o for o in severity_input["options"] if o["value"] == (severity or "").strip()]
    if chosen:
        severity_input["initial_option"] = chosen[0]
    if form is not None:
        if form.started_at is not None:
            blocks["started_at"]["element"]["initial_date_time"] = int(form.started_at.timestamp())
        if form.private:
            private = blocks["private"]["element"]
            private["initial_options"] = list(private["options"])
        if form.responders:
            blocks["responders"]["element"]["initial_users"] = list(form.responders)
    return list(blocks.values())


def joined_view(incident: Incident) -> dict[str, Any]:
    """What the declare modal becomes once the person joined an open incident instead."""
    assert incident.channel_id is not None
    title = mrkdwn.escape_within(incident.title, TITLE_SHOWN)
    text = (
        f"✅ You're in {mrkdwn.channel(incident.channel_id)} now: *{incident.reference}* · "
        f"{mrkdwn.escape(incident.severity)} · {title}\nNothing new was declared."
    )
    return {
        "type": "modal",
        "callback_id": JOINED_CALLBACK_ID,
        "title": kit.plain(clip(f"Joined {incident.reference}", 24)),
        "close": kit.plain("Done"),
        "blocks": [kit.section(text)],
    }


def join_refused(view: dict[str, Any], incident_id: int, reason: str) -> dict[str, Any]:
    """The declare modal as Slack sent it (`view` of the click), its offer of incident
    `incident_id` replaced by why joining did not work; the form itself is kept, and
    what was typed in it stays (its blocks keep their ids)."""
    shown = {key: view[key] for key in _VIEW_KEYS if key in view}
    note = kit.section(
        f"⚠️ I couldn't add you there: {mrkdwn.escape_within(reason, REASON_SHOWN)}. "
        "Declare anyway, "
        "or ask the incident's commander to invite you.",
        block_id=f"{SIMILAR_BLOCK}{incident_id}",
    )
    shown["blocks"] = [
        note if block.get("block_id") == f"{SIMILAR_BLOCK}{incident_id}" else block
        for block in view.get("blocks", [])
    ]
    return shown


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
