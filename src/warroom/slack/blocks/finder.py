"""`/incident list` and `/incident find`: incidents across the workspace, one section
each, with a link to the war room. Shown only to the person who asked.

Everything given here is already what that person may see (`services.finder`
filtered it); nothing here counts or names anything else.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject

from warroom.domain.finding import (
    ALL,
    OPEN,
    RECENT,
    BadListQuery,
    Found,
    Listing,
    ListQuery,
    Match,
)
from warroom.domain.incident import Incident
from warroom.domain.policy import COMMANDER, Policy
from warroom.slack import mrkdwn
from warroom.slack.blocks.limits import CONTEXT_TEXT, TITLE_SHOWN, clip
from warroom.slack.blocks.text import mrkdwn_message, mrkdwn_section, status_shown, update_promise
from warroom.slack.message import Message

__all__ = [
    "FIND_USAGE",
    "LIST_USAGE",
    "find_usage",
    "found_incidents",
    "incident_list",
    "list_not_understood",
]

LIST_USAGE = "/incident list [open|recent|all] [mine] [SEV1…]"
FIND_USAGE = "/incident find <words>"
EXCERPT_SHOWN = 300
TERMS_SHOWN = 200


def incident_list(listing: Listing, policy: Policy) -> Message:
    """The incidents listed, most relevant first, and how many more there are."""
    heading = _describe(listing.query)
    if not listing.shown:
        return mrkdwn_message(f"No {heading[0].lower()}{heading[1:]} right now.")
    title = f"*{heading}* ({len(listing.shown) + listing.more})"
    blocks = [mrkdwn_section(title).to_dict()]
    blocks += [
        mrkdwn_section(_lines(incident, policy, listing.now)).to_dict()
        for incident in listing.shown
    ]
    if listing.more > 0:
        narrow = (
            "narrow it with a severity (`/incident list SEV1`), `mine`, "
            f"or `{mrkdwn.escape(FIND_USAGE)}`"
        )
        blocks.append(_context(f"…and {listing.more} more — {narrow}."))
    return Message(text=f"{heading}: {len(listing.shown) + listing.more}", blocks=blocks)


def found_incidents(found: Found, policy: Policy) -> Message:
    """The incidents a search found, best first."""
    words = mrkdwn.escape_within(" ".join(found.terms), TERMS_SHOWN)
    if not found.matches:
        return mrkdwn_message(
            f"No incident you can see matches `{words}`. Try fewer or other words, "
            f"or `/incident list {ALL}`."
        )
    total = len(found.matches) + found.more
    heading = f"*Incidents matching* `{words}` ({total})"
    blocks = [mrkdwn_section(heading).to_dict()]
    blocks += [mrkdwn_section(_found(match, policy, found)).to_dict() for match in found.matches]
    if found.more > 0:
        blocks.append(_context(f"…and {found.more} more — add words to narrow it."))
    return Message(text=f"Incidents matching {words}: {total}", blocks=blocks)


def list_not_understood(bad: BadListQuery, policy: Policy) -> Message:
    """Why `/incident list …` was not understood, and what it takes."""
    if bad.word is None:
        problem = f"Pick one of `{OPEN}`, `{RECENT}` or `{ALL}`."
    else:
        problem = f"I don't know `{mrkdwn.escape_within(bad.word, 100)}` here."
    severities = ", ".join(f"`{mrkdwn.escape(key)}`" for key in policy.severity_keys())
    return mrkdwn_message(
        f"{problem}\n`{mrkdwn.escape(LIST_USAGE)}`: `{OPEN}` (the default) lists the "
        f"incidents not resolved, `{RECENT}` those resolved in the last 7 days, `{ALL}` "
        "every one; `mine` those you hold a role in or reported; "
        f"a severity ({severities}) only those. "
        "For example `/incident list mine SEV1`."
    )


def find_usage() -> Message:
    return mrkdwn_message(
        f"`{mrkdwn.escape(FIND_USAGE)}` looks for incidents whose title, summary, impact "
        "or key timeline entries hold every word, for example `/incident find checkout timeout`."
    )


def _describe(query: ListQuery) -> str:
    severities = " ".join(mrkdwn.escape(key) for key in query.severities)
    kind = f"{severities} incidents" if severities else "incidents"
    described = {
        OPEN: f"Open {kind}",
        RECENT: f"{kind[0].upper()}{kind[1:]} resolved in the last 7 days",
        ALL: f"{kind[0].upper()}{kind[1:]}",
    }[query.scope]
    if query.mine:
        described += " you hold a role in or reported"
    return described


def _found(match: Match, policy: Policy, found: Found) -> str:
    text = _lines(match.incident, policy, found.now)
    if match.excerpt:
        shown = (
            mrkdwn.requote_within(match.excerpt, EXCERPT_SHOWN)
            if match.slack_format
            else mrkdwn.escape_within(match.excerpt, EXCERPT_SHOWN)
        )
        text += "\n> " + shown.replace("\n", " ")
    return text


def _lines(incident: Incident, policy: Policy, now: datetime) -> str:
    room = mrkdwn.channel(incident.channel_id) if incident.channel_id else "_room being set up_"
    private = " 🔒" if incident.private else ""
    head = (
        f"*{incident.reference}*{private} · {mrkdwn.escape(incident.severity)} · "
        f"{status_shown(incident, policy)} · {room}"
    )
    title = mrkdwn.escape_within(incident.title, TITLE_SHOWN)
    commander = incident.holder(COMMANDER)
    short = mrkdwn.escape(policy.commander_role.short)
    facts = [f"{short} {mrkdwn.user(commander)}" if commander else f"no {short} yet"]
    if incident.resolved_at is not None:
        facts.append(f"resolved {mrkdwn.date(incident.resolved_at, '{ago}', policy.zone)}")
    else:
        facts.append(f"declared {mrkdwn.date(incident.declared_at, '{ago}', policy.zone)}")
    promise = update_promise(incident, now, policy.zone)
    if promise is not None:
        facts.append(f"next update {promise}")
    return f"{head}\n{title}\n{' · '.join(facts)}"


def _context(text: str) -> dict[str, object]:
    return ContextBlock(elements=[MarkdownTextObject(text=clip(text, CONTEXT_TEXT))]).to_dict()
