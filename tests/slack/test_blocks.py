"""Golden tests for every Block Kit builder, plus Slack's limits on hostile input."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from fakeslack.limits import block_problems, view_problems
from tests.golden import assert_golden
from tests.payloads import mrkdwn_texts
from warroom.demo.slack.driver import fill_view
from warroom.domain.incident import Incident, RoleHolder
from warroom.policy_file import load_policy
from warroom.slack.blocks.announcement import announcement
from warroom.slack.blocks.card import incident_card, role_take_action_id
from warroom.slack.blocks.declare_modal import (
    DeclareOrigin,
    declare_modal,
    parse_declare_submission,
)
from warroom.slack.blocks.help import usage
from warroom.slack.blocks.notices import room_ready, setup_failed
from warroom.slack.blocks.reminders import nothing_to_snooze
from warroom.slack.blocks.topic import TOPIC_MAX, channel_topic

POLICY = load_policy()
DECLARED = datetime(2026, 11, 23, 3, 4, 5, tzinfo=UTC)
INCIDENT = Incident(
    id=41,
    team_id="T1",
    number=7,
    title="Checkout returns 500s",
    impact="About 30% of EU checkouts fail",
    severity="SEV1",
    status="investigating",
    private=False,
    reporter_id="UREPORTER",
    declared_at=DECLARED,
    started_at=datetime(2026, 11, 23, 2, 50, tzinfo=UTC),
    channel_id="CROOM",
    channel_name="inc-7-checkout-returns-500s",
)
HOSTILE = "<!channel> <!here> <@U999> <https://evil.example|ok> & *bold* " + "🔥" * 20


def test_declare_modal_golden() -> None:
    view = declare_modal(
        POLICY,
        title="DB down",
        origin=DeclareOrigin(channel_id="CGEN", response_url="https://hooks.slack.com/x"),
    )
    assert view_problems(view) == []
    assert_golden("declare_modal", view)


def test_declare_modal_round_trip_from_filled_state() -> None:
    view = declare_modal(POLICY, title="", origin=DeclareOrigin("CGEN", "https://r"))
    started = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    state = fill_view(
        view,
        {
            "title": "API slow",
            "severity": "SEV3",
            "impact": "Some",
            "started_at": started,
            "private": ["private"],
            "responders": ["U1", "U2"],
        },
    )
    form, origin = parse_declare_submission(
        {"state": {"values": state}, "private_metadata": view["private_metadata"]}
    )
    assert (form.title, form.severity, form.impact) == ("API slow", "SEV3", "Some")
    assert form.started_at == started and form.private and form.responders == ("U1", "U2")
    assert origin == DeclareOrigin("CGEN", "https://r")


def test_declare_modal_shows_every_severity_with_its_definition_and_no_default() -> None:
    view = declare_modal(POLICY, title="", origin=DeclareOrigin())
    (severity,) = [b for b in view["blocks"] if b["block_id"] == "severity"]
    keys = [o["value"] for o in severity["element"]["options"]]
    assert keys == ["SEV1", "SEV2", "SEV3", "SEV4"]
    assert all(o["description"]["text"] for o in severity["element"]["options"])
    assert "initial_option" not in severity["element"]
    assert "higher" in severity["hint"]["text"]


def test_declare_modal_prefill_is_clipped_to_limit() -> None:
    view = declare_modal(POLICY, title="x" * 500, origin=DeclareOrigin())
    assert len(view["blocks"][0]["element"]["initial_value"]) == 120
    assert view_problems(view) == []


def test_card_golden() -> None:
    message = incident_card(INCIDENT, POLICY)
    assert block_problems(message.blocks, surface="message") == []
    assert_golden("incident_card", {"text": message.text, "blocks": message.blocks})


def test_card_role_buttons_have_final_action_ids() -> None:
    message = incident_card(INCIDENT, POLICY)
    ids = [
        b["accessory"]["action_id"]
        for b in message.blocks
        if b.get("accessory", {}).get("action_id")
    ]
    assert ids == [
        "role_take:commander",
        "role_take:ops_lead",
        "role_take:comms_lead",
        "role_take:scribe",
    ]
    assert ids[0] == role_take_action_id("commander")


def test_card_shows_holders_and_private_note() -> None:
    held = replace(
        INCIDENT,
        private=True,
        roles=(RoleHolder("commander", "UIC", "UIC", DECLARED),),
    )
    blocks = str(incident_card(held, POLICY).blocks)
    assert "<@UIC>" in blocks and "Private incident" in blocks


def test_announcement_golden() -> None:
    message = announcement(INCIDENT, POLICY)
    assert block_problems(message.blocks, surface="message") == []
    assert_golden("announcement", {"text": message.text, "blocks": message.blocks})


def test_topic() -> None:
    assert channel_topic(INCIDENT, POLICY) == (
        "SEV1 · Investigating · IC: unassigned · Checkout returns 500s"
    )


@pytest.mark.parametrize("title", [HOSTILE, "&" * 120, "<" * 120])
def test_user_text_never_becomes_markup_and_stays_in_limits(title: str) -> None:
    hostile = replace(INCIDENT, title=title[:120], impact=(title * 40)[:2000])
    for message in (incident_card(hostile, POLICY), announcement(hostile, POLICY)):
        assert block_problems(message.blocks, surface="message") == []
        rendered = " ".join(mrkdwn_texts(message.blocks)) + message.text
        for markup in ("<!channel>", "<!here>", "<@U999>", "<https://evil"):
            assert markup not in rendered
    topic = channel_topic(hostile, POLICY)
    assert len(topic) <= TOPIC_MAX and "<!channel>" not in topic


def test_usage_names_what_was_not_understood_escaped() -> None:
    commands = [("/incident declare [title]", "Open a war room.")]
    assert "/incident declare" in usage(commands).text
    text = usage(commands, not_understood="<!here>").text
    assert "&lt;!here&gt;" in text and "<!here>" not in text


def test_notices() -> None:
    ready = room_ready(INCIDENT, [("UGONE", "user_not_found")])
    assert "<#CROOM>" in ready.text and "<@UGONE>" in ready.text
    failed = setup_failed(
        replace(INCIDENT, channel_id=None),
        method="conversations.create",
        error="restricted_action",
        advice="Ask an admin.",
        announce=True,
    )
    assert_golden("setup_failed", {"text": failed.text, "blocks": failed.blocks})
    assert failed.blocks[-1]["elements"][0]["action_id"] == "declare_retry"


def test_usage_placeholders_are_escaped_so_slack_shows_them() -> None:
    text = usage([("/incident role <ic|ops> @person", "Give a role.")]).text
    assert "&lt;ic|ops&gt;" in text and "<ic|ops>" not in text


def test_nothing_to_snooze_says_why_and_when_the_update_is_due() -> None:
    due = DECLARED + timedelta(hours=1)
    later = nothing_to_snooze(replace(INCIDENT, next_update_due_at=due))
    assert later.text.startswith("Nothing to snooze: the next update for *INC-7* is already due")
    assert "<!date^" in later.text and "never brings an update forward" in later.text
    resolved = nothing_to_snooze(replace(INCIDENT, resolved_at=DECLARED, next_update_due_at=None))
    assert resolved.text == "Nothing to snooze: *INC-7* is resolved."
    cancelled = replace(INCIDENT, resolved_at=DECLARED, cancelled_at=DECLARED)
    assert nothing_to_snooze(cancelled).text == "Nothing to snooze: *INC-7* was cancelled."
    quiet = nothing_to_snooze(replace(INCIDENT, next_update_due_at=None))
    assert quiet.text == "Nothing to snooze: *INC-7* expects no status updates now."
