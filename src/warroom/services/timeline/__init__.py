"""The timeline that writes itself (`service`), and what it takes and gives (`values`)."""

from warroom.services.timeline.service import TimelineService
from warroom.services.timeline.values import (
    HIDDEN,
    PAGE_SIZE,
    Added,
    Captured,
    Cursor,
    Hidden,
    KeyPage,
    Marked,
    SlackMessage,
    TimelineItem,
    slack_time,
    slack_ts,
)

__all__ = [
    "HIDDEN",
    "PAGE_SIZE",
    "Added",
    "Captured",
    "Cursor",
    "Hidden",
    "KeyPage",
    "Marked",
    "SlackMessage",
    "TimelineItem",
    "TimelineService",
    "slack_time",
    "slack_ts",
]
