"""The one logging set-up for `warroom` commands: every record is one line.

Whatever a record carries (a message argument, an exception's text, a
traceback) is written with line breaks and terminal escapes spelled out as
`\\n`, `\\r`, `\\x1b`..., so text that came in a request can never start a log
line of its own or rewrite the terminal it is read on.

Bodies are not logged at all: Warroom never puts one in a record, Bolt's
messages that quote them are switched off where the app is built, and the
Slack libraries, which log whole payloads at DEBUG, are held at INFO even when
LOG_LEVEL is DEBUG.
"""

from __future__ import annotations

import logging
import sys

__all__ = ["OneLineFormatter", "configure_logging", "escape_line_breaks"]

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
PAYLOAD_LOGGERS = ("slack_bolt", "slack_sdk", "warroom.bolt")
"""They log request and response bodies at DEBUG."""

_BREAKS = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F, 0x85) if chr(code) != "\t"} | {
    0x0A: "\\n",
    0x0D: "\\r",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}


def escape_line_breaks(text: str) -> str:
    """Every character that ends a line (for `str.splitlines`, a terminal or a log
    shipper) or drives a terminal, spelled out; tabs are kept."""
    return text.translate(_BREAKS)


class OneLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return escape_line_breaks(super().format(record))


def configure_logging(level: str) -> None:
    """Like `logging.basicConfig`, a no-op where logging is set up already (under pytest,
    or in a program that embeds Warroom)."""
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(OneLineFormatter(FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    for name in PAYLOAD_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.getLevelName(level), logging.INFO))
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
