"""Golden tests for the declare form's new shapes: prefilled from a message, offering
similar open incidents, after **Join INC-N instead**; and the lines about where an
incident was declared from."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from fakeslack.limits import block_problems, view_problems
from tests.golden import assert_golden
from tests.slack.test_blocks import INCIDENT, POLICY
from warroom.demo.slack.driver import fill_view
from warroom.domain.declaration import DeclarationForm, DeclaredFrom
from warroom.slack.blocks.declare_modal import (
    JOIN_SIMILAR_ACTION,
    DeclareOrigin,
    declare_modal,
    join_refused,
    joined_view,
    parse_declare_submission,
)
from warroom.slack.blocks.origin import declared_from_line, origin_reply

MESSAGE = DeclaredFrom(
    "CSUPPORT1",
    "1700000000.000200",
    thread_ts="1700000000.000100",
    permalink="https://acme.slack.com/archives/CSUPPORT1/p1700000000000200",
)
OTHER = replace(INCIDENT, id=42, number=8, title="Checkout 500s in EU", channel_id="CROOM8")


def _message_blocks(message: object) -> list[dict[str, object]]:
    blocks = getattr(message, "blocks", [])
    assert isinstance(blocks, list)
    return blocks


def test_declare_modal_from_a_message_offering_similar_incidents_golden() -> None:
    origin = DeclareOrigin("CSUPPORT1", "https://hooks.slack.com/x", message=MESSAGE, checked=True)
    view = declare_modal(
        POLICY,
        title="Checkout returns 500s",
        impact="Customers report 502s when paying\nsince 10:02",
        severity="SEV2",
        origin=origin,
        similar=[INCIDENT, OTHER],
    )

    assert view_problems(view) == []
    assert view["submit"]["text"] == "Declare anyway"
    buttons = [b["accessory"] for b in view["blocks"] if "accessory" in b]
    assert [(b["action_id"], b["value"], b["text"]["text"]) for b in buttons] == [
        (JOIN_SIMILAR_ACTION, "41", "Join INC-7 instead"),
        (JOIN_SIMILAR_ACTION, "42", "Join INC-8 instead"),
    ]
    assert DeclareOrigin.decode(view["private_metadata"]) == origin
    assert_golden("declare_modal_similar", view)


def test_a_form_answered_with_similar_incidents_keeps_everything_typed() -> None:
    started = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    form = DeclarationForm(
        title="API slow", severity="SEV3", impact="Some", started_at=started,
        private=True, responders=("U1", "U2"),
    )  # fmt: skip
    view = declare_modal(
        POLICY, title="", origin=DeclareOrigin(checked=True), similar=[INCIDENT], form=form
    )
    assert view_problems(view) == []

    again, origin = parse_declare_submission(
        {"state": {"values": fill_view(view, {})}, "private_metadata": view["private_metadata"]}
    )

    assert again == form and origin.checked


def test_the_usual_form_is_unchanged_by_the_new_options() -> None:
    plain = declare_modal(POLICY, title="DB down", origin=DeclareOrigin("CGEN", "https://r"))
    same = declare_modal(
        POLICY, title="DB down", origin=DeclareOrigin("CGEN", "https://r"), impact="", similar=[]
    )

    assert plain == same and plain["submit"]["text"] == "Declare"
    assert "initial_option" not in plain["blocks"][1]["element"]


def test_an_unknown_severity_prefill_is_ignored() -> None:
    view = declare_modal(POLICY, title="t", severity="SEV9", origin=DeclareOrigin())
    (severity,) = [b for b in view["blocks"] if b.get("block_id") == "severity"]

    assert "initial_option" not in severity["element"]


def test_joined_view_golden() -> None:
    view = joined_view(INCIDENT)

    assert view_problems(view) == []
    assert "submit" not in view
    assert_golden("declare_joined_view", view)


def test_a_refused_join_replaces_only_that_offer() -> None:
    offered = declare_modal(POLICY, title="t", origin=DeclareOrigin(), similar=[INCIDENT, OTHER])
    as_slack_sends = {**offered, "id": "V1", "hash": "h", "state": {"values": {}}, "app_id": "A"}

    refused = join_refused(as_slack_sends, OTHER.id, "its room is archived")

    assert view_problems(refused) == []
    assert {"id", "hash", "state", "app_id"}.isdisjoint(refused)
    changed = [(a, b) for a, b in zip(offered["blocks"], refused["blocks"], strict=True) if a != b]
    assert len(changed) == 1 and "its room is archived" in changed[0][1]["text"]["text"]
    assert changed[0][1]["block_id"] == "similar:42" and "accessory" not in changed[0][1]


def test_origin_reply_golden_and_a_private_one_names_nothing() -> None:
    public = origin_reply(INCIDENT)
    private = origin_reply(replace(INCIDENT, private=True, title="Payroll data exposed"))

    assert block_problems(public.blocks, surface="message") == []
    assert public.text == "🚨 Declared *INC-7*: <#CROOM>"
    for said in (private.text, str(private.blocks)):
        assert "INC-7" not in said and "CROOM" not in said and "Payroll" not in said
        assert "UREPORTER" not in said
    assert_golden("origin_reply", {"public": _message_blocks(public), "private": private.blocks})


def test_declared_from_line_golden_and_no_link_that_is_not_slacks() -> None:
    line = declared_from_line(INCIDENT, MESSAGE)
    assert block_problems(line.blocks, surface="message") == []
    assert_golden("declared_from_line", {"text": line.text, "blocks": line.blocks})

    forged = replace(MESSAGE, permalink="javascript:alert(1)|<!channel>", channel_id="C1 <!here>")
    text = declared_from_line(INCIDENT, forged).text
    assert text == "🧵 Declared from a message."
