"""The postmortem's standing texts: the prompts for what people still have to write,
the blameless note, and the facts to start "what went well / poorly" from.

Used by `warroom.domain.postmortem`; the texts are re-exported from there.
"""

from __future__ import annotations

from datetime import timedelta

from warroom.domain.postmortem_model import LateUpdate
from warroom.domain.postmortem_time import human_duration

__all__ = [
    "BLAMELESS_NOTE",
    "FACTORS",
    "LESSONS",
    "ROOT_CAUSE_PROMPT",
    "SUMMARY_PROMPT",
    "WENT_POORLY",
    "WENT_WELL",
    "process_hints",
]

SUMMARY_PROMPT = (
    "Write two or three sentences: what happened, who was affected and for how long, "
    "and how service was restored."
)
ROOT_CAUSE_PROMPT = (
    "What conditions made this incident possible? Describe systems and decisions, not "
    "people. Work down from the impact with the Five Whys below."
)
BLAMELESS_NOTE = (
    "This postmortem is blameless. Everyone involved acted in good faith on the "
    "information, tools and time they had. Ask how the system (code, process, tooling, "
    "incentives) allowed this, not who caused it: write “the deploy removed the index”, "
    "not a person's name. People appear in the timeline for who did what, never for fault."
)
FACTORS = (
    ("people", "People", "Did responders have the knowledge, access, rest and help they "
     "needed? Where did handoffs, paging or on-call load make the work harder?"),
    ("process", "Process", "Which review, rollout, runbook or alerting step let this through, "
     "or slowed detection and response?"),
    ("technology", "Technology", "Which systems, dependencies, limits or missing safeguards "
     "contributed? What would have contained the blast radius?"),
    ("environment", "Environment", "What outside conditions played a part: traffic, vendors, "
     "time of day, concurrent changes or incidents?"),
)  # fmt: skip
WENT_WELL = "What helped? Tools, alerts, people or habits worth keeping."
WENT_POORLY = "What got in the way or cost time? Where were we lucky?"
LESSONS = (
    "What do we know now that we did not before? What would you tell a team facing the "
    "same alert tomorrow?"
)


def process_hints(
    *,
    acknowledged: int | None,
    nag: timedelta | None,
    updates: int,
    late: list[LateUpdate],
    reminders: int,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Facts to start "what went well / poorly" from; about the process, never a person."""
    well: list[str] = []
    poorly: list[str] = []
    took = human_duration(acknowledged)
    if acknowledged is None:
        poorly.append("No Incident Commander was assigned.")
    elif nag is not None and acknowledged > nag.total_seconds():
        poorly.append(
            f"An Incident Commander took charge {took} after the declaration; "
            f"the policy asks for one within {human_duration(nag)}."
        )
    else:
        well.append(f"An Incident Commander took charge {took} after the declaration.")
    if late:
        worst = human_duration(max(u.late_by_s for u in late))
        poorly.append(f"{len(late)} of {updates} status updates went out late (at worst {worst}).")
    elif updates:
        well.append(f"All {updates} status updates went out on time.")
    if reminders:
        poorly.append(f"Warroom sent {reminders} reminders or escalations.")
    return tuple(well), tuple(poorly)
