"""The timeline that writes itself (`service`), and the outcomes it gives (`values`)."""

from warroom.services.timeline.service import TimelineService
from warroom.services.timeline.values import (
    HIDDEN,
    PAGE_SIZE,
    REACTION_SOURCE,
    RECORDED_REACTION,
    Added,
    Captured,
    Hidden,
    Marked,
)

__all__ = [
    "HIDDEN",
    "PAGE_SIZE",
    "REACTION_SOURCE",
    "RECORDED_REACTION",
    "Added",
    "Captured",
    "Hidden",
    "Marked",
    "TimelineService",
]
