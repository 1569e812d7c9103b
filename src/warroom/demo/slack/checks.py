"""What the stand-in refuses that Slack would: nothing, unless a `Checks` says otherwise.

The demo only sends what Warroom builds, so its Slack takes every payload as
given. The test kit's FakeSlack plugs in Slack's Block Kit and naming limits
(`fakeslack.limits`), so the tests hold Warroom's payloads to them.
"""

from __future__ import annotations

from typing import Any, Literal

__all__ = ["Checks", "Surface"]

Surface = Literal["message", "modal", "home"]


class Checks:
    """Each method returns Slack's complaints, shaped like `response_metadata.messages`
    entries without the leading ``[ERROR] `` (or an error code); none here."""

    def block_problems(self, blocks: list[Any], *, surface: Surface) -> list[str]:
        return []

    def view_problems(self, view: dict[str, Any]) -> list[str]:
        return []

    def channel_name_problem(self, name: str) -> str | None:
        return None
