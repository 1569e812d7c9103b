"""Alerts in: stored before the sender is answered, then routed, once.

`AlertIntake.receive` writes the notification (a resend writes nothing) and wakes
the desk. `AlertDesk.process` takes waiting notifications in arrival order, in
batches, into their groups, all in one transaction: alerts of a group that belongs
to an open incident land on its timeline there and then; a new group takes its
route (declare, propose, attach) as a job. A job does each Slack side of it: a
storm of notifications for one group is one triage card, posted once and updated
in place at most every few seconds, and one declaration (its key is the group's).

A group whose incident is over (resolved or cancelled), or that was dismissed, and
whose alerts all resolved, starts a new cycle when it fires again: it is routed
afresh. While its incident is open it stays attached, however it flaps.
"""

from warroom.services.alerts.desk import (
    ALERT_CARD,
    ALERTS_RESOLVED,
    DECLARE_FROM_ALERTS,
    PROCESS_ALERTS,
    AlertDesk,
)
from warroom.services.alerts.intake import AlertIntake
from warroom.services.alerts.wording import AlertProblem, DeclareDraft

__all__ = [
    "ALERTS_RESOLVED",
    "ALERT_CARD",
    "DECLARE_FROM_ALERTS",
    "PROCESS_ALERTS",
    "AlertDesk",
    "AlertIntake",
    "AlertProblem",
    "DeclareDraft",
]
