"""Every log record is one line: what a request carried cannot start a line of its own."""

from __future__ import annotations

import logging

from warroom.log_setup import FORMAT, OneLineFormatter, escape_line_breaks

FORGED = "2026-01-01 00:00:00,000 ERROR warroom: FORGED"


def _record(message: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.LogRecord("warroom.x", logging.WARNING, __file__, 1, message, args, exc_info)


def test_line_breaks_and_terminal_escapes_are_spelled_out() -> None:
    text = f"a\n{FORGED}\rb\r\n{FORGED}\u2028c\u2029d\x85e\x0bf\x0cg\x1b[2Kh\x00i\x7fj\tk"

    escaped = escape_line_breaks(text)

    assert escaped.splitlines() == [escaped]
    assert escaped == (
        f"a\\n{FORGED}\\rb\\r\\n{FORGED}\\u2028c\\u2029d\\x85e\\x0bf\\x0cg\\x1b[2Kh\\x00i\\x7fj\tk"
    )


def test_a_record_its_arguments_and_its_traceback_make_one_line() -> None:
    formatter = OneLineFormatter(FORMAT)
    try:
        raise ValueError(f"bad value\n{FORGED}")
    except ValueError as error:
        record = _record("note from %s:\n%s", "U1", FORGED, exc=error)

    line = formatter.format(record)

    assert line.splitlines() == [line]
    assert f"\\n{FORGED}" in line and "Traceback (most recent call last):\\n" in line
