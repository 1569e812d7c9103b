"""The public status page in a real headless Chromium, signed out, at desktop and phone
widths: it reads right, fits a phone without sideways scrolling, loads nothing from
elsewhere, and Tab reaches the feed link. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import SIZES, Screens, Size
from tests.harness import REPORTER, Clock
from tests.status_pages import base_url, post_update, status_harness

pytestmark = pytest.mark.slow

LONG_WORD = "x" * 200  # a pasted token or hash: must wrap, not widen the page


@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_the_status_page_reads_right_at_each_width(
    size: Size, screens: Screens, database_url: str, clock: Clock, tmp_path: Path
) -> None:
    async with status_harness(
        database_url, clock, tmp_path, 'title = "Acme status"', 'severities = ["SEV1", "SEV2"]'
    ) as harness:
        down = await harness.declare(title="Payments API is down", severity="SEV1")
        await post_update(
            harness,
            down,
            "Card payments fail for most customers since 14:02. We found a bad deploy "
            f"and are rolling it back. Reference {LONG_WORD}",
            "Card payments fail in the EU and the US; refunds are delayed.",
        )
        slow = await harness.declare(title="Search is slow", severity="SEV2")
        await harness.runtime.lifecycle.resolve(
            slow.id, "We added capacity; search is back to normal.", None, REPORTER
        )
        base = base_url(harness)

        page = await screens.page(size)
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        response = await page.goto(f"{base}/status", wait_until="networkidle")
        await screens.shot(page, size)

        assert response is not None and response.status == 200
        assert await page.title() == "Acme status"
        assert await page.locator("h1").inner_text() == "Acme status"
        assert await page.get_by_role("status").inner_text() == "1 ongoing incident"
        current = page.locator("section", has=page.get_by_role("heading", name="Current incidents"))
        assert down.reference in await current.inner_text()
        past = page.locator("section", has=page.get_by_role("heading", name="Past 90 days"))
        past_text = await past.inner_text()
        assert slow.reference in past_text and "We added capacity" in past_text
        body = await page.locator("body").inner_text()
        assert down.title not in body and slow.title not in body
        assert "Times are in UTC" in body
        # the stylesheet applied (the CSP allows only our own)
        background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(245, 246, 248)"
        assert all(url.startswith(base) for url in requested), requested
        assert screens.problems == []

        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= SIZES[size]["width"], f"the page scrolls sideways: {width}px"


async def test_tab_reaches_the_feed_link(
    screens: Screens, database_url: str, clock: Clock, tmp_path: Path
) -> None:
    async with status_harness(database_url, clock, tmp_path) as harness:
        page = await screens.page("phone")
        await page.goto(f"{base_url(harness)}/status")
        focused = []
        for _ in range(10):
            await page.keyboard.press("Tab")
            href = await page.evaluate("document.activeElement.getAttribute('href') || ''")
            focused.append(href)
            if href.endswith("/status/feed.atom"):
                break
        outline = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        await screens.shot(page, "phone")

    assert focused[-1] == "/status/feed.atom", focused
    assert outline == "solid"  # the focus is visible
    assert await page.evaluate("document.documentElement.scrollWidth") <= 375
