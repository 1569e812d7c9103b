"""Nothing a user types breaks a message: every builder, every user-text field, at Slack's
limit for the place it is shown and one past it (and at 10,000 characters).

Each output must pass the stand-in's limit check and slack_sdk's own model validation,
and wherever the user's text was cut, the cut must end in "…" (never half an entity,
a Slack token or an emoji sequence).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, timedelta
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

import warroom.slack.blocks as blocks_package
from fakeslack.limits import block_problems, view_problems
from tests.slack.test_blocks import INCIDENT, POLICY
from tests.slack.test_digest_blocks import busy_digest
from tests.slack.test_home_blocks import busy_home
from warroom.domain.action_item import ActionItem, Counts
from warroom.domain.alerts import FIRING, Alert, AlertGroup
from warroom.domain.changes import InvalidChoice
from warroom.domain.declaration import DeclaredFrom
from warroom.domain.finding import BadListQuery, Found, Listing, ListQuery, Match
from warroom.domain.incident import RoleHolder
from warroom.domain.permissions import Action, NotPermitted, Refused
from warroom.domain.policy import AlertRoute, Policy
from warroom.domain.postmortem import PostmortemInput, draft_postmortem
from warroom.domain.report import build_report, facts_of, period_of_days
from warroom.domain.status_update import StatusUpdate
from warroom.domain.timeline import Cursor, KeyPage, SlackMessage, TimelineItem
from warroom.slack.blocks import (
    action_item_parts,
    action_items,
    alerts,
    announcement,
    cancellation,
    card,
    changes,
    declare_modal,
    digest,
    duties,
    finder,
    help,
    home,
    lifecycle,
    notices,
    origin,
    permissions,
    postmortem,
    privacy,
    reminders,
    role_modal,
    stats,
    status_update,
    text,
    timeline,
    topic,
)
from warroom.slack.blocks.limits import (
    CONTEXT_TEXT,
    ELLIPSIS,
    FALLBACK_TEXT,
    HEADER_TEXT,
    INITIAL_VALUE,
    MESSAGE_BLOCKS,
    OPTION_TEXT,
    SECTION_FIELD,
    SECTION_TEXT,
    TOPIC,
    VIEW_BLOCKS,
    clip,
)
from warroom.slack.errors import SlackFailure
from warroom.slack.message import Message

AT = INCIDENT.declared_at
RESOLVED = replace(
    INCIDENT, status="resolved", resolved_at=AT + timedelta(hours=1), summary="Rolled back"
)
ITEM = ActionItem(
    id=12,
    incident_id=INCIDENT.id,
    text="Alert on checkout errors",
    owner_id="UALICE",
    due_on=date(2026, 12, 7),
    state="open",
    reason=None,
    created_by="UREPORTER",
    created_at=AT,
    closed_by=None,
    closed_at=None,
)
DECLINED = replace(ITEM, state="wont_do", reason="No budget", closed_by="UBOB", closed_at=AT)
UPDATE = StatusUpdate("investigating", "DB is slow", "Checkout fails", "Failing over", AT)
ROLE = POLICY.commander_role


def entry(n: int, body: str, **fields: Any) -> TimelineItem:
    return TimelineItem(
        id=n,
        kind="message",
        author_id="UALICE",
        text=body,
        slack_format=True,
        occurred_at=AT + timedelta(minutes=n),
        highlighted=True,
        edited_at=None,
        deleted_at=None,
        **fields,
    )


def roles_named(text: str) -> Policy:
    """The policy with every role's name and duties set to `text` (ten roles, the most)."""
    roles = tuple(
        replace(ROLE, key=f"role{n}", name=text, short=f"R{n}", duties=text) for n in range(10)
    )
    return replace(POLICY, roles=roles)


ALL_HELD = replace(INCIDENT, roles=tuple(RoleHolder(f"role{n}", "UA", "UB", AT) for n in range(10)))


def page_of(body: str) -> Message:
    items = tuple(entry(n, body, files=(body,)) for n in range(1, 21))
    page = KeyPage(INCIDENT, items, total=60, newer=0, earlier=Cursor(41, AT, 1, 20))
    return timeline.timeline_page(page, highlight_emoji="pushpin", zone=UTC)


def postmortem_of(title: str = "t", resolution: str = "r", root_cause: str = "c") -> Message:
    pm = draft_postmortem(
        PostmortemInput(
            incident=replace(RESOLVED, title=title),
            policy=POLICY,
            entries=[],
            role_history=[],
            action_items=[],
            resolution=resolution,
            root_cause=root_cause,
            drafted_at=AT + timedelta(hours=2),
        )
    )
    return postmortem.postmortem_summary(pm, INCIDENT.id, redraft=False)


def pick_modal(message_text: str = "hello", title: str = "t") -> dict[str, Any]:
    origin = timeline.ShortcutOrigin(
        SlackMessage("CSUP", "1700000000.000100", "message", "UCAROL", message_text),
        "https://hooks.slack.com/x",
    )
    incidents = [replace(INCIDENT, id=n, number=n, title=title) for n in range(1, 3)]
    return timeline.pick_incident_modal(incidents, origin)


@dataclass(frozen=True)
class Said:
    """Bare text Warroom answers with (an ack's `text`): Slack's message-text limit applies."""

    text: str


def refusal(title: str) -> NotPermitted:
    who = (POLICY.commander_role.key, "reporter", "room_members")
    return NotPermitted(Refused(Action.RESOLVE, who), replace(INCIDENT, title=title), "UX")


Output = Message | dict[str, Any] | str | Said
Render = Callable[[str], Output]

# (builder, user-text field, Slack's limit where that field is shown, render)
CASES: list[tuple[Callable[..., Any], str, int, Render]] = [
    (card.incident_card, "title", HEADER_TEXT,
     lambda s: card.incident_card(replace(INCIDENT, title=s), POLICY)),
    (card.incident_card, "impact", SECTION_TEXT,
     lambda s: card.incident_card(replace(INCIDENT, impact=s), POLICY)),
    (card.incident_card, "resolution", SECTION_TEXT,
     lambda s: card.incident_card(replace(RESOLVED, summary=s, root_cause=s), POLICY)),
    (announcement.announcement, "title", SECTION_TEXT,
     lambda s: announcement.announcement(replace(INCIDENT, title=s), POLICY)),
    (announcement.announcement, "impact+summary", SECTION_TEXT,
     lambda s: announcement.announcement(replace(INCIDENT, impact=s, summary=s), POLICY)),
    (topic.channel_topic, "title", TOPIC,
     lambda s: topic.channel_topic(replace(INCIDENT, title=s), POLICY)),
    (lifecycle.resolve_modal, "title", INITIAL_VALUE,
     lambda s: lifecycle.resolve_modal(replace(INCIDENT, title=s))),
    (lifecycle.resolved_line, "resolution+root cause", SECTION_TEXT,
     lambda s: lifecycle.resolved_line(replace(RESOLVED, summary=s, root_cause=s), "UBOB")),
    (lifecycle.resolved_notice, "title+resolution", SECTION_TEXT,
     lambda s: lifecycle.resolved_notice(replace(RESOLVED, title=s, summary=s))),
    (lifecycle.reopened_line, "title", SECTION_TEXT,
     lambda s: lifecycle.reopened_line(replace(INCIDENT, title=s), "UBOB")),
    (lifecycle.closed_line, "title", SECTION_TEXT,
     lambda s: lifecycle.closed_line(replace(INCIDENT, title=s), "UBOB")),
    (status_update.status_update_modal, "impact", INITIAL_VALUE,
     lambda s: status_update.status_update_modal(
         POLICY, replace(INCIDENT, impact=s), next_due=AT, every=timedelta(minutes=30))),
    (status_update.update_for_room, "answers", SECTION_TEXT,
     lambda s: status_update.update_for_room(
         INCIDENT, POLICY, replace(UPDATE, happening=s, impact=s, doing=s), "UBOB")),
    (status_update.update_compact, "answers", SECTION_TEXT,
     lambda s: status_update.update_compact(
         INCIDENT, POLICY, replace(UPDATE, happening=s, impact=s, doing=s))),
    (reminders.update_due, "title", SECTION_TEXT,
     lambda s: reminders.update_due(replace(INCIDENT, title=s), "UBOB", every=timedelta(30))),
    (reminders.update_overdue, "title", SECTION_TEXT,
     lambda s: reminders.update_overdue(
         replace(INCIDENT, title=s), "UBOB", silent_since=AT, now=AT + timedelta(hours=1))),
    (reminders.overdue_broadcast, "title", SECTION_TEXT,
     lambda s: reminders.overdue_broadcast(
         replace(INCIDENT, title=s), silent_since=AT, now=AT + timedelta(hours=1))),
    (reminders.late_update_notice, "title", SECTION_TEXT,
     lambda s: reminders.late_update_notice(
         replace(INCIDENT, title=s), silent_since=AT, now=AT + timedelta(hours=1))),
    (reminders.commander_nag, "title", SECTION_TEXT,
     lambda s: reminders.commander_nag(replace(INCIDENT, title=s), POLICY, now=AT)),
    (reminders.commander_escalation, "title", SECTION_TEXT,
     lambda s: reminders.commander_escalation(
         replace(INCIDENT, title=s), POLICY, now=AT, usergroup="S1")),
    (reminders.snoozed_line, "title", SECTION_TEXT,
     lambda s: reminders.snoozed_line(replace(INCIDENT, title=s), "UBOB", 15)),
    (reminders.nothing_to_snooze, "title", SECTION_TEXT,
     lambda s: reminders.nothing_to_snooze(replace(INCIDENT, title=s))),
    (reminders.marked, "message", SECTION_TEXT,
     lambda s: reminders.marked(text.mrkdwn_message(s), 9)),
    (cancellation.cancelled_line, "reason", SECTION_TEXT,
     lambda s: cancellation.cancelled_line(
         replace(INCIDENT, title=s, cancel_reason=s), "UBOB", None)),
    (cancellation.cancelled_notice, "title+reason", SECTION_TEXT,
     lambda s: cancellation.cancelled_notice(replace(INCIDENT, title=s, cancel_reason=s), None)),
    (cancellation.duplicate_linked_line, "title", SECTION_TEXT,
     lambda s: cancellation.duplicate_linked_line(replace(INCIDENT, title=s), INCIDENT)),
    (text.status_shown, "reason", SECTION_TEXT,
     lambda s: text.mrkdwn_message(text.status_shown(
         replace(INCIDENT, cancelled_at=AT, cancel_reason=s), POLICY))),
    (lifecycle.closed_notice, "title", SECTION_TEXT,
     lambda s: lifecycle.closed_notice(replace(INCIDENT, title=s))),
    (text.update_promise, "-", SECTION_TEXT,
     lambda s: text.mrkdwn_message(text.update_promise(
         replace(INCIDENT, next_update_due_at=AT), AT + timedelta(hours=1)) or s)),
    (notices.room_ready, "emails not invited", SECTION_TEXT,
     lambda s: notices.room_ready(INCIDENT, [(f"U{n}", s) for n in range(3)])),
    (notices.setup_failed, "error+advice", SECTION_TEXT,
     lambda s: notices.setup_failed(INCIDENT, method="m", error=s, advice=s, announce=True)),
    (notices.setup_in_progress, "title", SECTION_TEXT,
     lambda s: notices.setup_in_progress(replace(INCIDENT, title=s))),
    (help.usage, "not understood", SECTION_TEXT,
     lambda s: help.usage([("/incident declare", "Declare")], not_understood=s)),
    (help.not_in_incident, "subcommand", SECTION_TEXT,
     lambda s: help.not_in_incident(s, [replace(INCIDENT, title=s)])),
    (changes.role_changed_line, "role name", SECTION_TEXT,
     lambda s: changes.role_changed_line(
         replace(ROLE, name=s), user_id="UA", previous_id="UB", by="UC")),
    (origin.origin_note, "title", SECTION_TEXT,
     lambda s: origin.origin_note(replace(INCIDENT, title=s))),
    (duties.duties_dm, "role name+duties", SECTION_TEXT,
     lambda s: duties.duties_dm(
         replace(ROLE, name=s, duties=s), replace(INCIDENT, title=s), user_id="UA", by="UB")),
    (duties.role_confirmed, "role name", SECTION_TEXT,
     lambda s: duties.role_confirmed(replace(ROLE, name=s), INCIDENT, user_id="UA", by="UA")),
    (duties.role_confirmed, "role name (given)", SECTION_TEXT,
     lambda s: duties.role_confirmed(replace(ROLE, name=s), INCIDENT, user_id="UA", by="UB")),
    (duties.duties_answer, "role names+duties (holder)", SECTION_TEXT,
     lambda s: duties.duties_answer(ALL_HELD, roles_named(s), "UA")),
    (duties.duties_answer, "role names+duties (no role)", SECTION_TEXT,
     lambda s: duties.duties_answer(ALL_HELD, roles_named(s), "UNOBODY")),
    (changes.role_already_held, "role name", SECTION_TEXT,
     lambda s: changes.role_already_held(replace(ROLE, name=s, short=s), "UA", asker="UB")),
    (changes.severity_changed_line, "-", SECTION_TEXT,
     lambda s: changes.severity_changed_line(POLICY, old="SEV2", new="SEV1", by="UA")),
    (changes.status_changed_line, "-", SECTION_TEXT,
     lambda s: changes.status_changed_line(POLICY, old="investigating", new="mitigated", by="U")),
    (changes.raised_to_top_notice, "title", SECTION_TEXT,
     lambda s: changes.raised_to_top_notice(replace(INCIDENT, title=s), POLICY)),
    (changes.not_refreshed, "error", SECTION_TEXT,
     lambda s: changes.not_refreshed(INCIDENT, [SlackFailure("chat.update", s)])),
    (changes.invalid_choice, "given", SECTION_TEXT,
     lambda s: changes.invalid_choice(InvalidChoice("severity", s, ["SEV1", "SEV2"]))),
    (declare_modal.declare_modal, "title", INITIAL_VALUE,
     lambda s: declare_modal.declare_modal(POLICY, title=s, origin=declare_modal.DeclareOrigin())),
    (declare_modal.declare_modal, "impact", INITIAL_VALUE,
     lambda s: declare_modal.declare_modal(
         POLICY, title="t", impact=s, origin=declare_modal.DeclareOrigin())),
    (declare_modal.declare_modal, "similar titles", SECTION_TEXT,
     lambda s: declare_modal.declare_modal(
         POLICY, title=s, origin=declare_modal.DeclareOrigin(),
         similar=[replace(INCIDENT, id=n, number=n, title=s) for n in range(1, 4)])),
    (declare_modal.joined_view, "title", SECTION_TEXT,
     lambda s: declare_modal.joined_view(replace(INCIDENT, title=s))),
    (declare_modal.join_refused, "reason", SECTION_TEXT,
     lambda s: declare_modal.join_refused(
         declare_modal.declare_modal(
             POLICY, title="t", origin=declare_modal.DeclareOrigin(), similar=[INCIDENT]),
         INCIDENT.id, s)),
    (alerts.alert_card, "alert text", SECTION_TEXT,
     lambda s: alerts.alert_card(
         _alert_group(s), incident=None, attachable=[replace(INCIDENT, title=s)] * 25,
         route=AlertRoute(name="r" * 60, action="propose"),
         suggested=replace(INCIDENT, title=s))),
    (alerts.alert_card, "decided", SECTION_TEXT,
     lambda s: alerts.alert_card(
         replace(_alert_group(s), state="incident", decided_by="U1"),
         incident=replace(INCIDENT, title=s), attachable=[],
         route=AlertRoute(name="default", action="propose"))),
    (alerts.alerts_resolved_note, "-", SECTION_TEXT,
     lambda s: alerts.alerts_resolved_note(INCIDENT, len(s))),
    (alerts.alerts_declared_note, "alert text", SECTION_TEXT,
     lambda s: alerts.alerts_declared_note(
         _alert_group(s), AlertRoute(name="r" * 60, action="declare", severity="SEV1"))),
    (alerts.alerts_attached_note, "name", SECTION_TEXT,
     lambda s: alerts.alerts_attached_note(_alert_group(s), "U1")),
    (origin.origin_reply, "-", SECTION_TEXT,
     lambda s: origin.origin_reply(replace(INCIDENT, private=bool(len(s) % 2)))),
    (origin.declared_from_line, "permalink", SECTION_TEXT,
     lambda s: origin.declared_from_line(
         INCIDENT, DeclaredFrom("CSUP", "1.2", permalink=f"https://x.slack.com/{s}"))),
    (role_modal.assign_role_modal, "title", INITIAL_VALUE,
     lambda s: role_modal.assign_role_modal(POLICY, replace(INCIDENT, title=s), role_key=None)),
    (postmortem.postmortem_summary, "title", SECTION_TEXT, lambda s: postmortem_of(title=s)),
    (postmortem.postmortem_summary, "resolution+root cause", SECTION_TEXT,
     lambda s: postmortem_of(resolution=s, root_cause=s)),
    (timeline.typed_entry, "text", SECTION_TEXT,
     lambda s: timeline.typed_entry(entry(1, s))),
    (timeline.typed_usage, "used", SECTION_TEXT,
     lambda s: timeline.typed_usage(["note", "action"], s)),
    (timeline.timeline_page, "entries+files", SECTION_TEXT, page_of),
    (timeline.pick_incident_modal, "message", SECTION_TEXT, lambda s: pick_modal(message_text=s)),
    (timeline.pick_incident_modal, "incident title", OPTION_TEXT, lambda s: pick_modal(title=s)),
    (timeline.added_to_timeline, "title", SECTION_TEXT,
     lambda s: timeline.added_to_timeline(replace(INCIDENT, title=s))),
    (timeline.no_incident_to_add_to, "-", SECTION_TEXT,
     lambda s: timeline.no_incident_to_add_to()),
    (timeline.not_added, "reason", SECTION_TEXT, lambda s: timeline.not_added(s)),
    (timeline.on_hidden_incident, "-", SECTION_TEXT, lambda s: timeline.on_hidden_incident()),
    (privacy.not_visible, "-", SECTION_TEXT, lambda s: privacy.not_visible()),
    (permissions.refusal_message, "title", SECTION_TEXT,
     lambda s: permissions.refusal_message(refusal(s), POLICY)),
    (permissions.refusal_text, "title", FALLBACK_TEXT,
     lambda s: Said(permissions.refusal_text(refusal(s), POLICY))),
    (postmortem.draft_on_its_way, "-", FALLBACK_TEXT,
     lambda s: Said(postmortem.draft_on_its_way("INC-7", joined=bool(len(s) % 2)))),
    (action_items.added_answer, "text", SECTION_TEXT,
     lambda s: action_items.added_answer(INCIDENT, replace(ITEM, text=s))),
    (action_items.added_line, "text", SECTION_TEXT,
     lambda s: action_items.added_line(INCIDENT, replace(ITEM, text=s))),
    (action_items.owner_notice, "text", SECTION_TEXT,
     lambda s: action_items.owner_notice(INCIDENT, replace(ITEM, text=s))),
    (action_items.item_list, "text+reason", SECTION_TEXT,
     lambda s: action_items.item_list(
         INCIDENT,
         [replace(ITEM, id=n, text=s) for n in range(10)]
         + [replace(DECLINED, id=n, text=s, reason=s) for n in range(10, 20)],
         Counts(10, 0, 30), offset=20, today=date(2026, 12, 1), zone=UTC, note=s)),
    (action_items.closed_line, "text", SECTION_TEXT,
     lambda s: action_items.closed_line(replace(ITEM, state="done", text=s, closed_by="UB"))),
    (action_items.closed_line, "text+reason", SECTION_TEXT,
     lambda s: action_items.closed_line(replace(DECLINED, text=s, reason=s))),
    (action_items.item_settled, "text", SECTION_TEXT,
     lambda s: action_items.item_settled(replace(DECLINED, text=s))),
    (action_items.overdue_to_owner, "text", SECTION_TEXT,
     lambda s: action_items.overdue_to_owner(INCIDENT, replace(ITEM, text=s))),
    (action_items.overdue_to_commander, "text", SECTION_TEXT,
     lambda s: action_items.overdue_to_commander(
         INCIDENT, replace(ITEM, text=s), owner_reminded=True)),
    (action_items.postmortem_open, "title", SECTION_TEXT,
     lambda s: action_items.postmortem_open(
         replace(INCIDENT, title=s), Counts(2, 1, 0), working_days=5)),
    (action_items.not_added, "reason", SECTION_TEXT, lambda s: action_items.not_added(s)),
    (action_items.usage, "note", SECTION_TEXT, lambda s: action_items.usage(s)),
    (action_items.add_modal, "title", CONTEXT_TEXT,
     lambda s: action_items.add_modal(replace(INCIDENT, title=s), default_due=date(2026, 12, 7))),
    (action_items.wont_do_modal, "text", SECTION_TEXT,
     lambda s: action_items.wont_do_modal(
         INCIDENT, replace(ITEM, text=s),
         action_items.WontDoOrigin(action_items.ItemRef(12, 0), "https://hooks.slack.com/x"))),
    (action_item_parts.with_item_buttons, "text", SECTION_TEXT,
     lambda s: action_item_parts.with_item_buttons(s, ITEM)),
    (action_item_parts.section_block, "text", SECTION_TEXT,
     lambda s: Message("x", [action_item_parts.section_block(s)])),
    (action_item_parts.context_block, "text", CONTEXT_TEXT,
     lambda s: Message("x", [action_item_parts.context_block(s)])),
    (text.mrkdwn_message, "text", SECTION_TEXT, text.mrkdwn_message),
    (text.mrkdwn_section, "text", SECTION_TEXT,
     lambda s: Message("x", [text.mrkdwn_section(s).to_dict()])),
    (finder.incident_list, "title", SECTION_TEXT,
     lambda s: finder.incident_list(
         Listing(ListQuery(), (replace(INCIDENT, title=s),), 0, AT), POLICY)),
    (finder.found_incidents, "title+excerpt", SECTION_TEXT,
     lambda s: finder.found_incidents(
         Found(("x",), (Match(replace(INCIDENT, title=s), excerpt=s),), 0, AT), POLICY)),
    (finder.found_incidents, "words", SECTION_TEXT,
     lambda s: finder.found_incidents(Found((s,), (), 0, AT), POLICY)),
    (finder.list_not_understood, "word", SECTION_TEXT,
     lambda s: finder.list_not_understood(BadListQuery(s), POLICY)),
    (finder.find_usage, "-", SECTION_TEXT, lambda s: finder.find_usage()),
    (stats.stats_message, "-", SECTION_TEXT,
     lambda s: stats.stats_message(build_report(
         [facts_of("SEV1", AT - timedelta(days=n), resolved=AT) for n in range(90)],
         POLICY, period_of_days(AT, 90), now=AT))),
    (stats.stats_usage, "given", SECTION_TEXT, lambda s: stats.stats_usage(s)),
    (digest.digest_message, "title", SECTION_TEXT,
     lambda s: digest.digest_message(busy_digest(60, title=s), POLICY)),
    (home.home_view, "titles+item texts", SECTION_TEXT,
     lambda s: home.home_view(busy_home(title=s), POLICY)),
]  # fmt: skip
if hasattr(action_items, "reminder_in_room"):
    CASES.append(
        (
            action_items.reminder_in_room,
            "reminder",
            SECTION_TEXT,
            lambda s: action_items.reminder_in_room(
                action_items.owner_notice(INCIDENT, replace(ITEM, text=s)),
                mention=None,
                absent="UA",
            ),
        )
    )


def _alert_group(text: str) -> AlertGroup:
    """A group whose every label, annotation and link is `text`."""
    now = INCIDENT.declared_at
    alert = Alert(
        "fp",
        FIRING,
        {"alertname": text, "k" + text: text},
        {"summary": text},
        starts_at=now,
        source_url="https://x.example/" + text,
    )
    return AlertGroup(
        id=7,
        source="alertmanager",
        group_key=text,
        route="r",
        state="proposed",
        cycle=1,
        labels={f"l{n}" + text: text for n in range(8)},
        annotations={"summary": text},
        external_url="https://am.example/" + text,
        incident_id=None,
        proposal_channel=None,
        proposal_ts=None,
        decided_by=None,
        first_started_at=now,
        updated_at=now,
        firing=30,
        resolved=3,
        alerts=(alert,) * 10,
    )


# Builders of ids, labels and parts that never hold a whole block, and the parsers.
NOT_PAYLOADS = {
    "incident_lines",  # text inside finder.incident_list and home.home_view, both rows
    "add_block",
    "alert_card_block_id",
    "add_button",
    "announcement_block_id",
    "clip",
    "digest_block_id",
    "due_label",
    "item_buttons",
    "declared_from_block_id",
    "origin_note_block_id",
    "origin_reply_block_id",
    "owner_label",
    "postmortem_filename",
    "quoted",
    "reminder_block_id",
    "role_take_action_id",
    "room_label",
    "styled",
}

# User text as it comes: plain, escape-heavy (& grows to &amp;), and ZWJ emoji sequences.
FAMILY = "👨\u200d👩\u200d👧"
UNITS = {"plain": "x", "escaped": "&", "zwj": FAMILY}
SHOWN_AS = {"x": ["x"], "&": ["&amp;", "&"], FAMILY: [FAMILY]}


def _sizes(limit: int) -> list[int]:
    return [limit, limit + 1, 10_000]


PARAMS = [
    pytest.param(render, unit, n, id=f"{builder.__module__.rsplit('.', 1)[-1]}.{builder.__name__}"
             f"[{field}]-{kind}-{n}")
    for builder, field, limit, render in CASES
    for kind, unit in UNITS.items()
    for n in (_sizes(limit) if unit != FAMILY else [10_000 // len(FAMILY)])
]  # fmt: skip


def strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [s for item in node for s in strings(item)]
    if isinstance(node, dict):
        return [s for value in node.values() for s in strings(value)]
    return []


def assert_slack_accepts(output: Output) -> list[str]:
    """The stand-in's checks and slack_sdk's models both accept it; its strings."""
    if isinstance(output, Said):
        assert 0 < len(output.text) <= FALLBACK_TEXT
        return [output.text]
    if isinstance(output, str):
        assert 0 < len(output) <= TOPIC
        return [output]
    if isinstance(output, Message):
        assert block_problems(output.blocks, surface="message") == []
        assert len(output.blocks) <= MESSAGE_BLOCKS
        assert 0 < len(output.text) <= FALLBACK_TEXT
        for block in output.blocks:
            parsed = Block.parse(block)
            assert parsed is not None
            parsed.to_dict()  # runs slack_sdk's validators, raising on a broken limit
        return strings([output.text, output.blocks])
    assert view_problems(output) == []
    assert len(output["blocks"]) <= VIEW_BLOCKS
    View(**output).to_dict()
    return strings(output)


def assert_cut_with_ellipsis(shown: list[str], unit: str, count: int) -> bool:
    """Every run of the user's text is whole or ends in "…"; True if one was cut."""
    cut = False
    for form in SHOWN_AS[unit]:
        run = re.compile(f"(?:{re.escape(form)}){{5,}}")
        for string in shown:
            for match in run.finditer(string):
                units = len(match.group()) // len(form)
                if units == count:
                    continue
                after = string[match.end() : match.end() + 1]
                if form == "&" and after == "a":  # the start of an &amp; run, read as "&"
                    continue
                assert after == ELLIPSIS, (units, count, string[match.end() - 20 : match.end() + 5])
                cut = True
    return cut


@pytest.mark.parametrize(("render", "unit", "count"), PARAMS)
def test_every_builder_fits_slack_at_and_past_each_limit(
    render: Render, unit: str, count: int
) -> None:
    shown = assert_slack_accepts(render(unit * count))
    cut = assert_cut_with_ellipsis(shown, unit, count)
    assert "\u200d" + ELLIPSIS not in "".join(shown)
    if count * len(unit) >= 10_000 and any(unit * 5 in s or "&amp;" * 5 in s for s in shown):
        assert cut, "10,000 characters were shown somewhere uncut"


def test_every_builder_is_in_the_table() -> None:
    """A new builder module or function must join CASES (or be named a non-payload)."""
    covered = {builder for builder, *_ in CASES}
    missing = []
    for info in pkgutil.iter_modules(blocks_package.__path__):
        if info.name == "kit":  # the pieces builders are made of (tests/slack/test_kit.py)
            continue
        module = importlib.import_module(f"{blocks_package.__name__}.{info.name}")
        for name in getattr(module, "__all__", []):
            found = getattr(module, name)
            if (
                inspect.isfunction(found)
                and found.__module__ == module.__name__
                and not name.startswith("parse_")
                and name not in {"picked_incident", *NOT_PAYLOADS}
                and found not in covered
            ):
                missing.append(f"{info.name}.{name}")
    assert missing == []


# -- the one helper ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "limit", "expected"),
    [
        ("abc", 3, "abc"),
        ("abcd", 3, "ab…"),
        ("ab cd", 4, "ab…"),
        ("a&amp;b", 4, "a…"),
        ("a&amp;b", 7, "a&amp;b"),
        ("a&amp;&amp;", 10, "a&amp;…"),
        ("hi <@U12345> there", 10, "hi…"),
        ("x <!date^1700000000^{time}|03:00 UTC> y", 30, "x…"),
        (f"a{FAMILY}b", 4, "a…"),
        ("ae\u0301z", 3, "a…"),
        ("a🇫🇷🇩🇪", 3, "a…"),
        ("a🇫🇷🇩🇪", 4, "a🇫🇷…"),
        ("👍🏽👍🏽", 3, "👍🏽…"),
        ("👍🏽👍🏽", 2, "…"),
        ("abc", 0, ""),
    ],
)
def test_clip_never_splits_an_entity_token_or_glyph(source: str, limit: int, expected: str) -> None:
    assert clip(source, limit) == expected
    assert len(clip(source, limit)) <= limit


def test_escaping_before_clipping_keeps_entities_whole() -> None:
    from warroom.slack import mrkdwn

    for n in range(1, 40):
        shown = mrkdwn.escape_within("&" * 50, n)
        assert len(shown) <= n
        assert re.fullmatch(r"(?:&amp;)*…?", shown), shown


def test_a_field_one_past_section_field_limit_is_cut() -> None:
    shown = clip("y" * (SECTION_FIELD + 1), SECTION_FIELD)
    assert len(shown) == SECTION_FIELD and shown.endswith(ELLIPSIS)


# -- the stand-in holds a preselected option to the option limits -------------------------


def test_stand_in_checks_a_preselected_option_like_any_option() -> None:
    long = {"text": {"type": "plain_text", "text": "o" * (OPTION_TEXT + 1)}, "value": "v"}
    ok = {"text": {"type": "plain_text", "text": "o" * OPTION_TEXT}, "value": "v"}
    select = {"type": "static_select", "action_id": "a", "options": [ok]}
    blocks = [{"type": "actions", "elements": [{**select, "initial_option": long}]}]
    assert block_problems(blocks, surface="message") == [
        "must be less than 76 characters "
        "[json-pointer:/blocks/0/elements/0/initial_option/text/text]"
    ]
    fine = [{"type": "actions", "elements": [{**select, "initial_option": ok}]}]
    assert block_problems(fine, surface="message") == []
