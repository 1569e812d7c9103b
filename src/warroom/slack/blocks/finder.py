"""`/incident list` and `/incident find`: incidents across the workspace, one section
each, with a link to the war room. Shown only to the person who asked.

Everything given here is already what that person may see (`services.finder`
filtered it); nothing here counts or names anything else.
"""

from __future__ import annotations

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
from warroom.domain.policy import Policy
from warroom.slack import mrkdwn
from warroom.slack.blocks.limits import CONTEXT_TEXT, clip
from warroom.slack.blocks.text import incident_lines, mrkdwn_message, mrkdwn_section
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
        mrkdwn_section(incident_lines(incident, policy, listing.now)).to_dict()
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
    text = incident_lines(match.incident, policy, found.now)
    if match.excerpt:
        shown = (
            mrkdwn.requote_within(match.excerpt, EXCERPT_SHOWN)
            if match.slack_format
            else mrkdwn.escape_within(match.excerpt, EXCERPT_SHOWN)
        )
        text += "\n> " + shown.replace("\n", " ")
    return text


def _context(text: str) -> dict[str, object]:
    return ContextBlock(elements=[MarkdownTextObject(text=clip(text, CONTEXT_TEXT))]).to_dict()
