from datetime import timedelta

import pytest

from warroom.domain.durations import DURATION_EXAMPLES, format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0s", timedelta(0)),
        ("45s", timedelta(seconds=45)),
        ("30m", timedelta(minutes=30)),
        ("1h", timedelta(hours=1)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("2d", timedelta(days=2)),
        ("1d2h3m4s", timedelta(days=1, hours=2, minutes=3, seconds=4)),
        ("90m", timedelta(minutes=90)),
        (" 10m ", timedelta(minutes=10)),
    ],
)
def test_parse_duration_reads_what_people_write(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", " ", "30", "m", "30 minutes", "1h 30m", "30m1h", "1h1h", "1.5h", "-5m", "+5m",
     "30M", "1w", "PT30M", "0x10s", "1h30"],
)  # fmt: skip
def test_parse_duration_refuses_anything_else_and_says_what_is_accepted(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_duration(text)
    assert str(caught.value) == (
        f"{text!r} is not a duration; write it like 45s, 30m, 1h, 1h30m or 2d "
        "(whole numbers with units d, h, m, s, largest first)"
    )


def test_parse_duration_refuses_an_absurdly_long_duration() -> None:
    with pytest.raises(ValueError, match="too long to be a duration"):
        parse_duration("9999999999d")


def test_the_examples_in_the_hint_all_parse() -> None:
    examples = DURATION_EXAMPLES.replace(" or ", ", ").split(", ")
    assert [format_duration(parse_duration(text)) for text in examples] == examples


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (timedelta(0), "0s"),
        (timedelta(seconds=45), "45s"),
        (timedelta(minutes=30), "30m"),
        (timedelta(minutes=60), "1h"),
        (timedelta(minutes=90), "1h30m"),
        (timedelta(hours=48), "2d"),
        (timedelta(days=1, seconds=1), "1d1s"),
        (timedelta(days=1, hours=2, minutes=3, seconds=4), "1d2h3m4s"),
    ],
)
def test_format_duration_writes_the_shortest_form(duration: timedelta, text: str) -> None:
    assert format_duration(duration) == text
    assert parse_duration(text) == duration


@pytest.mark.parametrize(
    ("text", "canonical"),
    [("90m", "1h30m"), ("3600s", "1h"), ("24h", "1d"), ("0d0h0m0s", "0s"), ("1d24h", "2d")],
)
def test_format_duration_writes_each_unit_at_most_once(text: str, canonical: str) -> None:
    assert format_duration(parse_duration(text)) == canonical


@pytest.mark.parametrize("seconds", [0, 1, 59, 60, 61, 3599, 3600, 86399, 86400, 90061, 10**8])
def test_round_trip_over_many_values(seconds: int) -> None:
    duration = timedelta(seconds=seconds)
    assert parse_duration(format_duration(duration)) == duration


@pytest.mark.parametrize("duration", [timedelta(seconds=-1), timedelta(milliseconds=1500)])
def test_format_duration_refuses_what_it_cannot_write(duration: timedelta) -> None:
    with pytest.raises(ValueError, match="not a whole, non-negative number of seconds"):
        format_duration(duration)
