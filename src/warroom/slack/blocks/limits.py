"""Slack's length limits, by the place text is shown, and the one way text is cut to fit.

Every builder cuts user-derived text with `clip` to the limit of the place it
lands, so a long title, resolution or note is shortened with an ellipsis where it
is shown instead of making Slack refuse the whole post. Cut *after* escaping:
`clip` never splits an entity (`&amp;`), a Slack token (`<@U1>`,
`<!date^…|…>`) or a character sequence drawn as one glyph (ZWJ emoji, a flag,
an accent). Lengths are counted in characters (code points), as Slack and
slack_sdk count them.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "BLOCK_ID",
    "BUTTON_TEXT",
    "BUTTON_VALUE",
    "CONTEXT_ELEMENTS",
    "CONTEXT_TEXT",
    "ELLIPSIS",
    "FALLBACK_TEXT",
    "HEADER_TEXT",
    "INITIAL_VALUE",
    "INPUT_HINT",
    "INPUT_LABEL",
    "MESSAGE_BLOCKS",
    "MODAL_TITLE",
    "OPTION_DESCRIPTION",
    "OPTION_TEXT",
    "PLACEHOLDER",
    "PRIVATE_METADATA",
    "SECTION_FIELD",
    "SECTION_FIELDS",
    "SECTION_TEXT",
    "TITLE_SHOWN",
    "TOPIC",
    "VIEW_BLOCKS",
    "clip",
]

SECTION_TEXT = 3000
SECTION_FIELD = 2000
SECTION_FIELDS = 10
HEADER_TEXT = 150
CONTEXT_TEXT = 2000
"""Slack's text objects take 3,000; context elements are budgeted at 2,000 to be safe."""
CONTEXT_ELEMENTS = 10
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
OPTION_TEXT = 75
OPTION_DESCRIPTION = 75
MODAL_TITLE = 24
INPUT_LABEL = 2000
INPUT_HINT = 2000
PLACEHOLDER = 150
INITIAL_VALUE = 3000
PRIVATE_METADATA = 3000
BLOCK_ID = 255
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
TOPIC = 250
FALLBACK_TEXT = 4000
"""A message's `text`: 40,000 on chat.postMessage but 4,000 on chat.update, and any
message may be updated later; notifications show far less anyway."""
TITLE_SHOWN = 300
"""An incident title inside a longer line (announcement, notices)."""

ELLIPSIS = "…"

# Spans a cut must not fall inside: an HTML entity as mrkdwn.escape writes them,
# and a Slack token (mention, channel, broadcast, date, link).
_UNSPLITTABLE = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|<[^<>\n]{1,1000}>")
_ZWJ = "\u200d"


def _joins_previous(char: str) -> bool:
    """True for a code point drawn as part of the glyph before it."""
    point = ord(char)
    return (
        char == _ZWJ
        or 0xFE00 <= point <= 0xFE0F  # variation selectors
        or 0x1F3FB <= point <= 0x1F3FF  # skin tones
        or 0xE0020 <= point <= 0xE007F  # tag sequences (subdivision flags)
        or 0xDC00 <= point <= 0xDFFF  # a low surrogate (text decoded with surrogatepass)
        or unicodedata.category(char) in ("Mn", "Me", "Mc")
    )


def _regional_indicator(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def _safe_cut(text: str, cut: int) -> int:
    """The largest index <= `cut` that ends neither inside a span nor inside a glyph."""
    spans = [m.span() for m in _UNSPLITTABLE.finditer(text, 0, min(len(text), cut + 1001))]
    while cut > 0:
        moved = cut
        for start, end in spans:
            if start < moved < end:
                moved = start
        while moved > 0 and (_joins_previous(text[moved]) or text[moved - 1] == _ZWJ):
            moved -= 1
        if moved > 0 and _regional_indicator(text[moved]) and _regional_indicator(text[moved - 1]):
            run = moved
            while run > 0 and _regional_indicator(text[run - 1]):
                run -= 1
            if (moved - run) % 2:  # a flag is a pair; don't keep half of one
                moved -= 1
        if moved == cut:
            return cut
        cut = moved
    return 0


def clip(text: str, limit: int) -> str:
    """`text` if it fits in `limit` characters, else cut to fit and ending in "…"."""
    if len(text) <= limit:
        return text
    if limit < len(ELLIPSIS):
        return ""
    cut = _safe_cut(text, limit - len(ELLIPSIS))
    return text[:cut].rstrip() + ELLIPSIS
