"""Alerts in Slack: the triage card a proposed group gets, and the room's all-clear.

Everything in an alert (labels, annotations, links) comes from outside Warroom, so
it is escaped and cut like text a person typed; a link is only ever an http(s) URL.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from warroom.domain.alerts import DECLARING, DISMISSED, FIRING, Alert, AlertGroup
from warroom.domain.incident import Incident
from warroom.domain.policy import AlertRoute
from warroom.slack import mrkdwn
from warroom.slack.blocks.limits import CONTEXT_TEXT, OPTION_TEXT, SECTION_TEXT, TITLE_SHOWN, clip
from warroom.slack.message import Message

__all__ = [
    "ALERT_ATTACH_ACTION",
    "ALERT_ATTACH_TO_ACTION",
    "ALERT_DECLARE_ACTION",
    "ALERT_DISMISS_ACTION",
    "alert_card",
    "alert_card_block_id",
    "alerts_attached_note",
    "alerts_declared_note",
    "alerts_resolved_note",
]

ALERT_DECLARE_ACTION = "alert_declare"
ALERT_ATTACH_ACTION = "alert_attach"
ALERT_ATTACH_TO_ACTION = "alert_attach_to"
ALERT_DISMISS_ACTION = "alert_dismiss"
ALERTS_SHOWN = 5
LABELS_SHOWN = 6
LABEL_SHOWN = 60
LINE_SHOWN = 200


def alert_card_block_id(group_id: int) -> str:
    """Names the group, so a resumed post finds a card it posted and never posts two."""
    return f"alert_card:{group_id}"


def _link(url: str | None, label: str) -> str:
    if not url or not url.startswith(("https://", "http://")) or any(c in url for c in "<>| \n"):
        return ""
    return f"<{url.replace('&', '&amp;')}|{label}>"


def _alert_line(alert: Alert) -> str:
    icon = "🔥" if alert.status == FIRING else "✅"
    what = alert.summary or ", ".join(f"{k}={v}" for k, v in sorted(alert.labels.items()))
    since = mrkdwn.date(alert.starts_at, "{time}")
    link = _link(alert.source_url, "source")
    return f"{icon} {mrkdwn.escape_within(what, LINE_SHOWN)} · since {since}" + (
        f" · {link}" if link else ""
    )


def _alert_lines(group: AlertGroup) -> list[dict[str, Any]]:
    """A section of the group's first few alerts, "…and N more"; none without alerts."""
    lines = [_alert_line(a) for a in group.alerts[:ALERTS_SHOWN]]
    more = group.firing + group.resolved - len(lines)
    if more > 0:
        lines.append(f"…and {more} more")
    if not lines:
        return []
    text = clip("\n".join(lines), SECTION_TEXT)
    return [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]


def _tally(group: AlertGroup) -> str:
    parts = [f"{group.firing} firing"] if group.firing else []
    if group.resolved:
        parts.append(f"{group.resolved} resolved")
    return ", ".join(parts) or "no alerts"


def _labels(group: AlertGroup) -> str:
    shown = sorted(group.labels.items())[:LABELS_SHOWN]
    return "  ".join(
        f"`{mrkdwn.escape_within(k, LABEL_SHOWN)}={mrkdwn.escape_within(v, LABEL_SHOWN)}`"
        for k, v in shown
    ).replace("``", "")


def _decision(group: AlertGroup, incident: Incident | None) -> str | None:
    by = f" (by {mrkdwn.user(group.decided_by)})" if group.decided_by else ""
    if incident is not None:
        if incident.private:
            return f"🚨 Handled in a private incident{by}."
        room = f" → {mrkdwn.channel(incident.channel_id)}" if incident.channel_id else ""
        return f"🚨 Handled in *{incident.reference}*{room}{by}."
    if group.state == DISMISSED:
        return f"Dismissed{by}."
    if group.state == DECLARING:
        return "🚨 Declaring an incident…"
    return None


def _actions(
    group: AlertGroup, attachable: Sequence[Incident], suggested: Incident | None
) -> dict[str, Any]:
    value = str(group.id)
    elements: list[dict[str, Any]] = [
        {
            "type": "button",
            "action_id": ALERT_DECLARE_ACTION,
            "text": {"type": "plain_text", "text": "Declare incident"},
            "style": "primary",
            "value": value,
        }
    ]
    if suggested is not None:
        elements.append(
            {
                "type": "button",
                "action_id": ALERT_ATTACH_TO_ACTION,
                "text": {"type": "plain_text", "text": f"Attach to {suggested.reference}"},
                "value": f"{value}:{suggested.id}",
            }
        )
    if attachable:
        elements.append(
            {
                "type": "static_select",
                "action_id": ALERT_ATTACH_ACTION,
                "placeholder": {"type": "plain_text", "text": "Attach to…"},
                "options": [
                    {
                        "text": {
                            "type": "plain_text",
                            "text": clip(f"{i.reference} {i.title}", OPTION_TEXT),
                        },
                        "value": f"{value}:{i.id}",
                    }
                    for i in attachable
                ],
            }
        )
    elements.append(
        {
            "type": "button",
            "action_id": ALERT_DISMISS_ACTION,
            "text": {"type": "plain_text", "text": "Dismiss"},
            "value": value,
        }
    )
    return {"type": "actions", "block_id": f"alert_actions:{group.id}", "elements": elements}


def alert_card(
    group: AlertGroup,
    *,
    incident: Incident | None,
    attachable: Sequence[Incident],
    route: AlertRoute,
    suggested: Incident | None = None,
) -> Message:
    """🔔 *HighMemoryUsage* — 2 firing · the summary · a few alerts · what was decided,
    or Declare / Attach to INC-N (`suggested`: an open incident that looks like the same
    problem) / Attach to… / Dismiss while nobody has."""
    icon = "🔔" if group.firing else "✅"
    name = mrkdwn.escape_within(group.name, TITLE_SHOWN)
    head = f"{icon} *{name}* — {_tally(group)} · from {mrkdwn.escape(group.source)}"
    summary = mrkdwn.escape_within(group.summary, SECTION_TEXT - len(head) - 2)
    text = f"{head}\n{summary}" if summary else head
    blocks: list[dict[str, Any]] = [
        {
            "type": "section",
            "block_id": alert_card_block_id(group.id),
            "text": {"type": "mrkdwn", "text": text},
        }
    ]
    blocks.extend(_alert_lines(group))
    context = [_labels(group), _link(group.external_url, "open in " + group.source)]
    if route.name != "default":
        context.append(f"route {mrkdwn.escape(route.name)}")
    shown = [c for c in context if c]
    if shown:
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": clip(" · ".join(shown), CONTEXT_TEXT)}],
            }
        )
    decided = _decision(group, incident)
    if decided is not None:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": decided}]})
    else:
        blocks.append(_actions(group, attachable, suggested))
    fallback = f"{icon} {group.name} — {_tally(group)}"
    return Message(text=fallback, blocks=blocks)


def alerts_resolved_note(incident: Incident, total: int) -> Message:
    """✅ Every alert on the incident has resolved; resolving it is still a person's call."""
    count = "The alert" if total == 1 else f"All {total} alerts"
    text = (
        f"✅ {count} attached to *{incident.reference}* "
        f"{'has' if total == 1 else 'have'} resolved. If the impact is over too, "
        "resolve the incident with `/incident resolve`."
    )
    return Message(
        text=text, blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    )


def alerts_attached_note(group: AlertGroup, by: str | None) -> Message:
    """🔔 @x attached *HighErrorRate* (3 firing) from alertmanager: on the timeline now. With
    no `by`, Warroom attached it: its labels say it is this incident's problem."""
    name = mrkdwn.escape_within(group.name, TITLE_SHOWN)
    who = mrkdwn.user(by) if by else "Warroom"
    why = "" if by else " (the same alert as this incident's)"
    text = (
        f"🔔 {who} attached the alert *{name}* ({_tally(group)}, from "
        f"{mrkdwn.escape(group.source)}) to this incident{why}; its alerts are on the timeline."
    )
    return Message(
        text=text, blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    )


def alerts_declared_note(group: AlertGroup, route: AlertRoute) -> Message:
    """In the room Warroom declared for a group: which alerts, from where, by which route."""
    name = mrkdwn.escape_within(group.name, TITLE_SHOWN)
    head = (
        f"🔔 Declared by Warroom for the alert *{name}* ({_tally(group)}, from "
        f"{mrkdwn.escape(group.source)}, route {mrkdwn.escape(route.name)}). Its alerts are on "
        "the timeline; the room is told when they have all resolved."
    )
    head_block = {"type": "section", "text": {"type": "mrkdwn", "text": head}}
    return Message(text=head, blocks=[head_block, *_alert_lines(group)])
