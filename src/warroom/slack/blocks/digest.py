"""The weekly digest, posted in the broadcast channel: last week's incidents by
severity, the key figures, the action items past due, and where to read more.

The broadcast channel is public: a private incident is only ever a number here
(`warroom.domain.digest` keeps them out of every list this names). Long weeks stay
within Slack's limits: at most `SHOWN_PER_SEVERITY` incidents per severity and
`OVERDUE_SHOWN` incidents with overdue items are listed, then "and N more".
"""

from __future__ import annotations

from datetime import datetime

from warroom.domain.digest import Digest, SeverityCount
from warroom.domain.incident import Incident
from warroom.domain.policy import Policy
from warroom.domain.postmortem_time import human_duration
from warroom.domain.report import Summary
from warroom.domain.report_render import share
from warroom.slack import mrkdwn
from warroom.slack.blocks.kit import context, section
from warroom.slack.blocks.limits import CONTEXT_TEXT, SECTION_TEXT, clip
from warroom.slack.blocks.text import status_shown
from warroom.slack.message import Message

__all__ = ["OVERDUE_SHOWN", "SHOWN_PER_SEVERITY", "digest_block_id", "digest_message"]

SHOWN_PER_SEVERITY = 10
OVERDUE_SHOWN = 10
TITLE_IN_DIGEST = 150
MISSING = "—"
MORE_FOR = "`warroom report` or `/incident stats 7d`"


def digest_block_id(at: datetime) -> str:
    """The digest's first block: a retried run finds the digest for `at` by it."""
    return f"digest:{int(at.timestamp())}"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _week(digest: Digest, policy: Policy) -> str:
    token = "{date_short_pretty}"
    return (
        f"{mrkdwn.date(digest.since, token, policy.zone)} to "
        f"{mrkdwn.date(digest.until, token, policy.zone)}"
    )


def _room(incident: Incident) -> str:
    return mrkdwn.channel(incident.channel_id) if incident.channel_id else "_no room yet_"


def _line(incident: Incident, tail: str) -> str:
    title = mrkdwn.escape_within(incident.title, TITLE_IN_DIGEST).replace("\n", " ")
    return f"• *{incident.reference}* {title} · {_room(incident)} · {tail}"


def _within(head: str, lines: list[str], more: int, more_what: str) -> str:
    """`head` and as many `lines` as fit in a section, then how many were left out."""
    kept: list[str] = []
    budget = SECTION_TEXT - len(head) - 60  # room for the "and N more" line
    for line in lines:
        if len(line) + 1 > budget:
            break
        kept.append(line)
        budget -= len(line) + 1
    more += len(lines) - len(kept)
    if more > 0:
        kept.append(f"…and {more} more {more_what}")
    return clip("\n".join([head, *kept]), SECTION_TEXT)


def _severity(row: SeverityCount, named: list[Incident], policy: Policy) -> str:
    key = mrkdwn.escape(row.severity)
    if row.private == row.incidents:
        hidden = " (private, not named)"
    elif row.private:
        hidden = f" ({row.private} private, not named)"
    else:
        hidden = ""
    head = f"*{key}*: {_plural(row.incidents, 'incident')}{hidden}"
    shown = named[:SHOWN_PER_SEVERITY]
    lines = [_line(incident, status_shown(incident, policy)) for incident in shown]
    return _within(head, lines, row.public - len(shown), "public")


def _median(label: str, summary: Summary) -> str:
    if summary.median is None:
        return f"*{label}*: {MISSING}"
    return f"*{label}*: median {human_duration(int(summary.median))} (over {summary.count})"


def _figures(digest: Digest) -> str:
    report = digest.report
    updates = report.updates
    on_time = (
        f"*Status updates on time*: {share(updates.on_time_share)} "
        f"({updates.on_time} of {updates.with_due})"
    )
    return "\n".join(
        [
            _median("Time to acknowledge", report.acknowledge),
            _median("Time to resolve", report.resolve),
            on_time,
        ]
    )


def _overdue(digest: Digest) -> str:
    head = (
        f"*Action items past due*: {digest.overdue_items} on "
        f"{_plural(digest.overdue_incidents, 'incident')}"
    )
    shown = list(digest.overdue[:OVERDUE_SHOWN])
    lines = [_line(row.incident, f"{row.items} past due") for row in shown]
    more = digest.overdue_public_incidents - len(shown)
    if digest.overdue_private_incidents:
        private = (
            f"• {digest.overdue_private_items} on "
            f"{_plural(digest.overdue_private_incidents, 'private incident')}"
        )
        return _within(head, [*lines, private], more, "incidents")
    return _within(head, lines, more, "incidents")


def digest_message(digest: Digest, policy: Policy) -> Message:
    """The digest of one week; a quiet week is one line."""
    block_id = digest_block_id(digest.until)
    title = f"*Weekly incident digest*, {_week(digest, policy)}"
    if digest.quiet:
        text = f"{title}: a quiet week, no incident declared and no action item past due."
        return Message(text=text, blocks=[section(clip(text, SECTION_TEXT), block_id=block_id)])
    private = f" ({digest.private} private)" if digest.private else ""
    summary = (
        f"{title}\n{_plural(digest.incidents, 'incident')} declared{private}; "
        f"{_plural(digest.overdue_items, 'action item')} past due."
    )
    blocks = [section(summary, block_id=block_id)]
    if digest.incidents == 0:
        blocks.append(section("No incident was declared this week."))
    for row in digest.by_severity:
        named = [incident for incident in digest.named if incident.severity == row.severity]
        blocks.append(section(_severity(row, named, policy)))
    if digest.incidents:
        blocks.append(section(_figures(digest)))
    if digest.overdue_items:
        blocks.append(section(_overdue(digest)))
    note = (
        f"More figures, for any period: {MORE_FOR}. Cancelled incidents are left out; "
        "private incidents are counted, never named."
    )
    blocks.append(context(clip(note, CONTEXT_TEXT)))
    fallback = (
        f"Weekly incident digest: {_plural(digest.incidents, 'incident')}{private}, "
        f"{_plural(digest.overdue_items, 'action item')} past due"
    )
    return Message(text=fallback, blocks=blocks)
