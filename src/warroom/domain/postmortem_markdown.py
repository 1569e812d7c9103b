"""The postmortem draft as a Markdown document (CommonMark with GitHub tables).

Every time is written with its zone's abbreviation (`2026-11-23 03:04 UTC`,
`2026-11-01 01:30 PDT`), or `UTC-03:00` where the zone has no letters for it.
People are `@U123`, or `@name` when the caller passes `names`. User text never
breaks the structure: Markdown's punctuation is backslash-escaped, block markers
at the start of a line are neutralised and line breaks inside a table cell or a
list item become `<br>` (a user's own `<` is escaped, so no HTML gets through).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, tzinfo

from warroom.domain.local_time import local_time, utc_offset
from warroom.domain.postmortem import MISSING, Postmortem, Prompt

__all__ = ["escape_markdown", "format_time", "people_in", "render_markdown"]

_PUNCTUATION = re.compile(r"[\\`*\[\]<>|~]|(?<![^\W_])_|_(?![^\W_])|&(?=#?\w+;)")
_LINE_START = re.compile(r"^(?:[#+=-]|(\d+)(?=[.)]))")
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)>")


def escape_markdown(text: str) -> str:
    """Backslash-escape what Markdown would read as markup inside a line."""
    return _PUNCTUATION.sub(r"\\\g<0>", text)


def format_time(at: datetime | None, zone: tzinfo, *, seconds: bool = False) -> str:
    """`2026-11-23 03:04 UTC` in `zone`; `—` for None."""
    return MISSING if at is None else local_time(at, zone, seconds=seconds)


def zone_note(zone: tzinfo, first: datetime, last: datetime) -> str:
    """Which zone the times are in, with its offset: "Europe/Berlin (CET, UTC+01:00)",
    both offsets when the clocks changed between `first` and `last`."""
    name = escape_markdown(str(zone))
    if utc_offset(first.astimezone(zone)) == "UTC+00:00" == utc_offset(last.astimezone(zone)):
        return name if name == "UTC" else f"{name} (UTC+00:00)"
    shown = []
    for moment in (first, last):
        local = moment.astimezone(zone)
        label = f"{local.tzname()}, {utc_offset(local)}" if local.tzname() else utc_offset(local)
        if label not in shown:
            shown.append(label)
    if len(shown) == 1:
        return f"{name} ({shown[0]})"
    return f"{name} ({shown[0]}; {shown[1]} after the clocks changed)"


class _Writer:
    def __init__(self, zone: tzinfo, names: Mapping[str, str]) -> None:
        self.zone = zone
        self.names = names
        self.lines: list[str] = []

    def person(self, user_id: str | None, missing: str = MISSING) -> str:
        if not user_id:
            return missing
        name = self.names.get(user_id)
        return f"@{escape_markdown(name)}" if name else f"@{escape_markdown(user_id)}"

    def inline(self, text: str) -> str:
        """One line of a table cell or list item: mentions named, markup escaped."""
        if "<@" in text:
            parts = _MENTION.split(text)
            text = "".join(
                self.person(part) if i % 2 else escape_markdown(part)
                for i, part in enumerate(parts)
            )
        else:
            text = escape_markdown(text)
        if "\n" in text or "\r" in text:
            text = "<br>".join(line.strip() for line in text.splitlines() if line.strip())
        return text or MISSING

    def block(self, text: str) -> None:
        """Paragraphs of user text: each line escaped and kept out of block syntax."""
        blank = False
        for raw in text.strip().splitlines():
            line = raw.strip()
            if not line:
                if not blank:
                    self.lines.append("")
                blank = True
                continue
            blank = False
            escaped = self.inline(line)
            self.lines.append(_LINE_START.sub(_neutralise, escaped))
        self.lines.append("")

    def time(self, at: datetime | None, *, seconds: bool = False) -> str:
        return format_time(at, self.zone, seconds=seconds)

    def heading(self, level: int, text: str) -> None:
        closing = text.rstrip("#")  # a trailing run of `#` would close the heading
        text = closing + "\\#" * (len(text) - len(closing))
        self.lines += ["#" * level + " " + text, ""]

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        self.lines.append("| " + " | ".join(header) + " |")
        self.lines.append("|" + "|".join(" --- " for _ in header) + "|")
        self.lines += ["| " + " | ".join(row) + " |" for row in rows]
        self.lines.append("")

    def prompt(self, prompt: Prompt, level: int = 2) -> None:
        self.heading(level, prompt.title)
        self.lines += [f"_{prompt.prompt}_", ""]
        if prompt.hints:
            self.lines += ["From the timeline:", ""]
            self.lines += [f"- {self.inline(hint)}" for hint in prompt.hints]
            self.lines.append("")


def _neutralise(match: re.Match[str]) -> str:
    digits = match.group(1)
    return digits + "\\" if digits is not None else "\\" + match.group(0)


def people_in(pm: Postmortem) -> set[str]:
    """Every user ID the document shows: the reporter, role holders, who logged each
    entry, late updates, hypotheses and action items, and `<@U…>` inside any text; the
    caller looks their names up and passes them to `render_markdown`."""
    ids: set[str | None] = {pm.reporter_id}
    texts = [pm.title, pm.impact, pm.summary, pm.root_cause]
    for record in pm.roles:
        for t in record.holders:
            ids |= {t.user_id, t.assigned_by, t.previous}
    for line in pm.timeline:
        ids.add(line.author_id)
        texts.append(line.text)
    ids |= {u.author_id for u in pm.late_updates}
    for why in pm.five_whys:
        ids.add(why.author_id)
        texts.append(why.candidate or "")
    for item in pm.action_items:
        ids.add(item.owner_id)
        texts += [item.text, item.reason or ""]
    for prompt in (*pm.contributing_factors, pm.went_well, pm.went_poorly, pm.lessons_learned):
        texts += prompt.hints
    for text in texts:
        if "<@" in text:
            ids.update(_MENTION.findall(text))
    return {user_id for user_id in ids if user_id}


def _due(day: date | None) -> str:
    return day.isoformat() if day else MISSING


def render_markdown(
    pm: Postmortem, zone: tzinfo | None = None, *, names: Mapping[str, str] | None = None
) -> str:
    """The whole postmortem; times in `zone` (default: the draft's), people by `names`."""
    w = _Writer(zone or pm.zone, names or {})
    began = min((k.at for k in pm.key_times if k.at is not None), default=pm.drafted_at)
    w.heading(1, f"Postmortem: {escape_markdown(pm.reference)} — {w.inline(pm.title)}")
    w.lines += [
        f"_Draft written by Warroom at {w.time(pm.drafted_at)} from {pm.entries_total} "
        f"timeline entries. Times are in {zone_note(w.zone, began, pm.drafted_at)}. "
        "Edit freely._",
        "",
    ]
    if pm.private:
        w.lines += ["**Private incident:** share this document only with its channel.", ""]
    w.lines += [f"> {pm.blameless_note}", ""]

    w.heading(2, "Summary")
    if pm.summary_given:
        w.block(pm.summary)
    else:
        w.lines += [f"_{pm.summary}_", ""]
    w.table(
        ("Field", "Value"),
        [
            ("Severity", f"{escape_markdown(pm.severity)} — {w.inline(pm.severity_label)}"),
            ("Status", w.inline(pm.status_label)),
            ("Impact", w.inline(pm.impact)),
            ("Reported by", w.person(pm.reporter_id)),
        ],
    )

    w.heading(2, "Key times")
    w.table(
        ("Event", "Time"),
        [
            (k.label, w.time(k.at) if k.at else f"{MISSING} (not {_NOT[k.key]})")
            for k in pm.key_times
        ],
    )
    label = {k.key: k.label for k in pm.key_times}
    w.table(
        ("Measure", "From → to", "Duration"),
        [(d.label, f"{label[d.since]} → {label[d.until]}", d.text) for d in pm.durations],
    )
    if pm.duration("detect") is None:
        w.lines += ["_Time to detect needs the start time; add it if you know it._", ""]

    w.heading(2, "Roles")
    rows: list[tuple[str, ...]] = []
    for record in pm.roles:
        if not record.holders:
            rows.append((w.inline(record.name), "_nobody_", MISSING, MISSING, MISSING))
        for t in record.holders:
            until = w.time(t.ended_at) if t.ended_at else "still held"
            took = f" (from {w.person(t.previous)})" if t.previous else ""
            rows.append(
                (
                    w.inline(record.name),
                    w.person(t.user_id) + took,
                    w.person(t.assigned_by),
                    w.time(t.assigned_at),
                    until,
                )
            )
    w.table(("Role", "Holder", "Assigned by", "From", "Until"), rows)

    w.heading(2, "Timeline")
    w.lines += [
        f"_{len(pm.timeline)} of {pm.entries_total} entries: automatic events, typed notes "
        "and highlighted messages. The full conversation stays in the channel._",
        "",
    ]
    if pm.timeline:
        rows = []
        for line in pm.timeline:
            if line.deleted:
                text = "_(deleted)_"
            else:
                text = w.inline(line.text) + (" _(edited)_" if line.edited else "")
            who = w.person(line.author_id, "Warroom" if line.kind == "reminder" else MISSING)
            rows.append((w.time(line.at, seconds=True), who, f"**{line.label}** {text}"))
        w.table(("Time", "Who", "Event"), rows)
    else:
        w.lines += ["_Nothing was recorded._", ""]

    w.heading(2, "Late status updates")
    if pm.late_updates:
        w.table(
            ("Posted", "By", "Was due", "Late by"),
            [
                (w.time(u.at), w.person(u.author_id), w.time(u.due_at), u.late_by)
                for u in pm.late_updates
            ],
        )
    elif pm.status_updates:
        w.lines += [f"Every status update ({pm.status_updates}) went out on time.", ""]
    else:
        w.lines += ["No status updates were posted.", ""]

    w.heading(2, "Root cause")
    if pm.root_cause_given:
        w.block(pm.root_cause)
    else:
        w.lines += [f"_{pm.root_cause}_", ""]
    w.heading(3, "Five Whys")
    w.lines += [
        "_Start from the impact and ask “why?” until you reach something the team can "
        "change. Hypotheses logged during the incident are seeded as candidates: keep, "
        "reorder or strike them._",
        "",
    ]
    for number, why in enumerate(pm.five_whys, start=1):
        if why.candidate is None:
            w.lines.append(f"{number}. **Why?** …")
            continue
        source = f"hypothesis by {w.person(why.author_id)}, {w.time(why.at)}"
        w.lines.append(f"{number}. **Why?** {w.inline(why.candidate)} — _{source}_")
    w.lines.append("")

    w.heading(2, "Contributing factors")
    for factor in pm.contributing_factors:
        w.prompt(factor, 3)
    w.prompt(pm.went_well)
    w.prompt(pm.went_poorly)

    w.heading(2, "Action items")
    if pm.action_items:
        items = []
        for n, item in enumerate(pm.action_items, start=1):
            state = item.state_label + (" (overdue)" if item.overdue else "")
            if item.reason:
                state += f": {w.inline(item.reason)}"
            items.append(
                (str(n), w.inline(item.text), w.person(item.owner_id), _due(item.due), state)
            )
        w.table(("#", "Action", "Owner", "Due", "State"), items)
    else:
        w.lines += ["_None yet. Each action item needs an owner and a due date._", ""]

    w.prompt(pm.lessons_learned)
    while w.lines and not w.lines[-1]:
        w.lines.pop()
    return "\n".join(w.lines) + "\n"


_NOT = {
    "started": "reported",
    "declared": "recorded",
    "acknowledged": "assigned",
    "mitigated": "mitigated",
    "resolved": "resolved yet",
}
