import re
from itertools import islice

import pytest

from warroom.domain.naming import (
    CHANNEL_NAME_MAX,
    SUFFIX_LENGTH,
    channel_name,
    room_names,
    unguessable_suffix,
)

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
        ("<!channel> & <@U123>", "inc-7-channel-u123"),
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


def test_suffix_fits_and_keeps_number() -> None:
    title = "y" * 300
    first, second = channel_name(9, title), channel_name(9, title, suffix="k3x9q2mz")
    assert second.endswith("-k3x9q2mz") and second.startswith("inc-9-")
    assert len(second) <= CHANNEL_NAME_MAX and first != second
    assert_valid(second)


def test_readable_name_first_then_fresh_unguessable_ones() -> None:
    suffixes = iter(["aaaa1111", "bbbb2222", "cccc3333"])
    names = list(islice(room_names(12, "Database is down", suffix=lambda: next(suffixes)), 3))
    assert names == [
        "inc-12-database-is-down",
        "inc-12-database-is-down-aaaa1111",
        "inc-12-database-is-down-bbbb2222",
    ]


@pytest.mark.parametrize("title", ["🔥🔥🔥", "数据库宕机", "---", "Пожар"])
def test_a_title_without_a_slug_never_gives_a_bare_name(title: str) -> None:
    first, second = islice(room_names(7, title), 2)
    for name in (first, second):
        assert re.fullmatch(rf"inc-7-[a-z0-9]{{{SUFFIX_LENGTH}}}", name), name
        assert_valid(name)
    assert first != second


def test_suffixes_are_random_lowercase_alphanumerics() -> None:
    seen = {unguessable_suffix() for _ in range(200)}
    assert len(seen) == 200
    assert all(re.fullmatch(r"[a-z0-9]{8}", s) for s in seen)


def test_every_name_fits_slacks_limit_for_any_number_and_title() -> None:
    for number in (1, 99999, 10**12):
        for title in ("x" * 300, "payments " * 30, "🔥", "a"):
            for name in islice(room_names(number, title), 3):
                assert_valid(name)
                assert name.startswith(f"inc-{number}-")
