"""Builders of issue 14: a role's duties (DM, confirmation, `/incident duties`) and the line
in the channel an incident was declared from. Golden files (UPDATE_GOLDEN=1 rewrites)."""

from __future__ import annotations

from dataclasses import replace

from fakeslack.limits import block_problems
from tests.golden import assert_golden
from tests.slack.test_blocks import HOSTILE, INCIDENT, POLICY
from warroom.domain.incident import RoleHolder
from warroom.slack.blocks.declare_modal import DeclareOrigin
from warroom.slack.blocks.duties import duties_answer, duties_dm, role_confirmed
from warroom.slack.blocks.origin import origin_note, origin_note_block_id
from warroom.slack.message import Message

COMMANDER = POLICY.commander_role
HELD = replace(
    INCIDENT,
    roles=(
        RoleHolder("commander", "UALICE", "UALICE", INCIDENT.declared_at),
        RoleHolder("scribe", "UALICE", "UBOB", INCIDENT.declared_at),
        RoleHolder("ops_lead", "UBOB", "UBOB", INCIDENT.declared_at),
    ),
)


def shown(message: Message) -> dict[str, object]:
    assert block_problems(message.blocks, surface="message") == []
    return {"text": message.text, "blocks": message.blocks}


def test_duties_dm_golden() -> None:
    dm = duties_dm(COMMANDER, INCIDENT, user_id="UALICE", by="UBOB")
    assert_golden("duties_dm", shown(dm))
    taken = duties_dm(COMMANDER, INCIDENT, user_id="UALICE", by="UALICE")
    assert "gave you" not in taken.text and "/incident duties" in taken.text


def test_role_confirmed_to_the_taker_and_to_the_giver() -> None:
    taken = role_confirmed(COMMANDER, INCIDENT, user_id="UALICE", by="UALICE")
    given = role_confirmed(COMMANDER, INCIDENT, user_id="UALICE", by="UBOB")
    assert taken.text.startswith("✅ You are now *Incident Commander* for *INC-7*")
    assert given.text.startswith("✅ <@UALICE> is now *Incident Commander* for *INC-7*")


def test_duties_answer_for_a_holder_golden() -> None:
    answer = duties_answer(HELD, POLICY, "UALICE")
    assert_golden("duties_answer_holder", shown(answer))
    assert "Ops lead" not in answer.text


def test_duties_answer_for_someone_without_a_role_golden() -> None:
    answer = duties_answer(HELD, POLICY, "UCAROL")
    assert_golden("duties_answer_no_role", shown(answer))
    assert all(f"*{role.name}*" in answer.text for role in POLICY.roles)


def test_origin_note_golden_and_user_text_stays_text() -> None:
    note = origin_note(INCIDENT)
    assert_golden("origin_note", shown(note))
    assert note.blocks[0]["block_id"] == origin_note_block_id(INCIDENT) == "origin_note:INC-7"
    hostile = origin_note(replace(INCIDENT, title=HOSTILE))
    assert "<!channel>" not in hostile.text and "&lt;!channel&gt;" in hostile.text


def test_declare_origin_carries_a_public_channel_only() -> None:
    public = DeclareOrigin("CGENERAL1", "https://r", public=True)
    assert DeclareOrigin.decode(public.encode()) == public
    assert DeclareOrigin.decode(public.encode()).public_channel == "CGENERAL1"
    assert DeclareOrigin("CGENERAL1", "https://r").public_channel is None
    assert DeclareOrigin("D0DM", "https://r", public=True).public_channel is None
    assert DeclareOrigin("C1 <!here>", "https://r", public=True).public_channel is None
    assert DeclareOrigin.decode('{"channel_id": "CGEN", "public": "yes"}').public is False
