"""The policy file: the shipped default, every validation rule, and lookups.

Most rule tests edit one line of `tests/data/policies/minimal.toml` (a small,
valid policy; open it to see the line numbers) and assert the exact problem:
line number, what is wrong and the fix.
"""

from dataclasses import FrozenInstanceError
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from warroom.domain.policy import (
    AT_CADENCE,
    COMMANDER,
    LIFECYCLE,
    BusinessHours,
    Policy,
    PolicyError,
    parse_policy,
)
from warroom.policy_file import load_policy

POLICIES = Path(__file__).parent.parent / "data" / "policies"
MINIMAL = (POLICIES / "minimal.toml").read_text(encoding="utf-8")
DURATION_HINT = "write it like 45s, 30m, 1h, 1h30m or 2d"
LIFECYCLE_TEXT = "investigating → identified → mitigated → resolved → closed"


def edited(*edits: tuple[str, str]) -> str:
    text = MINIMAL
    for old, new in edits:
        assert text.count(old) >= 1, f"{old!r} is not in minimal.toml"
        text = text.replace(old, new, 1)
    return text


def problems(*edits: tuple[str, str]) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        parse_policy(edited(*edits), source="policy.toml")
    return caught.value.problems


# --- the shipped default ------------------------------------------------------


def test_the_default_policy_loads() -> None:
    policy = load_policy()
    assert policy.severity_keys() == ("SEV1", "SEV2", "SEV3", "SEV4")
    assert policy.status_keys() == LIFECYCLE
    assert policy.role_keys() == ("commander", "ops_lead", "comms_lead", "scribe")
    assert policy.highlight_emoji == "pushpin"
    assert policy.action_item_due_after == timedelta(days=14)
    assert policy.business_hours == BusinessHours(
        timezone="UTC", start=time(9), end=time(17), weekdays=frozenset({0, 1, 2, 3, 4})
    )


def test_the_default_severities_match_the_architecture() -> None:
    sev1, sev2, sev3, sev4 = load_policy().severities
    assert [s.rank for s in (sev1, sev2, sev3, sev4)] == [1, 2, 3, 4]
    assert sev1.label == "Critical"
    assert sev1.update_every == timedelta(minutes=30)
    assert sev1.update_every_when_mitigated == timedelta(hours=1)
    assert sev1.commander_nag_after == timedelta(minutes=5)
    assert sev1.commander_escalate_after == timedelta(minutes=15)
    assert sev1.update_overdue_after == timedelta(minutes=10)
    assert sev1.update_broadcast_after == timedelta(minutes=15)
    assert sev1.notify_stakeholders and not sev1.business_hours_only
    assert sev2.label == "Major"
    assert sev2.update_every == timedelta(hours=1)
    assert sev2.update_every_when_mitigated == timedelta(hours=2)
    assert sev2.commander_nag_after == timedelta(minutes=10)
    assert sev2.commander_escalate_after == timedelta(minutes=30)
    assert sev2.notify_stakeholders
    assert sev3.update_every == timedelta(days=1)
    assert sev3.business_hours_only
    assert sev3.commander_nag_after is None and sev3.commander_escalate_after is None
    assert not sev3.notify_stakeholders
    assert sev4.update_every is None and sev4.update_every_when_mitigated is None
    assert sev4.update_overdue_after is None and sev4.commander_nag_after is None


def test_the_default_statuses_and_roles() -> None:
    policy = load_policy()
    assert policy.status("mitigated").label == "Mitigated (monitoring)"
    assert [s.key for s in policy.statuses if s.terminal] == ["resolved", "closed"]
    commander = policy.commander_role
    assert (commander.key, commander.name, commander.short) == (
        COMMANDER,
        "Incident Commander",
        "IC",
    )
    assert "does not debug" in commander.duties.lower()
    assert policy.role("ops_lead").name == "Ops lead"
    assert policy.role("comms_lead").name == "Comms lead"
    assert policy.role("scribe").name == "Scribe"


def test_the_default_fits_slack() -> None:
    policy = load_policy()
    assert all(len(s.description) <= 75 for s in policy.severities)
    assert all(len(r.name) <= 40 for r in policy.roles)


def test_policy_objects_are_frozen() -> None:
    policy = load_policy()
    with pytest.raises(FrozenInstanceError):
        policy.severities[0].label = "Meh"  # type: ignore[misc]


def test_minimal_policy_and_its_defaults() -> None:
    policy = parse_policy(MINIMAL)
    sev2 = policy.severity("SEV2")
    assert sev2.update_every_when_mitigated == timedelta(hours=1)  # same as update_every
    assert sev2.update_overdue_after is None and sev2.commander_nag_after is None
    assert not sev2.business_hours_only and not sev2.notify_stakeholders
    assert policy.highlight_emoji == "pushpin"
    assert policy.status("resolved").terminal and policy.status("closed").terminal
    assert not policy.status("mitigated").terminal


def test_a_drill_policy_shrinks_every_clock() -> None:
    sev1 = load_policy(POLICIES / "drill.toml").severity("sev1")
    assert sev1.update_every == timedelta(seconds=20)
    assert sev1.commander_escalate_after == timedelta(seconds=10)


# --- lookups ------------------------------------------------------------------


@pytest.mark.parametrize("key", ["SEV1", "sev1", "Sev1", " sev1 "])
def test_severity_lookup_ignores_case(key: str) -> None:
    assert load_policy().severity(key).label == "Critical"


def test_status_and_role_lookup_ignore_case() -> None:
    policy = load_policy()
    assert policy.status("Investigating").key == "investigating"
    assert policy.role("COMMANDER") == policy.commander_role


def test_unknown_keys_raise_key_error_listing_the_valid_ones() -> None:
    policy = load_policy()
    with pytest.raises(KeyError) as severity:
        policy.severity("SEV9")
    assert (
        str(severity.value)
        == "unknown severity 'SEV9'; valid severity keys are SEV1, SEV2, SEV3, SEV4"
    )
    with pytest.raises(KeyError) as status:
        policy.status("done")
    assert str(status.value) == (
        "unknown status 'done'; valid status keys are "
        "investigating, identified, mitigated, resolved, closed"
    )
    with pytest.raises(KeyError) as role:
        policy.role("captain")
    assert str(role.value) == (
        "unknown role 'captain'; valid role keys are commander, ops_lead, comms_lead, scribe"
    )


def test_a_hand_built_policy_without_commander_says_so() -> None:
    default = load_policy()
    policy = Policy(default.severities, default.statuses, (), default.business_hours)
    with pytest.raises(KeyError, match="unknown role 'commander'"):
        _ = policy.commander_role


# --- business hours -----------------------------------------------------------

LONDON = BusinessHours(
    timezone="Europe/London", start=time(9), end=time(17), weekdays=frozenset(range(5))
)


@pytest.mark.parametrize(
    ("at", "open_"),
    [
        (datetime(2024, 7, 1, 8, 0, tzinfo=UTC), True),  # Monday 09:00 BST
        (datetime(2024, 7, 1, 7, 59, tzinfo=UTC), False),
        (datetime(2024, 7, 1, 16, 0, tzinfo=UTC), False),  # 17:00 BST: closed
        (datetime(2024, 1, 8, 16, 59, tzinfo=UTC), True),  # 16:59 GMT
        (datetime(2024, 7, 6, 12, 0, tzinfo=UTC), False),  # Saturday
    ],
)
def test_business_hours_are_in_their_own_time_zone(at: datetime, open_: bool) -> None:
    assert LONDON.is_open(at) is open_


def test_next_open() -> None:
    friday_evening = datetime(2024, 7, 5, 18, 0, tzinfo=UTC)
    assert LONDON.next_open(friday_evening) == datetime(2024, 7, 8, 8, 0, tzinfo=UTC)
    monday_early = datetime(2024, 7, 8, 6, 0, tzinfo=UTC)
    assert LONDON.next_open(monday_early) == datetime(2024, 7, 8, 8, 0, tzinfo=UTC)
    during = datetime(2024, 7, 8, 10, 0, tzinfo=UTC)
    assert LONDON.next_open(during) == during


def test_business_hours_without_weekdays_never_open() -> None:
    never = BusinessHours(timezone="UTC", start=time(9), end=time(17), weekdays=frozenset())
    with pytest.raises(ValueError, match="never open"):
        never.next_open(datetime(2024, 7, 1, tzinfo=UTC))


def test_business_hours_need_an_aware_datetime() -> None:
    with pytest.raises(ValueError, match="has no time zone"):
        LONDON.is_open(datetime(2024, 7, 1, 12, 0))


# --- PolicyError and files ----------------------------------------------------


def test_policy_error_is_a_value_error_with_one_problem_per_line() -> None:
    error = PolicyError(["a.toml line 1: first", "a.toml line 2: second"])
    assert isinstance(error, ValueError)
    assert str(error) == "a.toml line 1: first\na.toml line 2: second"
    assert error.problems == ["a.toml line 1: first", "a.toml line 2: second"]


def test_a_file_full_of_mistakes_reports_them_all_in_line_order() -> None:
    path = POLICIES / "typos.toml"
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    at = f"{path} line"
    assert caught.value.problems == [
        f'{at} 4: action_item_due_after = "2 weeks" is not a duration; {DURATION_HINT}',
        f'{at} 7: business_hours.timezone = "Europe/Londn" is not a time zone; '
        "did you mean Europe/London?",
        f'{at} 15: severities[0].update_every = "30 minutes" is not a duration; '
        f'{DURATION_HINT}, or "none" for no status updates',
        f"{at} 16: severities[0].udpate_every_when_mitigated: unknown key; "
        "did you mean update_every_when_mitigated?",
        f'{at} 18: severities[0].commander_escalate_after = "5m" is not longer than '
        'commander_nag_after ("15m"); make it longer: escalate after the nag',
        f'{at} 19: severities[0].notify_stakeholders = "yes" is not true or false; '
        "write notify_stakeholders = true or notify_stakeholders = false",
        f'{at} 22: severities[1].key = "SEV1" is already used by severities[0] (line 12); '
        "give each severity its own key",
        f'{at} 24: severities[1].description = "Significant degradation for a subset ..." '
        "is 94 characters; shorten it to 75 (it is shown under the choice in the declare "
        "dialog, and Slack allows no more there)",
        f'{at} 33: statuses[1].key = "mitigated" comes before identified; list the statuses '
        f"in lifecycle order: {LIFECYCLE_TEXT}",
        f'{at} 52: roles has no commander; add a [[roles]] table with key = "commander" '
        "for the Incident Commander",
    ]


def test_a_toml_syntax_error_names_its_line() -> None:
    path = POLICIES / "not_toml.toml"
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert caught.value.problems == [
        f"{path} line 6: not valid TOML: expected newline or end of document after a "
        'statement (column 18); fix the syntax there (text needs quotes, like update_every = "30m")'
    ]


def test_a_key_set_twice_names_both_lines() -> None:
    assert problems(('label = "Major"', 'label = "Major"\nlabel = "Big"')) == [
        "policy.toml line 23: severities[1].label is set twice (first on line 22); keep one of them"
    ]


def test_a_syntax_error_at_the_end_of_the_file_names_the_last_line() -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(MINIMAL + 'tags = ["a",\n', source="policy.toml")
    assert caught.value.problems == [
        "policy.toml line 62: not valid TOML: invalid value (at the end of the file); "
        'fix the syntax there (text needs quotes, like update_every = "30m")'
    ]


def test_a_missing_file_is_one_clear_problem(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy(tmp_path / "nope.toml")
    assert caught.value.problems == [
        f"{tmp_path / 'nope.toml'}: cannot be read (No such file or directory); check the path"
    ]


def test_source_defaults_to_a_placeholder() -> None:
    with pytest.raises(PolicyError, match=r"^<policy> line 1: "):
        parse_policy("x = 1\n" + MINIMAL)


# --- durations ----------------------------------------------------------------


def test_a_duration_that_is_not_one() -> None:
    assert problems(('update_every = "1h"', 'update_every = "30 minutes"')) == [
        'policy.toml line 24: severities[1].update_every = "30 minutes" is not a duration; '
        f'{DURATION_HINT}, or "none" for no status updates'
    ]


def test_a_duration_written_as_a_number() -> None:
    assert problems(('update_every = "1h"', "update_every = 30")) == [
        "policy.toml line 24: severities[1].update_every = 30 is not a duration (durations are "
        f'quoted text); {DURATION_HINT}, or "none" for no status updates'
    ]


def test_a_negative_duration() -> None:
    assert problems(('commander_nag_after = "5m"', 'commander_nag_after = "-5m"')) == [
        'policy.toml line 16: severities[0].commander_nag_after = "-5m" is negative; '
        f'{DURATION_HINT}, or "none" to switch it off'
    ]


def test_a_zero_update_cadence() -> None:
    assert problems(('update_every = "1h"', 'update_every = "0s"')) == [
        'policy.toml line 24: severities[1].update_every = "0s" would ask for updates without '
        f'pause; {DURATION_HINT}, or "none" for no status updates'
    ]


def test_zero_grace_is_allowed_for_drills() -> None:
    policy = parse_policy(edited(('commander_nag_after = "5m"', 'commander_nag_after = "0s"')))
    assert policy.severity("SEV1").commander_nag_after == timedelta(0)


def test_none_switches_status_updates_off() -> None:
    policy = parse_policy(edited(('update_every = "1h"', 'update_every = "none"')))
    assert policy.severity("SEV2").update_every is None
    assert policy.severity("SEV2").update_every_when_mitigated is None


def test_action_items_cannot_be_none() -> None:
    assert problems(('action_item_due_after = "14d"', 'action_item_due_after = "none"')) == [
        f'policy.toml line 1: action_item_due_after = "none" is not a duration; {DURATION_HINT}'
    ]


# --- keys: required, unknown, types -------------------------------------------


def test_a_required_key_is_missing() -> None:
    assert problems(('label = "Major"', "")) == [
        'policy.toml line 20: severities[1] is missing label; add label = "Critical"'
    ]


def test_a_misspelt_key_suggests_the_right_one_and_only_once() -> None:
    assert problems(('update_every = "1h"', 'udpate_every = "1h"')) == [
        "policy.toml line 24: severities[1].udpate_every: unknown key; did you mean update_every?"
    ]


def test_an_unknown_key_lists_the_valid_ones() -> None:
    assert problems(('short = "IC"', 'short = "IC"\ncolour = "red"')) == [
        "policy.toml line 55: roles[0].colour: unknown key; valid keys: key, name, short, duties"
    ]


def test_a_misspelt_table_suggests_the_right_one() -> None:
    assert problems(('[[roles]]\nkey = "scribe"', '[[role]]\nkey = "scribe"')) == [
        "policy.toml line 57: role: unknown key; did you mean roles?"
    ]


def test_a_flag_that_is_not_a_boolean() -> None:
    assert problems(("notify_stakeholders = true", 'notify_stakeholders = "yes"')) == [
        'policy.toml line 18: severities[0].notify_stakeholders = "yes" is not true or false; '
        "write notify_stakeholders = true or notify_stakeholders = false"
    ]


def test_text_that_is_not_text() -> None:
    assert problems(('label = "Major"', "label = 2")) == [
        'policy.toml line 22: severities[1].label = 2 is not text; put it in quotes, like "this"'
    ]


def test_empty_text() -> None:
    assert problems(('label = "Major"', 'label = " "')) == [
        'policy.toml line 22: severities[1].label = " " is empty; write a few words'
    ]


# --- severities ---------------------------------------------------------------


def test_severity_keys_look_like_sev_n() -> None:
    assert problems(('key = "SEV2"', 'key = "P2"')) == [
        'policy.toml line 21: severities[1].key = "P2" is not a valid key; '
        "write it like SEV1 (SEV and a number)"
    ]


def test_severity_keys_are_normalised_to_upper_case() -> None:
    assert parse_policy(edited(('key = "SEV2"', 'key = "sev2"'))).severity_keys() == (
        "SEV1",
        "SEV2",
    )


def test_duplicate_severity_keys() -> None:
    assert problems(('key = "SEV2"', 'key = "SEV1"')) == [
        'policy.toml line 21: severities[1].key = "SEV1" is already used by severities[0] '
        "(line 10); give each severity its own key"
    ]


def test_severities_are_listed_most_severe_first() -> None:
    assert problems(('key = "SEV1"', 'key = "SEV3"')) == [
        'policy.toml line 21: severities[1].key = "SEV2" is listed after SEV3; '
        "list severities most severe first, lowest number first"
    ]


def test_at_least_one_severity() -> None:
    assert problems(
        ('[[severities]]\nkey = "SEV1"', '[[levels]]\nkey = "SEV1"'),
        ('[[severities]]\nkey = "SEV2"', '[[levels]]\nkey = "SEV2"'),
    ) == [
        "policy.toml: no severities are defined; add a [[severities]] table for each level, "
        'most severe first, starting with key = "SEV1"',
        "policy.toml line 9: levels: unknown key; valid keys: timezone, highlight_emoji, "
        "action_item_due_after, archive_after_close, postmortem_reminder_after, "
        "postmortem_reminder_every, keep_deleted_text, announce_in_origin_channel, "
        "business_hours, severities, statuses, roles, permissions, digest, alert_routes, "
        "status_page",
    ]


def test_severities_must_be_an_array_of_tables() -> None:
    assert problems(
        ('[[severities]]\nkey = "SEV1"', '[severities]\nkey = "SEV1"'),
        ('[[severities]]\nkey = "SEV2"', '[[unused]]\nkey = "SEV2"'),
    )[0] == (
        "policy.toml line 9: severities is not a list of tables; "
        "give each severity its own [[severities]] header"
    )


def test_at_most_ten_severities() -> None:
    extra = "".join(
        f'\n[[severities]]\nkey = "SEV{n}"\nlabel = "L"\ndescription = "D"\nupdate_every = "none"\n'
        for n in range(3, 12)
    )
    text = MINIMAL.replace("\n[[statuses]]", extra + "\n[[statuses]]", 1)
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, source="policy.toml")
    assert caught.value.problems == [
        "policy.toml line 74: severities has 11 entries, more than 10; "
        "Slack offers at most 10 options, so remove or merge some"
    ]
    assert text.splitlines()[73:75] == ["[[severities]]", 'key = "SEV11"']


def test_severity_description_fits_a_radio_button() -> None:
    assert problems(('description = "Everything is down."', f'description = "{"x" * 76}"')) == [
        f'policy.toml line 12: severities[0].description = "{"x" * 37}..." is 76 characters; '
        "shorten it to 75 (it is shown under the choice in the declare dialog, and Slack "
        "allows no more there)"
    ]


def test_escalation_comes_after_the_nag() -> None:
    assert problems(('commander_escalate_after = "15m"', 'commander_escalate_after = "5m"')) == [
        'policy.toml line 17: severities[0].commander_escalate_after = "5m" is not longer than '
        'commander_nag_after ("5m"); make it longer: escalate after the nag'
    ]


def test_broadcast_grace_needs_overdue_grace() -> None:
    assert problems(('update_overdue_after = "10m"', 'update_overdue_after = "none"')) == [
        'policy.toml line 15: severities[0].update_broadcast_after = "15m" needs '
        "update_overdue_after (this grace starts once the IC has been mentioned); "
        'set update_overdue_after or write "none"'
    ]


def test_update_clocks_need_an_update_cadence() -> None:
    assert problems(('update_every = "30m"', 'update_every = "none"')) == [
        'policy.toml line 14: severities[0].update_overdue_after = "10m" has no effect while '
        'update_every = "none"; write "none" here or set update_every'
    ]


# --- statuses -----------------------------------------------------------------


def test_the_lifecycle_statuses_are_required() -> None:
    assert problems(('key = "identified"', 'key = "found"')) == [
        "policy.toml line 26: statuses is missing identified; add a [[statuses]] table for "
        f"each (the lifecycle is {LIFECYCLE_TEXT})"
    ]


def test_the_lifecycle_statuses_come_in_order() -> None:
    assert problems(
        ('key = "identified"', 'key = "mitigated"'),
        ('key = "mitigated"\nlabel = "Mitigated"', 'key = "identified"\nlabel = "Mitigated"'),
    ) == [
        'policy.toml line 32: statuses[1].key = "mitigated" comes before identified; '
        f"list the statuses in lifecycle order: {LIFECYCLE_TEXT}"
    ]


MONITORING = '[[statuses]]\nkey = "monitoring"\nlabel = "Monitoring"\ndescription = "Watching."\n'


def test_statuses_you_add_are_offered_in_the_policy_order() -> None:
    text = edited(
        ('[[statuses]]\nkey = "resolved"', MONITORING + '\n[[statuses]]\nkey = "resolved"')
    )
    policy = parse_policy(text)
    assert policy.settable_statuses() == ("investigating", "identified", "mitigated", "monitoring")
    assert not policy.status("monitoring").terminal


def test_a_status_you_add_must_be_one_an_open_incident_can_be_in() -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy(MINIMAL + "\n" + MONITORING, source="policy.toml")
    assert caught.value.problems == [
        'policy.toml line 64: statuses[5].key = "monitoring" comes after resolved; put a '
        "status you add before resolved (it is set while the incident is open, from the card "
        "and /incident status)"
    ]
    ending = MONITORING + "terminal = true\n"
    text = edited(('[[statuses]]\nkey = "resolved"', ending + '\n[[statuses]]\nkey = "resolved"'))
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, source="policy.toml")
    (problem,) = caught.value.problems
    assert "terminal = true would end the incident, but only resolved and closed do" in problem


def test_duplicate_status_keys() -> None:
    extra = '[[statuses]]\nkey = "closed"\nlabel = "Closed"\ndescription = "Again."\n'
    with pytest.raises(PolicyError) as caught:
        parse_policy(MINIMAL + "\n" + extra, source="policy.toml")
    assert caught.value.problems == [
        'policy.toml line 64: statuses[5].key = "closed" is already used by statuses[4] '
        "(line 47); give each status its own key"
    ]


@pytest.mark.parametrize(
    ("edit", "line", "message"),
    [
        (
            ('description = "Over."', 'description = "Over."\nterminal = false'),
            45,
            "statuses[3].terminal = false is wrong for resolved: it ends the incident; "
            "write terminal = true or leave it out",
        ),
        (
            ('description = "Holding."', 'description = "Holding."\nterminal = true'),
            40,
            "statuses[2].terminal = true is wrong for mitigated: the incident is still open "
            "then; write terminal = false or leave it out",
        ),
    ],
)
def test_terminal_matches_the_lifecycle(edit: tuple[str, str], line: int, message: str) -> None:
    assert problems(edit) == [f"policy.toml line {line}: {message}"]


def test_status_keys_are_slugs() -> None:
    extra = '[[statuses]]\nkey = "on hold"\nlabel = "On hold"\ndescription = "Paused."\n'
    with pytest.raises(PolicyError) as caught:
        parse_policy(MINIMAL + "\n" + extra, source="policy.toml")
    assert caught.value.problems == [
        'policy.toml line 64: statuses[5].key = "on hold" is not a valid key; '
        "write it like monitoring (lower-case letters, digits and _)"
    ]


# --- roles --------------------------------------------------------------------


def test_the_commander_role_is_required() -> None:
    assert problems(('key = "commander"', 'key = "captain"')) == [
        "policy.toml line 51: roles has no commander; add a [[roles]] table with key = "
        '"commander" for the Incident Commander'
    ]


def test_duplicate_role_keys() -> None:
    assert problems(('key = "scribe"', 'key = "commander"')) == [
        'policy.toml line 58: roles[1].key = "commander" is already used by roles[0] (line 52); '
        "give each role its own key"
    ]


def test_role_names_fit_slack() -> None:
    name = "Keeper of the timeline and all its entries"
    assert problems(('name = "Scribe"', f'name = "{name}"')) == [
        'policy.toml line 59: roles[1].name = "Keeper of the timeline and all its en..." '
        "is 42 characters; shorten it to 40 (Slack menus and buttons fit no more)"
    ]


def test_role_duties_are_at_most_150_characters() -> None:
    assert problems(('duties = "Decides."', f'duties = "{"d" * 151}"')) == [
        f'policy.toml line 55: roles[0].duties = "{"d" * 37}..." is 151 characters; '
        "shorten it to 150"
    ]


def test_at_most_ten_roles() -> None:
    extra = "".join(
        f'\n[[roles]]\nkey = "r{n}"\nname = "R{n}"\nshort = "R"\nduties = "D."\n' for n in range(9)
    )
    with pytest.raises(PolicyError) as caught:
        parse_policy(MINIMAL + extra, source="policy.toml")
    assert (MINIMAL + extra).splitlines()[110:112] == ["[[roles]]", 'key = "r8"']
    assert caught.value.problems == [
        "policy.toml line 111: roles has 11 entries, more than 10; "
        "Slack offers at most 10 options, so remove or merge some"
    ]


# --- business hours and the rest ----------------------------------------------


def test_a_time_zone_typo_suggests_the_real_one() -> None:
    assert problems(('"Europe/London"', '"Europe/Londn"')) == [
        'policy.toml line 4: business_hours.timezone = "Europe/Londn" is not a time zone; '
        "did you mean Europe/London?"
    ]


def test_a_time_zone_in_the_wrong_case() -> None:
    assert problems(('"Europe/London"', '"utc"')) == [
        'policy.toml line 4: business_hours.timezone = "utc" is not a time zone; did you mean UTC?'
    ]


def test_a_time_zone_nothing_like_one() -> None:
    assert problems(('"Europe/London"', '"Mars/Olympus_Mons_Base"')) == [
        'policy.toml line 4: business_hours.timezone = "Mars/Olympus_Mons_Base" is not a time '
        "zone; use an IANA name like Europe/London or UTC"
    ]


def test_a_time_of_day_that_is_not_one() -> None:
    assert problems(('start = "09:00"', 'start = "9am"')) == [
        'policy.toml line 5: business_hours.start = "9am" is not a time of day; '
        'write it like start = "09:00" (24-hour HH:MM)'
    ]


def test_a_toml_time_works_too() -> None:
    hours = parse_policy(edited(('start = "09:00"', "start = 08:30:00"))).business_hours
    assert hours.start == time(8, 30)


def test_business_hours_do_not_cross_midnight() -> None:
    assert problems(('end = "17:00"', 'end = "08:00"')) == [
        'policy.toml line 6: business_hours.end = "08:00" is not after start ("09:00"); '
        "business hours cannot cross midnight, so make end later"
    ]


def test_weekdays_are_named() -> None:
    assert problems(('"fri"]', '"fry"]')) == [
        'policy.toml line 7: business_hours.weekdays = ["mon", "tue", "wed", "thu", "fry"] '
        'is not a list of weekdays; write it like ["mon", "tue", "wed", "thu", "fri"], '
        "naming any of mon, tue, wed, thu, fri, sat, sun"
    ]


def test_weekdays_may_be_spelt_out() -> None:
    hours = parse_policy(
        edited(('["mon", "tue", "wed", "thu", "fri"]', '["Saturday", "sun"]'))
    ).business_hours
    assert hours.weekdays == frozenset({5, 6})


def test_business_hours_default_to_nine_to_five_utc_weekdays() -> None:
    text = edited(
        ('timezone = "Europe/London"', ""),
        ('start = "09:00"', ""),
        ('end = "17:00"', ""),
        ('weekdays = ["mon", "tue", "wed", "thu", "fri"]', ""),
    )
    assert parse_policy(text).business_hours == load_policy().business_hours


def test_highlight_emoji_may_keep_its_colons() -> None:
    text = edited(('action_item_due_after = "14d"', 'highlight_emoji = ":round_pushpin:"'))
    assert parse_policy(text).highlight_emoji == "round_pushpin"


def test_highlight_emoji_must_be_an_emoji_name() -> None:
    assert problems(('action_item_due_after = "14d"', 'highlight_emoji = "push pin"')) == [
        'policy.toml line 1: highlight_emoji = "push pin" is not an emoji name; '
        'write it without colons, like "pushpin"'
    ]


def test_repeats_are_at_the_cadence_unless_set_or_switched_off() -> None:
    sev1 = parse_policy(MINIMAL).severity("SEV1")
    assert sev1.update_repeat_every == AT_CADENCE == sev1.commander_repeat_every
    text = edited(
        ('update_every = "30m"', 'update_every = "30m"\nupdate_repeat_every = "none"'),
        ('update_every = "30m"', 'update_every = "30m"\ncommander_repeat_every = "45m"'),
    )
    sev1 = parse_policy(text).severity("SEV1")
    assert sev1.update_repeat_every is None
    assert sev1.commander_repeat_every == timedelta(minutes=45)
    (problem,) = problems(
        ('update_every = "30m"', 'update_every = "30m"\nupdate_repeat_every = "0m"')
    )
    assert "update_repeat_every" in problem and "without pause" in problem


def test_postmortems_are_required_unless_the_severity_says_otherwise() -> None:
    assert parse_policy(MINIMAL).severity("SEV1").postmortem_required
    shipped = load_policy()
    assert [s.postmortem_required for s in shipped.severities] == [True, True, False, False]
    text = edited(('update_every = "30m"', 'update_every = "30m"\npostmortem_required = false'))
    assert not parse_policy(text).severity("SEV1").postmortem_required


def test_the_postmortem_chase_is_set_in_working_days_then_repeats() -> None:
    policy = parse_policy(MINIMAL)
    assert policy.postmortem_reminder_working_days == 5
    assert policy.postmortem_reminder_every == timedelta(days=7)
    text = 'postmortem_reminder_after = "3d"\npostmortem_reminder_every = "none"\n' + MINIMAL
    policy = parse_policy(text)
    assert policy.postmortem_reminder_working_days == 3 and policy.postmortem_reminder_every is None
    with pytest.raises(PolicyError) as caught:
        parse_policy('postmortem_reminder_after = "36h"\n' + MINIMAL, source="policy.toml")
    (problem,) = caught.value.problems
    assert "postmortem_reminder_after" in problem and "whole number of days" in problem
