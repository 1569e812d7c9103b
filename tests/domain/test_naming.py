import re

import pytest

from warroom.domain.naming import CHANNEL_NAME_MAX, channel_name

VALID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def assert_valid(name: str) -> None:
    assert VALID.match(name), name
    assert len(name) <= CHANNEL_NAME_MAX


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Database is down", "inc-7-database-is-down"),
        ("  Checkout: 500s on /pay!!  ", "inc-7-checkout-500s-on-pay"),
        ("Café crème brûlée", "inc-7-cafe-creme-brulee"),
        ("🔥🔥🔥", "inc-7"),
        ("数据库宕机", "inc-7"),
        ("<!channel> & <@U123>", "inc-7-channel-u123"),
        ("---", "inc-7"),
    ],
)
def test_slug(title: str, expected: str) -> None:
    assert channel_name(7, title) == expected
    assert_valid(expected)


def test_long_title_shortens_slug_at_word_boundary_never_the_number() -> None:
    title = "payments " * 30
    name = channel_name(123456, title)
    assert name.startswith("inc-123456-payments")
    assert not name.endswith("-")
    assert name.split("-")[-1] == "payments"
    assert_valid(name)


def test_single_long_word_is_cut_hard() -> None:
    name = channel_name(1, "x" * 300)
    assert len(name) == CHANNEL_NAME_MAX
    assert_valid(name)


def test_attempt_suffix_fits_and_keeps_number() -> None:
    title = "y" * 300
    first, second = channel_name(9, title), channel_name(9, title, attempt=2)
    assert second.endswith("-2") and second.startswith("inc-9-")
    assert len(second) <= CHANNEL_NAME_MAX and first != second
    assert channel_name(9, "🔥", attempt=3) == "inc-9-3"
