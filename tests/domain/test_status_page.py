"""The status page's rules: the policy's `[status_page]` (off by default; severities and
title checked, each problem on its line with the fix), which incidents it shows, and
text made public (no names, no channels, no links)."""

from __future__ import annotations

from pathlib import Path

import pytest

from warroom.cli import main
from warroom.domain.policy import PolicyError, StatusPagePolicy, parse_policy
from warroom.domain.status_page import public_text, shown_on_status_page
from warroom.policy_file import load_policy

POLICIES = Path(__file__).parent.parent / "data" / "policies"
MINIMAL = (POLICIES / "minimal.toml").read_text(encoding="utf-8")
DEFAULT = load_policy()
LINE = len(MINIMAL.splitlines()) + 1
"""The line of the `[status_page]` header appended to the minimal policy."""


def with_section(*lines: str, base: str = MINIMAL) -> str:
    return base + "[status_page]\n" + "".join(f"{line}\n" for line in lines)


def problems(text: str) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, source="policy.toml")
    return caught.value.problems


def test_the_status_page_is_off_by_default_showing_sev1_and_sev2() -> None:
    assert DEFAULT.status_page == StatusPagePolicy(
        enabled=False, severities=("SEV1", "SEV2"), title="Service status"
    )


def test_the_section_is_read() -> None:
    default_text = (Path(__file__).parents[2] / "src/warroom/default_policy.toml").read_text()
    policy = parse_policy(
        with_section(
            "enabled = true",
            'severities = ["sev1", "SEV3", "SEV1"]',
            'title = " Acme status "',
            base=default_text,
        )
    )
    assert policy.status_page == StatusPagePolicy(
        enabled=True, severities=("SEV1", "SEV3"), title="Acme status"
    )


def test_default_severities_the_policy_lacks_are_left_out() -> None:
    keys = parse_policy(MINIMAL).severity_keys()
    assert parse_policy(with_section("enabled = true")).status_page.severities == tuple(
        key for key in ("SEV1", "SEV2") if key in keys
    )


def test_problems_are_named_on_their_line_with_the_fix() -> None:
    found = problems(
        with_section('enabled = "yes"', 'severities = ["SEV9"]', 'title = ""', 'colour = "red"')
    )
    assert found[0] == (
        f'policy.toml line {LINE + 1}: status_page.enabled = "yes" is not true or false; '
        "write enabled = true or enabled = false"
    )
    assert found[1].startswith(
        f'policy.toml line {LINE + 2}: status_page.severities = ["SEV9"] names "SEV9", '
        "which is not a severity above; "
    )
    assert found[2] == (
        f'policy.toml line {LINE + 3}: status_page.title = "" is empty; write a few words'
    )
    assert found[3] == (
        f"policy.toml line {LINE + 4}: status_page.colour: unknown key; "
        "valid keys: enabled, severities, title"
    )
    assert len(found) == 4


def test_severities_must_be_a_list_and_the_section_a_table() -> None:
    assert problems(with_section('severities = "SEV1"')) == [
        f'policy.toml line {LINE + 1}: status_page.severities = "SEV1" is not a list of '
        'severity keys; write it like ["SEV1", "SEV2"]'
    ]
    assert problems('status_page = "on"\n' + MINIMAL) == [
        'policy.toml line 1: status_page = "on" is not a table; write [status_page]'
    ]


def test_policy_check_prints_the_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(with_section("enabled = 1"), encoding="utf-8")
    assert main(["policy", "check", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"line {LINE + 1}: status_page.enabled" in err and "true or false" in err


@pytest.mark.parametrize(
    ("severity", "private", "flag", "shown"),
    [
        ("SEV1", False, None, True),
        ("sev2", False, None, True),
        ("SEV3", False, None, False),
        ("SEV3", False, True, True),
        ("SEV1", False, False, False),
        ("SEV1", True, None, False),
        ("SEV1", True, True, False),
    ],
)
def test_which_incidents_are_shown(
    severity: str, private: bool, flag: bool | None, shown: bool
) -> None:
    rule = StatusPagePolicy(enabled=True)
    assert shown_on_status_page(rule, severity=severity, private=private, flag=flag) is shown


@pytest.mark.parametrize(
    ("typed", "public"),
    [
        ("Rolled back by <@U012AB3CD|alice>", "Rolled back by someone"),
        ("Ask <!subteam^S0614TZR7|@oncall> or <!channel>", "Ask someone or"),
        ("Ping @alice.b and @Bob-2", "Ping someone and someone"),
        ("mail ops@example.com", "mail ops@example.com"),
        (
            "See <#C012AB3CD|inc-7-db> and #inc-7-db",
            "See an internal channel and an internal channel",
        ),
        ("Issue #42 and C#", "Issue #42 and C#"),
        (
            "<https://grafana.internal/d/1|dashboard> https://x.internal/a?b=1",
            "dashboard [link removed]",
        ),
        ("<https://grafana.internal/d/1>", "[link removed]"),
        ("<https://a.internal|https://a.internal>", "[link removed]"),
        ("www.internal.example/x", "[link removed]"),
        ("a &lt;b&gt; &amp; c", "a <b> & c"),
        ("<script>alert(1)</script>", "<script>alert(1)</script>"),
        ("  two   spaces\n\n  next line \x07", "two spaces\n\nnext line"),
    ],
)
def test_text_made_public(typed: str, public: str) -> None:
    assert public_text(typed) == public


def test_long_text_is_cut_like_the_stakeholder_message() -> None:
    cut = public_text("word " * 300)
    assert len(cut) == 600 and cut.endswith("…")
