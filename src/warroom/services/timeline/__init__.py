"""The timeline that writes itself (`service`), and the outcomes it gives (`values`)."""

from warroom.services.timeline.service import TimelineService
from warroom.services.timeline.values import (
    HIDDEN,
    PAGE_SIZE,
    Added,
    Captured,
    Hidden,
    Marked,
)

__all__ = ["HIDDEN", "PAGE_SIZE", "Added", "Captured", "Hidden", "Marked", "TimelineService"]
