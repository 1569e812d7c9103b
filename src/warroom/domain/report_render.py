"""The report as people read it: Markdown, CSV and JSON (`warroom report --format`).

Pure functions of a `Report`. Durations read like the postmortem's (`1 h 05 min`) in
Markdown and are whole seconds in CSV and JSON; a figure over no incident is "—" in
Markdown, empty in CSV and null in JSON. Nothing names an incident: the report holds
no titles, so a private incident is only ever a number in a total.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from warroom.domain.local_time import local_time
from warroom.domain.postmortem_time import human_duration
from warroom.domain.report import Report, Summary

__all__ = [
    "DURATIONS",
    "FORMATS",
    "render",
    "render_csv",
    "render_json",
    "render_markdown",
    "report_document",
    "share",
]

MISSING = "—"
FORMATS = ("md", "csv", "json")

DURATIONS: tuple[tuple[str, str, str], ...] = (
    ("detect", "Time to detect", "started → declared"),
    ("acknowledge", "Time to acknowledge", "declared → first Incident Commander"),
    ("mitigate", "Time to mitigate", "declared → mitigated (or resolved)"),
    ("resolve", "Time to resolve", "declared → resolved"),
)
PROCESS: tuple[tuple[str, str, str], ...] = (
    ("time_to_ic", "Time to IC", "declared → first Incident Commander"),
    ("first_update", "Time to first status update", "declared → first update posted"),
)


def _summary(report: Report, key: str) -> Summary:
    found = getattr(report, key)
    assert isinstance(found, Summary)
    return found


def _span(seconds: float | None) -> str:
    return MISSING if seconds is None else human_duration(int(seconds))


def share(part: float | None) -> str:
    """`83 %`, or "—" when there is nothing to share out."""
    return MISSING if part is None else f"{round(part * 100)} %"


def _number(value: float | None) -> str:
    return MISSING if value is None else f"{value:.1f}"


def _whole(seconds: float | None) -> int | None:
    return None if seconds is None else round(seconds)


def _period(report: Report) -> str:
    scope = report.period.label
    if report.period.severity:
        scope += f", {report.period.severity} only"
    return scope


def render_markdown(report: Report) -> str:
    updates, items, pms = report.updates, report.action_items, report.postmortems
    lines = [
        "# Incident report",
        "",
        f"Period: {_period(report)}. Times in {report.timezone}; weeks are ISO weeks there. "
        f"Generated {local_time(report.generated_at, report.zone)}.",
        "Cancelled incidents are left out; private incidents are counted, never named.",
        "",
        "## Incidents",
        "",
        f"- Incidents: {report.incidents} ({report.private} private, {report.open} open)",
        "",
        "| Severity | Incidents |",
        "| --- | ---: |",
        *(f"| {severity} | {count} |" for severity, count in report.by_severity),
        "",
        "| Week | Incidents |",
        "| --- | ---: |",
        *(f"| {week} | {count} |" for week, count in report.by_week),
    ]
    if not report.by_week:
        lines.append(f"| {MISSING} | 0 |")
    lines += [
        "",
        "## Response times",
        "",
        "| Figure | Span | Mean | Median | p90 | Incidents |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for key, label, span in (*DURATIONS, *PROCESS):
        summary = _summary(report, key)
        lines.append(
            f"| {label} | {span} | {_span(summary.mean)} | {_span(summary.median)} | "
            f"{_span(summary.p90)} | {summary.count} |"
        )
    lines += [
        "",
        "## Process",
        "",
        f"- Status updates posted: {updates.posted}; with a due time: {updates.with_due}",
        f"- Posted before they were due: {share(updates.on_time_share)} "
        f"({updates.on_time} of {updates.with_due})",
        f"- Overdue updates (posted late): {updates.late}",
        f"- Open incidents with an update overdue now: {updates.overdue_now}",
        f"- Reminders sent: {report.reminders} "
        f"({_number(report.reminders_per_incident)} per incident)",
        "",
        "## Follow-ups",
        "",
        f"- Action items: {items.open} open ({items.overdue} overdue), {items.done} done, "
        f"{items.wont_do} won't do",
        f"- Postmortems completed within {pms.working_days} working days of the resolve: "
        f"{share(pms.on_time_share)} ({pms.on_time} of {pms.due}; {pms.late} late, "
        f"{pms.pending} not due yet)",
        "",
    ]
    return "\n".join(lines)


def _rows(report: Report) -> list[tuple[str, str, Any, Any]]:
    """(section, name, value, over how many) for CSV; values plain numbers."""
    updates, items, pms = report.updates, report.action_items, report.postmortems
    rows: list[tuple[str, str, Any, Any]] = [
        ("period", "since", report.period.since.isoformat() if report.period.since else "", ""),
        ("period", "until", report.period.until.isoformat() if report.period.until else "", ""),
        ("period", "severity", report.period.severity or "", ""),
        ("period", "timezone", report.timezone, ""),
        ("incidents", "total", report.incidents, ""),
        ("incidents", "private", report.private, ""),
        ("incidents", "open", report.open, ""),
        *(("severity", severity, count, "") for severity, count in report.by_severity),
        *(("week", week, count, "") for week, count in report.by_week),
    ]
    for key, _, _ in (*DURATIONS, *PROCESS):
        summary = _summary(report, key)
        for stat in ("mean", "median", "p90"):
            value = _whole(getattr(summary, stat))
            rows.append((f"{key}_s", stat, "" if value is None else value, summary.count))
    on_time = "" if updates.on_time_share is None else round(updates.on_time_share, 4)
    per_incident = report.reminders_per_incident
    pm_share = pms.on_time_share
    rows += [
        ("updates", "posted", updates.posted, ""),
        ("updates", "with_due", updates.with_due, ""),
        ("updates", "on_time", updates.on_time, updates.with_due),
        ("updates", "on_time_share", on_time, updates.with_due),
        ("updates", "late", updates.late, updates.with_due),
        ("updates", "overdue_now", updates.overdue_now, report.open),
        ("reminders", "total", report.reminders, report.incidents),
        (
            "reminders",
            "per_incident",
            "" if per_incident is None else round(per_incident, 2),
            report.incidents,
        ),
        ("action_items", "open", items.open, ""),
        ("action_items", "overdue", items.overdue, ""),
        ("action_items", "done", items.done, ""),
        ("action_items", "wont_do", items.wont_do, ""),
        ("postmortems", "working_days", pms.working_days, ""),
        ("postmortems", "on_time", pms.on_time, pms.due),
        ("postmortems", "late", pms.late, pms.due),
        ("postmortems", "pending", pms.pending, ""),
        ("postmortems", "on_time_share", "" if pm_share is None else round(pm_share, 4), pms.due),
    ]
    return rows


def render_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("section", "name", "value", "over"))
    writer.writerows(_rows(report))
    return out.getvalue()


def _summary_json(summary: Summary) -> dict[str, Any]:
    return {
        "incidents": summary.count,
        "mean_s": _whole(summary.mean),
        "median_s": _whole(summary.median),
        "p90_s": _whole(summary.p90),
    }


def report_document(report: Report) -> dict[str, Any]:
    updates, items, pms = report.updates, report.action_items, report.postmortems
    return {
        "period": {
            "label": report.period.label,
            "since": report.period.since.isoformat() if report.period.since else None,
            "until": report.period.until.isoformat() if report.period.until else None,
            "severity": report.period.severity,
        },
        "timezone": report.timezone,
        "generated_at": report.generated_at.isoformat(),
        "incidents": {
            "total": report.incidents,
            "private": report.private,
            "open": report.open,
            "by_severity": dict(report.by_severity),
            "by_week": dict(report.by_week),
        },
        "durations": {key: _summary_json(_summary(report, key)) for key, _, _ in DURATIONS},
        "process": {
            "time_to_ic": _summary_json(report.time_to_ic),
            "first_update": _summary_json(report.first_update),
            "updates_posted": updates.posted,
            "updates_with_due": updates.with_due,
            "updates_on_time": updates.on_time,
            "updates_on_time_share": updates.on_time_share,
            "updates_late": updates.late,
            "updates_overdue_now": updates.overdue_now,
            "reminders": report.reminders,
            "reminders_per_incident": report.reminders_per_incident,
        },
        "follow_ups": {
            "action_items": {
                "open": items.open,
                "overdue": items.overdue,
                "done": items.done,
                "wont_do": items.wont_do,
            },
            "postmortems": {
                "working_days": pms.working_days,
                "on_time": pms.on_time,
                "late": pms.late,
                "pending": pms.pending,
                "on_time_share": pms.on_time_share,
            },
        },
    }


def render_json(report: Report) -> str:
    return json.dumps(report_document(report), indent=2, ensure_ascii=False) + "\n"


def render(report: Report, fmt: str) -> str:
    if fmt == "md":
        return render_markdown(report)
    if fmt == "csv":
        return render_csv(report)
    if fmt == "json":
        return render_json(report)
    raise ValueError(f"unknown report format {fmt!r}; use one of {', '.join(FORMATS)}")
