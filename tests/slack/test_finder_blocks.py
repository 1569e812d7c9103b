"""`/incident list` and `/incident find` answers: golden files, user text escaped, and
a full page within Slack's limits."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from fakeslack.limits import block_problems
from tests.golden import assert_golden
from tests.slack.test_blocks import HOSTILE, INCIDENT, POLICY
from warroom.domain.finding import (
    LIST_SHOWN,
    OPEN,
    RECENT,
    BadListQuery,
    Found,
    Listing,
    ListQuery,
    Match,
)
from warroom.domain.incident import RoleHolder
from warroom.slack.blocks.finder import (
    find_usage,
    found_incidents,
    incident_list,
    list_not_understood,
)
from warroom.slack.blocks.limits import MESSAGE_BLOCKS

NOW = INCIDENT.declared_at + timedelta(minutes=40)
LEAD = RoleHolder("commander", "UALICE", "UREPORTER", INCIDENT.declared_at)
OPEN_ONE = replace(INCIDENT, roles=(LEAD,), next_update_due_at=NOW + timedelta(minutes=20))
LATE = replace(
    INCIDENT,
    id=42,
    number=8,
    title="Search is slow",
    severity="SEV3",
    status="mitigated",
    channel_id="CSEARCH",
    next_update_due_at=NOW - timedelta(minutes=5),
)
PRIVATE_SETUP = replace(INCIDENT, id=43, number=9, private=True, channel_id=None, title="Secret")
RESOLVED = replace(
    INCIDENT,
    id=44,
    number=6,
    status="resolved",
    resolved_at=NOW - timedelta(days=1),
    summary="Rolled back",
)


def test_list_golden() -> None:
    listing = Listing(ListQuery(OPEN), (OPEN_ONE, LATE, PRIVATE_SETUP), more=0, now=NOW)
    message = incident_list(listing, POLICY)
    assert block_problems(message.blocks, surface="message") == []
    assert_golden("finder_list", {"text": message.text, "blocks": message.blocks})
    shown = str(message.blocks)
    assert "<#CROOM>" in shown and "IC <@UALICE>" in shown and "no IC yet" in shown
    assert "overdue" in shown and "_room being set up_" in shown


def test_find_golden() -> None:
    found = Found(
        terms=("checkout", "500s"),
        matches=(
            Match(OPEN_ONE, slack_format=False),
            Match(RESOLVED, excerpt="rolled back <@U1|bob> &amp; <!here>\nsecond line"),
        ),
        more=3,
        now=NOW,
    )
    message = found_incidents(found, POLICY)
    assert block_problems(message.blocks, surface="message") == []
    assert_golden("finder_found", {"text": message.text, "blocks": message.blocks})
    excerpt = message.blocks[2]["text"]["text"]
    assert "> rolled back @bob &amp; @here second line" in excerpt, "quoted, never live"
    assert "…and 3 more" in str(message.blocks[-1])


def test_a_full_page_with_hostile_titles_fits_one_message() -> None:
    many = tuple(
        replace(INCIDENT, id=n, number=n, title=HOSTILE * 20, impact=HOSTILE)
        for n in range(LIST_SHOWN)
    )
    message = incident_list(
        Listing(ListQuery(RECENT, mine=True, severities=("SEV1",)), many, 250, NOW), POLICY
    )
    assert len(message.blocks) <= MESSAGE_BLOCKS
    assert block_problems(message.blocks, surface="message") == []
    shown = str(message.blocks)
    assert "<!channel>" not in shown and "<@U999>" not in shown
    assert "…and 250 more" in shown and "(270)" in shown


def test_nothing_found_and_bad_words_say_what_to_do() -> None:
    empty = incident_list(Listing(ListQuery(OPEN, mine=True), (), 0, NOW), POLICY)
    assert empty.text == "No open incidents you hold a role in or reported right now."
    none = found_incidents(Found(("<!here>",), (), 0, NOW), POLICY)
    assert "No incident you can see matches `&lt;!here&gt;`" in none.text
    unknown = list_not_understood(BadListQuery("<@U1> *x*"), POLICY)
    assert unknown.text.startswith("I don't know `&lt;@U1&gt; *x*` here.")
    assert "`SEV1`, `SEV2`" in unknown.text
    assert "Pick one of" in list_not_understood(BadListQuery(None), POLICY).text
    assert "/incident find &lt;words&gt;" in find_usage().text
