"""A real headless Chromium (Debian's `chromium`, driven by Playwright) for the web pages.

`screens` opens pages at desktop (1280 x 800) and phone (375 x 740) sizes and saves
full-page screenshots to `artifacts/screenshots/<test>-<width>.png`, a folder CI
keeps. Playwright's own browser download is never used: it drives
/usr/bin/chromium, which `.ci/run` installs. Without it a local run skips these
tests, saying why; in CI (`CI=true`) that is a failure. Mark browser tests `slow`.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pytest

if TYPE_CHECKING:
    from playwright.async_api import Browser, BrowserContext, Page

__all__ = ["CHROMIUM", "SCREENSHOTS", "SIZES", "Screens", "Size"]

CHROMIUM = Path(os.environ.get("WARROOM_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
Size = Literal["desktop", "phone"]
SIZES: dict[Size, dict[str, int]] = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 375, "height": 740},
}


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must run the browser tests (.ci/run installs chromium)")
    pytest.skip(f"{reason}; install Debian's chromium (apt-get install chromium) to run them")


@dataclass
class Screens:
    """Pages of one test in one browser, and their screenshots."""

    browser: Browser
    test: str
    contexts: list[BrowserContext] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Console errors and failed requests, on every page opened here."""

    async def page(self, size: Size) -> Page:
        phone = size == "phone"
        context = await self.browser.new_context(
            viewport=SIZES[size], is_mobile=phone, has_touch=phone, device_scale_factor=1
        )
        self.contexts.append(context)
        page = await context.new_page()
        page.on(
            "console",
            lambda message: (
                self.problems.append(f"console {message.type}: {message.text}")
                if message.type == "error"
                else None
            ),
        )
        page.on("requestfailed", lambda request: self.problems.append(f"failed: {request.url}"))
        return page

    async def shot(self, page: Page, size: Size) -> Path:
        """A full-page screenshot: `artifacts/screenshots/<test>-<width>.png`."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.test}-{SIZES[size]['width']}.png"
        await page.screenshot(path=str(path), full_page=True)
        return path

    async def close(self) -> None:
        for context in self.contexts:
            await context.close()


@pytest.fixture
async def chromium() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless."""
    if not os.path.exists(CHROMIUM):  # noqa: ASYNC240 (once, before the event loop is busy)
        _unavailable(f"no Chromium at {CHROMIUM}")
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install -e '.[test]')")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
async def screens(chromium: Browser, request: pytest.FixtureRequest) -> AsyncIterator[Screens]:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
    opened = Screens(chromium, name)
    try:
        yield opened
    finally:
        await opened.close()
