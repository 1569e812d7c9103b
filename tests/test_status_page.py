"""The public status page over HTTP, through the real ASGI app: off by default (404),
what it shows (the policy's severities; the flag set from Slack; never a private
incident), only stakeholder-safe text, escaped, and an Atom feed that parses."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from tests.harness import REPORTER, Clock, Harness
from tests.status_pages import base_url, post_update, status_harness
from warroom.domain.status_page import public_text

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = '<script>alert("x")</script> & ]]> <img src=x onerror=alert(1)> \u202e'


def said(body: str) -> str:
    """A command's answer: Bolt sends plain text (Slack shows it only to the person who
    typed the command) or JSON with `text`."""
    try:
        answer = json.loads(body)
    except ValueError:
        return body
    text: str = answer["text"]
    assert answer.get("response_type", "ephemeral") == "ephemeral"
    return text


async def get(harness: Harness, path: str) -> tuple[int, str, aiohttp.typedefs.LooseHeaders]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(base_url(harness) + path) as response,
    ):
        return response.status, await response.text(), response.headers


async def test_the_status_page_is_off_by_default(harness: Harness) -> None:
    await harness.declare(severity="SEV1")
    for path in ("/status", "/status/feed.atom", "/status/status.css"):
        status, _, _ = await get(harness, path)
        assert status == 404, path


async def test_it_shows_the_listed_severities_with_no_names_or_links(
    database_url: str, clock: Clock, tmp_path: Path
) -> None:
    async with status_harness(database_url, clock, tmp_path, 'title = "Acme status"') as harness:
        sev1 = await harness.declare(title="Payments API is down", severity="SEV1")
        sev3 = await harness.declare(title="Exports slow for one customer", severity="SEV3")
        await post_update(
            harness,
            sev1,
            "<@UALICE01> rolled back, see https://grafana.internal/d/1 in <#C0ROOM01|inc-1>",
            "Card payments fail in the EU",
        )

        status, page, headers = await get(harness, "/status")

    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert "<title>Acme status</title>" in page
    assert sev1.reference in page and sev3.reference not in page
    assert "Card payments fail in the EU" in page
    assert "someone rolled back, see [link removed] in an internal channel" in page
    for secret in (
        sev1.title,  # the title is for responders; stakeholders see the update
        REPORTER,
        "UALICE01",
        "grafana.internal",
        sev1.channel_id,
        sev1.channel_name,
        "slack.com",
        "<@",
    ):
        assert secret and secret not in page, secret
    assert "Times are in UTC" in page


async def test_the_flag_from_slack_shows_a_sev3_and_hides_a_sev1(
    database_url: str, clock: Clock, tmp_path: Path
) -> None:
    async with status_harness(database_url, clock, tmp_path) as harness:
        sev1 = await harness.declare(title="Payments API is down", severity="SEV1")
        sev3 = await harness.declare(title="Exports slow", severity="SEV3")

        _, shown = await harness.command("statuspage show", channel=sev3.channel_id)
        _, hidden = await harness.command("statuspage hide", channel=sev1.channel_id)
        _, unsure = await harness.command("statuspage maybe", channel=sev1.channel_id)
        _, page, _ = await get(harness, "/status")

    assert said(shown).startswith(f"{sev3.reference} is on the public status page")
    assert said(hidden) == f"{sev1.reference} is off the public status page now."
    assert "/incident statuspage show|hide" in said(unsure)
    assert sev3.reference in page and sev1.reference not in page


async def test_a_private_incident_is_never_shown_even_if_flagged(
    database_url: str, clock: Clock, tmp_path: Path
) -> None:
    async with status_harness(database_url, clock, tmp_path) as harness:
        secret = await harness.declare(
            title="Credential leak", severity="SEV1", private=["private"]
        )
        _, answer = await harness.command("statuspage show", channel=secret.channel_id)
        _, page, _ = await get(harness, "/status")
        _, feed, _ = await get(harness, "/status/feed.atom")

    assert said(answer) == (
        f"{secret.reference} is private, so it is never on the public status page; "
        "nothing was changed."
    )
    assert secret.reference not in page and secret.reference not in feed
    assert "No ongoing incidents" in page


async def test_the_help_lists_the_subcommand(harness: Harness) -> None:
    _, text = await harness.command("help")
    assert "/incident statuspage show|hide" in text


async def test_someone_outside_the_room_may_not_set_the_flag(
    database_url: str, clock: Clock, tmp_path: Path
) -> None:
    async with status_harness(database_url, clock, tmp_path) as harness:
        incident = await harness.declare(severity="SEV1")
        _, answer = await harness.command(
            "statuspage hide", channel=incident.channel_id, user="UOUTSIDE9"
        )
        _, page, _ = await get(harness, "/status")

    assert "status page" not in said(answer)  # a refusal, saying who may
    assert incident.reference in page


async def test_hostile_text_is_escaped_in_the_page_and_the_feed(
    database_url: str, clock: Clock, tmp_path: Path
) -> None:
    async with status_harness(database_url, clock, tmp_path, 'title = "Status & <b>"') as harness:
        incident = await harness.declare(severity="SEV1")
        await post_update(harness, incident, HOSTILE, "Impact " + HOSTILE)
        _, page, _ = await get(harness, "/status")
        status, feed, headers = await get(harness, "/status/feed.atom")

    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; ]]&gt;" in page
    assert "<title>Status &amp; &lt;b&gt;</title>" in page
    assert status == 200 and headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(feed.encode())
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}title") == "Status & <b>"
    (entry,) = root.findall(f"{ATOM}entry")
    content = entry.findtext(f"{ATOM}content") or ""
    assert f"What is happening: {public_text(HOSTILE)}\n" in content
    assert public_text(HOSTILE) == '<script>alert("x")</script> & ]]> <img src=x onerror=alert(1)>'
    assert "<script>" not in feed


async def test_the_feed_is_atom_with_an_entry_per_incident_shown(
    database_url: str, clock: Clock, tmp_path: Path
) -> None:
    async with status_harness(database_url, clock, tmp_path) as harness:
        open_one = await harness.declare(title="Payments API is down", severity="SEV1")
        done = await harness.declare(title="Search slow", severity="SEV2")
        await harness.runtime.lifecycle.resolve(done.id, "Added capacity.", None, REPORTER)
        status, feed, _ = await get(harness, "/status/feed.atom")
        base = base_url(harness)

    assert status == 200
    root = ET.fromstring(feed.encode())
    assert root.findtext(f"{ATOM}id") == f"{base}/status/feed.atom"
    assert root.findtext(f"{ATOM}updated")
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {"self": f"{base}/status/feed.atom", "alternate": f"{base}/status"}
    entries = {e.findtext(f"{ATOM}id"): e for e in root.findall(f"{ATOM}entry")}
    assert set(entries) == {
        f"{base}/status#{open_one.reference}",
        f"{base}/status#{done.reference}",
    }
    resolved = entries[f"{base}/status#{done.reference}"]
    assert resolved.findtext(f"{ATOM}title") == f"{done.reference} · SEV2 (Major) · Resolved"
    assert "Resolved: Added capacity." in (resolved.findtext(f"{ATOM}content") or "")
    for entry in entries.values():
        for required in ("title", "id", "updated", "content"):
            assert entry.findtext(f"{ATOM}{required}"), required
    assert "Payments API is down" not in feed and "Search slow" not in feed


async def test_times_are_in_the_policys_zone_and_the_page_says_so(
    database_url: str, clock: Clock, tmp_path: Path
) -> None:
    clock.now = datetime(2026, 12, 6, 13, 5, tzinfo=UTC)
    async with status_harness(database_url, clock, tmp_path, timezone="Europe/Berlin") as harness:
        await harness.declare(severity="SEV1")
        _, page, _ = await get(harness, "/status")

    assert "Times are in Europe/Berlin (CET, UTC+01:00)." in page
    assert '<time datetime="2026-12-06T13:05:00+00:00">2026-12-06 14:05 CET</time>' in page
