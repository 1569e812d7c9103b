"""The policy's `[digest]` section: off by default, day and time read, and a bad day,
time or key named with its line and the fix (what `warroom policy check` prints)."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from warroom.cli import main
from warroom.domain.policy import DigestPolicy, PolicyError, parse_policy
from warroom.policy_file import load_policy

POLICIES = Path(__file__).parent.parent / "data" / "policies"
MINIMAL = (POLICIES / "minimal.toml").read_text(encoding="utf-8")
LINE = len(MINIMAL.splitlines()) + 1
"""The line of the `[digest]` header appended to the minimal policy."""


def with_digest(*lines: str) -> str:
    return MINIMAL + "[digest]\n" + "".join(f"{line}\n" for line in lines)


def problems(text: str) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, source="policy.toml")
    return caught.value.problems


def test_the_digest_is_off_by_default() -> None:
    assert parse_policy(MINIMAL).digest == DigestPolicy(enabled=False, weekday=0, at=time(9))
    assert load_policy().digest == DigestPolicy()  # the shipped file documents it, off


def test_day_and_time_are_read() -> None:
    policy = parse_policy(with_digest("enabled = true", 'day = "Fri"', 'time = "17:30"'))
    assert policy.digest == DigestPolicy(enabled=True, weekday=4, at=time(17, 30))
    sunday = parse_policy(with_digest("enabled = true", 'day = "sunday"', "time = 07:05:00"))
    assert sunday.digest == DigestPolicy(enabled=True, weekday=6, at=time(7, 5))


def test_an_empty_section_is_off_on_monday_at_nine() -> None:
    assert parse_policy(with_digest()).digest == DigestPolicy()


def test_a_bad_day_is_named_with_the_fix() -> None:
    assert problems(with_digest('day = "funday"')) == [
        f'policy.toml line {LINE + 1}: digest.day = "funday" is not a day of the week; '
        'write it like day = "monday" (any of monday, tuesday, wednesday, thursday, '
        "friday, saturday, sunday, or mon, tue, ...)"
    ]


@pytest.mark.parametrize("value", ['"25:00"', '"9am"', "9", '"09:60"'])
def test_a_bad_time_is_named_with_the_fix(value: str) -> None:
    assert problems(with_digest(f"time = {value}")) == [
        f"policy.toml line {LINE + 1}: digest.time = {value} is not a time of day; "
        'write it like time = "09:00" (24-hour HH:MM)'
    ]


def test_enabled_must_be_true_or_false_and_keys_known() -> None:
    assert problems(with_digest('enabled = "yes"', 'hour = "09:00"')) == [
        f'policy.toml line {LINE + 1}: digest.enabled = "yes" is not true or false; '
        "write enabled = true or enabled = false",
        f"policy.toml line {LINE + 2}: digest.hour: unknown key; valid keys: enabled, day, time",
    ]


def test_policy_check_prints_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(with_digest("enabled = true", 'day = "someday"'), encoding="utf-8")
    assert main(["policy", "check", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"line {LINE + 2}: digest.day" in err and "not a day of the week" in err
