"""Who may steer an incident: the pure decision, and the policy's `[permissions]` section."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from warroom.cli import main
from warroom.domain.incident import Incident, RoleHolder
from warroom.domain.permissions import (
    DEFAULT_PERMISSIONS,
    Action,
    ActorFacts,
    Admins,
    Allowed,
    NotPermitted,
    Permissions,
    Refused,
    decide,
)
from warroom.domain.policy import PolicyError, parse_policy
from warroom.policy_file import load_policy
from warroom.slack.blocks.permissions import refusal_text

POLICIES = Path(__file__).parent.parent / "data" / "policies"
MINIMAL = (POLICIES / "minimal.toml").read_text(encoding="utf-8")
LINES = len(MINIMAL.splitlines())
AT = datetime(2026, 1, 5, 10, tzinfo=UTC)
REPORTER, IC, MEMBER, OUTSIDER, ADMIN = "UREPORTER", "UALICE01", "UBOB0001", "UEVE0001", "UADM0001"

INCIDENT = Incident(
    id=1,
    team_id="T1",
    number=7,
    title="Checkout down",
    impact="All of it",
    severity="SEV2",
    status="investigating",
    private=False,
    reporter_id=REPORTER,
    declared_at=AT,
    channel_id="C0ROOM001",
    roles=(RoleHolder("commander", IC, IC, AT),),
)
CLOSED = replace(INCIDENT, status="closed", resolved_at=AT, closed_at=AT)


def facts(user: str, *, member: bool = False, admin: bool = False) -> ActorFacts:
    return ActorFacts(user, is_member=member, is_admin=admin)


# -- the decision -------------------------------------------------------------------


@pytest.mark.parametrize(
    "action", [Action.CHANGE_SEVERITY, Action.CHANGE_STATUS, Action.RESOLVE, Action.POST_UPDATE]
)
def test_steering_is_for_members_of_the_room(action: Action) -> None:
    assert decide(action, facts(MEMBER, member=True), INCIDENT, DEFAULT_PERMISSIONS) == Allowed()
    refused = decide(action, facts(OUTSIDER), INCIDENT, DEFAULT_PERMISSIONS)
    assert refused == Refused(action, ("room_members",))


@pytest.mark.parametrize("action", [Action.CLOSE, Action.REOPEN])
def test_closing_and_reopening_are_for_the_ic_the_reporter_and_admins(action: Action) -> None:
    incident = replace(INCIDENT, resolved_at=AT)
    for user, admin in ((IC, False), (REPORTER, False), (OUTSIDER, True)):
        assert decide(action, facts(user, admin=admin), incident, DEFAULT_PERMISSIONS) == Allowed()
    refused = decide(action, facts(MEMBER, member=True), incident, DEFAULT_PERMISSIONS)
    assert refused == Refused(action, ("commander", "reporter", "admins"))


def test_a_closed_incident_is_read_only_except_for_reopening() -> None:
    for action in Action:
        outcome = decide(action, facts(IC, member=True, admin=True), CLOSED, DEFAULT_PERMISSIONS)
        if action is Action.REOPEN:
            assert outcome == Allowed()
        else:
            assert outcome == Refused(action, ("commander", "reporter", "admins"), closed=True)


def test_roles_may_be_taken_by_anyone_but_given_to_others_only_from_the_room() -> None:
    assert decide(Action.TAKE_ROLE, facts(OUTSIDER), INCIDENT, DEFAULT_PERMISSIONS) == Allowed()
    assert isinstance(
        decide(Action.ASSIGN_ROLE_TO_OTHER, facts(OUTSIDER), INCIDENT, DEFAULT_PERMISSIONS), Refused
    )


def test_an_action_item_is_settled_by_its_people_the_ic_or_an_admin() -> None:
    settle = Action.CLOSE_OTHERS_ACTION_ITEM
    owners = {MEMBER, REPORTER}
    for user, admin in ((MEMBER, False), (REPORTER, False), (IC, False), (OUTSIDER, True)):
        outcome = decide(
            settle, facts(user, admin=admin), INCIDENT, DEFAULT_PERMISSIONS, item_owners=owners
        )
        assert outcome == Allowed(), user
    outcome = decide(
        settle, facts(OUTSIDER, member=True), INCIDENT, DEFAULT_PERMISSIONS, item_owners=owners
    )
    assert outcome == Refused(settle, ("commander", "admins"))


def test_role_keys_role_holders_and_anyone_are_audiences() -> None:
    rules = Permissions(
        rules=(
            (Action.CHANGE_SEVERITY, ("role_holders",)),
            (Action.CHANGE_STATUS, ("commander",)),
            (Action.RESOLVE, ("anyone",)),
        )
    )
    assert decide(Action.CHANGE_SEVERITY, facts(IC), INCIDENT, rules) == Allowed()
    assert isinstance(
        decide(Action.CHANGE_SEVERITY, facts(MEMBER, member=True), INCIDENT, rules), Refused
    )
    assert decide(Action.CHANGE_STATUS, facts(IC), INCIDENT, rules) == Allowed()
    assert decide(Action.RESOLVE, facts(OUTSIDER), INCIDENT, rules) == Allowed()
    # Left out: the default.
    assert rules.who_may(Action.CLOSE) == ("commander", "reporter", "admins")


def test_the_refusal_says_who_may() -> None:
    refused = decide(Action.CLOSE, facts(MEMBER, member=True), INCIDENT, DEFAULT_PERMISSIONS)
    assert isinstance(refused, Refused)
    text = refusal_text(NotPermitted(refused, INCIDENT, MEMBER), load_policy())
    assert text == (
        f"Only the Incident Commander (<@{IC}>), the reporter (<@{REPORTER}>) or a Warroom "
        "admin can close INC-7."
    )
    refused = decide(Action.CHANGE_SEVERITY, facts(OUTSIDER), CLOSED, DEFAULT_PERMISSIONS)
    assert isinstance(refused, Refused)
    text = refusal_text(NotPermitted(refused, CLOSED, OUTSIDER), load_policy())
    assert text.startswith("INC-7 is closed, so it is read-only. To change it, reopen it first")
    refused = decide(Action.RESOLVE, facts(OUTSIDER), INCIDENT, DEFAULT_PERMISSIONS)
    assert isinstance(refused, Refused)
    text = refusal_text(NotPermitted(refused, INCIDENT, OUTSIDER), load_policy())
    assert text == "Only members of <#C0ROOM001> can resolve INC-7."


# -- the policy section -------------------------------------------------------------


def with_permissions(section: str) -> str:
    return f"{MINIMAL}\n{section}"


def problems(section: str) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        parse_policy(with_permissions(section), source="policy.toml")
    return caught.value.problems


def test_the_default_policy_spells_out_the_defaults() -> None:
    assert load_policy().permissions == DEFAULT_PERMISSIONS
    assert parse_policy(MINIMAL).permissions == DEFAULT_PERMISSIONS


def test_admins_by_user_id_and_user_group() -> None:
    policy = parse_policy(
        with_permissions(
            '[permissions]\nclose = ["admins"]\n\n[permissions.admins]\n'
            'users = ["U012AB3CD", "W0ENTERPRISE"]\nusergroup = "S0614TZR7"\n'
        )
    )
    assert policy.permissions.admins == Admins(
        users=frozenset({"U012AB3CD", "W0ENTERPRISE"}), usergroup="S0614TZR7"
    )
    assert policy.permissions.who_may(Action.CLOSE) == ("admins",)
    assert policy.permissions.who_may(Action.REOPEN) == ("commander", "reporter", "admins")
    inline = parse_policy(with_permissions('[permissions]\nadmins = { users = ["U012AB3CD"] }\n'))
    assert inline.permissions.admins == Admins(users=frozenset({"U012AB3CD"}))


def test_an_unknown_action_suggests_the_right_one() -> None:
    assert problems('[permissions]\nchange_sevrity = ["admins"]\n') == [
        f"policy.toml line {LINES + 3}: permissions.change_sevrity: unknown key; "
        "did you mean change_severity?"
    ]


def test_an_unknown_audience_suggests_the_right_one() -> None:
    assert problems('[permissions]\nclose = ["comander", "admins"]\n') == [
        f'policy.toml line {LINES + 3}: permissions.close = ["comander", "admins"] names '
        '"comander", which is not an audience; did you mean commander?'
    ]


def test_an_audience_nothing_like_one_lists_them_with_the_roles() -> None:
    assert problems('[permissions]\nresolve = ["oncall"]\n') == [
        f'policy.toml line {LINES + 3}: permissions.resolve = ["oncall"] names "oncall", '
        "which is not an audience; name any of anyone, room_members, reporter, role_holders, "
        "admins, or a role key (commander, scribe)"
    ]


def test_an_action_needs_a_list_naming_somebody() -> None:
    assert problems('[permissions]\nclose = "admins"\nreopen = []\n') == [
        f'policy.toml line {LINES + 3}: permissions.close = "admins" is not a list of '
        'audiences; write it like ["commander", "reporter", "admins"]',
        f"policy.toml line {LINES + 4}: permissions.reopen = [] names nobody, so nobody "
        'could do it; name at least one audience, like ["admins"]',
    ]


def test_admin_ids_are_checked() -> None:
    found = problems(
        '[permissions.admins]\nusers = ["@alice", "U012AB3CD"]\nusergroup = "@oncall"\nteam = 1\n'
    )
    assert found == [
        f'policy.toml line {LINES + 3}: permissions.admins.users = ["@alice", "U012AB3CD"] has '
        '"@alice", which is not a Slack user ID (U and capitals or digits); copy it from the '
        "person's profile (⋮ → Copy member ID)",
        f'policy.toml line {LINES + 4}: permissions.admins.usergroup = "@oncall" is not a '
        'Slack user group ID; write the group\'s ID, like "S0614TZR7" (not its @handle)',
        f"policy.toml line {LINES + 5}: permissions.admins.team: unknown key; "
        "valid keys: users, usergroup",
    ]


def test_permissions_must_be_a_table() -> None:
    text = MINIMAL.replace('action_item_due_after = "14d"', 'permissions = "strict"')
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, source="policy.toml")
    assert caught.value.problems == [
        'policy.toml line 1: permissions = "strict" is not a table; write [permissions]'
    ]


def test_policy_check_reports_the_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.toml"
    good.write_text(with_permissions('[permissions.admins]\nusergroup = "S0614TZR7"\n'))
    assert main(["policy", "check", str(good)]) == 0
    bad = tmp_path / "bad.toml"
    bad.write_text(with_permissions('[permissions]\nclose = ["everyone"]\n'))
    assert main(["policy", "check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"bad.toml line {LINES + 3}: permissions.close" in err
    assert '"everyone", which is not an audience' in err
