"""`/incident list` and `/incident find` over signed requests: the ephemeral answer Slack
gets, links to the rooms, private incidents hidden from people outside them, and the
answer sent through the response_url when it takes longer than Slack waits."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fakeslack import block_problems
from tests.harness import REPORTER, Harness
from tests.payloads import mrkdwn_texts
from warroom.bolt.listeners import finder

OUTSIDER = "UOUTSIDER1"

Json = dict[str, Any]


async def ask(harness: Harness, text: str, user: str, channel: str | None = None) -> Json:
    """`/incident <text>` in a general channel; the synchronous (ephemeral) answer."""
    status, body = await harness.command(text, user=user, channel=channel)
    assert status == 200, body
    await harness.settle()
    answer: Json = json.loads(body)
    assert answer.get("response_type", "ephemeral") == "ephemeral"
    assert block_problems(answer.get("blocks", []), surface="message") == []
    return answer


def shown(answer: Json) -> str:
    return "\n".join([answer["text"], *mrkdwn_texts(answer.get("blocks", []))])


async def test_list_links_the_rooms_a_person_may_see(harness: Harness) -> None:
    public = await harness.declare(title="Checkout returns 500s", severity="SEV2")
    secret = await harness.declare(title="Merger data room leak", private=["private"])
    assert public.channel_id and secret.channel_id

    mine = shown(await ask(harness, "list", REPORTER))
    assert f"<#{secret.channel_id}>" in mine and f"<#{public.channel_id}>" in mine
    assert "*Open incidents* (2)" in mine and "INC-2* 🔒 · SEV2" in mine

    outsider = shown(await ask(harness, "list open SEV2", OUTSIDER))
    assert f"<#{public.channel_id}>" in outsider and "Checkout returns 500s" in outsider
    assert "Merger" not in outsider and secret.channel_id not in outsider
    assert "(1)" in outsider and "more" not in outsider

    assert "No open SEV1 incidents right now." in shown(await ask(harness, "list sev1", OUTSIDER))
    bad = shown(await ask(harness, "list <!channel> &lt;x&gt;", OUTSIDER))
    assert "I don't know `@channel` here." in bad and "<!channel>" not in bad


async def test_find_searches_key_entries_but_never_a_private_room_for_outsiders(
    harness: Harness,
) -> None:
    public = await harness.declare(title="Checkout returns 500s")
    secret = await harness.declare(title="Checkout fraud ring", private=["private"])
    status, _ = await harness.command(
        "note the merger data room was exposed", channel=secret.channel_id
    )
    assert status == 200
    await harness.settle()

    member = await ask(harness, "find merger", REPORTER)
    assert f"<#{secret.channel_id}>" in shown(member)
    assert "> the merger data room was exposed" in shown(member)

    hidden = await ask(harness, "find merger", OUTSIDER)
    unknown = await ask(harness, "find xyzzyunknown", OUTSIDER)
    assert shown(hidden).replace("merger", "WORDS") == shown(unknown).replace(
        "xyzzyunknown", "WORDS"
    ), "a private match looks exactly like no match at all"

    both = shown(await ask(harness, 'find "checkout*" NEAR(', OUTSIDER))
    assert f"<#{public.channel_id}>" not in both, "every word must match; `near` does not"
    one = shown(await ask(harness, 'find "CHECK', OUTSIDER))
    assert f"<#{public.channel_id}>" in one and "Checkout fraud" not in one
    assert "(1)" in one
    usage = shown(await ask(harness, "find", OUTSIDER))
    assert "/incident find &lt;words&gt;" in usage


async def test_a_slow_answer_comes_through_the_response_url(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    incident = await harness.declare(title="Checkout returns 500s")
    monkeypatch.setattr(finder, "ANSWER_WITHIN_S", 0)
    told = len(harness.told())

    answer = await ask(harness, "find checkout", OUTSIDER)

    assert "Still looking" in answer["text"]
    (later,) = harness.told()[told:]
    assert f"<#{incident.channel_id}>" in shown(later)
    assert later.get("response_type", "ephemeral") == "ephemeral"
