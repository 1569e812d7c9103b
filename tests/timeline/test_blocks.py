"""Golden files and Slack's limits for the timeline's Block Kit, and quoting stored text."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fakeslack.limits import block_problems, view_problems
from tests.golden import assert_golden
from tests.payloads import mrkdwn_texts
from warroom.domain.incident import Incident
from warroom.domain.timeline import (
    Cursor,
    KeyPage,
    SlackMessage,
    TimelineItem,
    slack_time,
    slack_ts,
)
from warroom.slack import mrkdwn
from warroom.slack.blocks.timeline import (
    METADATA_MAX,
    SECTION_MAX,
    ShortcutOrigin,
    pick_incident_modal,
    timeline_page,
    typed_entry,
)

AT = datetime(2026, 11, 23, 9, 12, 30, tzinfo=UTC)
INCIDENT = Incident(
    id=41,
    team_id="T1",
    number=7,
    title="Checkout returns 500s",
    impact="EU checkouts fail",
    severity="SEV1",
    status="investigating",
    private=False,
    reporter_id="UREPORTER",
    declared_at=AT,
    channel_id="CROOM",
)


def item(n: int, kind: str = "note", text: str = "step", **fields: object) -> TimelineItem:
    base = TimelineItem(
        id=n,
        kind=kind,
        author_id="UALICE",
        text=text,
        slack_format=kind not in {"declared"},
        occurred_at=AT + timedelta(minutes=n),
        highlighted=False,
        edited_at=None,
        deleted_at=None,
    )
    return replace(base, **fields)  # type: ignore[arg-type]


PAGE = KeyPage(
    incident=INCIDENT,
    items=(
        item(1, "declared", "Declared SEV1: Checkout <returns> 500s"),
        item(2, "message", "DB at 100% CPU <!here>", highlighted=True),
        item(3, "file_share", "graph", highlighted=True, files=("cpu.png",)),
        item(4, "hypothesis", "Bad index from <@UBOB|bob>'s migration", author_id="UBOB"),
        item(5, "message", "wrong", highlighted=True, edited_at=AT, deleted_at=AT),
        item(6, "pending", "", highlighted=True),
    ),
    total=26,
    newer=0,
    earlier=Cursor(41, AT, 1, 6),
)


def test_timeline_page_golden() -> None:
    message = timeline_page(PAGE, highlight_emoji="pushpin", zone=ZoneInfo("Europe/Berlin"))
    assert block_problems(message.blocks, surface="message") == []
    assert_golden("timeline_page", {"text": message.text, "blocks": message.blocks})
    flat = " ".join(mrkdwn_texts(message.blocks))
    assert "<!here>" not in flat and "&lt;returns&gt;" in flat and "@bob's" in flat
    assert "<@UBOB|" not in flat
    assert "|2026-11-23 10:13 CET>" in flat, "fallback in the organisation's zone"


def test_typed_entry_golden() -> None:
    message = typed_entry(item(4, "action", "Failing over to <#C2|db-replica> &amp; watching"))
    assert block_problems(message.blocks, surface="message") == []
    assert_golden("timeline_typed_entry", {"text": message.text, "blocks": message.blocks})


def test_pick_modal_golden() -> None:
    message = SlackMessage("CSUPPORT", "1700000000.000100", "message", "UCAROL", "FR can't pay")
    origin = ShortcutOrigin(message, "https://hooks.slack.com/actions/T1/1/abc")
    view = pick_incident_modal([INCIDENT, replace(INCIDENT, id=42, number=8)], origin)
    assert view_problems(view) == []
    assert_golden("timeline_pick_modal", view)


def test_a_full_page_of_huge_entries_fits_slack() -> None:
    huge = "<@U1> " + "x&amp;" * 10_000
    items = tuple(item(n, "message", huge, highlighted=True, files=("f" * 300,)) for n in range(20))
    page = replace(PAGE, items=items, total=500, newer=40)
    message = timeline_page(page, highlight_emoji="x", zone=UTC)
    assert block_problems(message.blocks, surface="message") == []
    assert len(message.blocks) <= 50
    assert all(len(text) <= SECTION_MAX for text in mrkdwn_texts(message.blocks))
    assert "entries 441-460 of 500" in message.text


def test_huge_typed_entry_fits_a_section() -> None:
    message = typed_entry(item(1, "note", "<!channel> " + "y" * 50_000))
    assert block_problems(message.blocks, surface="message") == []
    assert "<!channel>" not in message.text


def test_shortcut_origin_fits_private_metadata_and_round_trips() -> None:
    data = {"thread_ts": "1700000000.000001", "files": ["a.png"]}
    message = SlackMessage("C1", "1700000000.000100", "file_share", "U1", "é" * 9000, None, data)
    origin = ShortcutOrigin(message, "https://hooks.slack.com/actions/T1/1/abc")
    encoded = origin.encode()
    assert len(encoded) <= METADATA_MAX
    decoded = ShortcutOrigin.decode(encoded)
    assert decoded is not None and decoded.response_url == origin.response_url
    assert decoded.message.text.endswith("…") and decoded.message.data == data
    assert ShortcutOrigin.decode("not json") is None and ShortcutOrigin.decode("{}") is None
    view = pick_incident_modal([INCIDENT] * 150, origin)
    assert view_problems(view) == []


def test_cursor_round_trips_and_rejects_garbage() -> None:
    cursor = Cursor(41, slack_time("1700000000.000100"), 9, 20)
    assert Cursor.decode(cursor.encode()) == cursor
    assert Cursor.decode("41:nope") is None and Cursor.decode("") is None


def test_slack_ts_is_exact_to_the_microsecond() -> None:
    for ts in ("1700000000.000100", "1700000000.999999", "0000000001.000001", "1700000000.5"):
        moment = slack_time(ts)
        assert moment.tzinfo is not None
        assert slack_time(slack_ts(moment)) == moment
    assert slack_ts(slack_time("1700000000.000100")) == "1700000000.000100"


def test_requote_shows_mentions_and_links_as_words() -> None:
    text = "<!channel> <!here|here> <!subteam^S1|@oncall> <@U1> <#C1|ops> <https://x|y> &lt;"
    assert mrkdwn.requote(text) == "@channel here @oncall @U1 #ops y (https://x) &lt;"
    assert mrkdwn.requote("<@U1|al> <https://x.example> a & b > c") == (
        "@al https://x.example a &amp; b &gt; c"
    )
    assert "<!" not in mrkdwn.requote("<!<!here>> <!date^1^{date}|today> <!everyone")
    assert mrkdwn.requote_within("ab <@U123456> cd", 8) == "ab @U12…"
    assert mrkdwn.requote_within("a &amp; b", 5) == "a…"
    assert mrkdwn.requote_within("short", 10) == "short"
