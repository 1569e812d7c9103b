"""A message as Warroom sends it: fallback text plus Block Kit blocks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from warroom.slack.blocks.limits import FALLBACK_TEXT, clip

__all__ = ["Message"]


@dataclass(frozen=True)
class Message:
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        # The fallback is a notification preview; cut it here so no builder can make
        # chat.update refuse a message (and freeze a card) over its length.
        object.__setattr__(self, "text", clip(self.text, FALLBACK_TEXT))
