"""The policy's `[[alert_routes]]`: read into `AlertRoute`s, and every mistake named with
its line and the fix (what `warroom policy check` prints)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from warroom.cli import main
from warroom.domain._policy_model import DEFAULT_ALERT_IMPACT, DEFAULT_ALERT_TITLE
from warroom.domain.policy import MAX_ALERT_ROUTES, AlertRoute, PolicyError, parse_policy
from warroom.policy_file import load_policy

POLICIES = Path(__file__).parent.parent / "data" / "policies"
MINIMAL = (POLICIES / "minimal.toml").read_text(encoding="utf-8")
LINE = len(MINIMAL.splitlines()) + 1
"""The line of the first `[[alert_routes]]` header appended to the minimal policy."""
TEMPLATE_FIX = (
    "fix the template: it may use labels, annotations, status, source, alerts and "
    'group_key, with values in {{ }}, like "{{ labels.alertname }} on {{ labels.service }}"'
)


def with_routes(*routes: str) -> str:
    """Each route is its lines without the header; each is followed by a blank line."""
    return MINIMAL + "".join(f"[[alert_routes]]\n{route.strip()}\n\n" for route in routes)


def at(offset: int) -> str:
    return f"policy.toml line {LINE + offset}:"


def problems(text: str) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, source="policy.toml")
    return caught.value.problems


def routes(text: str) -> tuple[AlertRoute, ...]:
    return parse_policy(text, source="policy.toml").alert_routes


def test_no_routes_by_default_and_the_shipped_example_is_commented_out() -> None:
    assert parse_policy(MINIMAL).alert_routes == ()
    assert load_policy().alert_routes == ()


def test_the_shipped_example_is_valid_once_uncommented() -> None:
    shipped = (Path(__file__).parents[2] / "src" / "warroom" / "default_policy.toml").read_text(
        encoding="utf-8"
    )
    head, example = shipped.split("\n# [[alert_routes]]\n", 1)
    text = head + "\n[[alert_routes]]\n" + re.sub(r"(?m)^# ?", "", example)
    declare, catch_all = parse_policy(text).alert_routes
    assert declare.action == "declare" and declare.severity == "SEV1"
    assert declare.responders == ("U012AB3CD",) and declare.usergroup == "S0614TZR7"
    assert catch_all.catch_all and catch_all.action == "propose"


def test_a_full_route_is_read() -> None:
    (route,) = routes(
        with_routes(
            """
name = "payments-down"
match = { service = "payments", severity = "critical" }
match_re = { alertname = "Payments.*|Checkout.*" }
action = "declare"
severity = "sev1"
title = "{{ labels.alertname }} on {{ labels.service }}"
impact = "{{ annotations.summary }}"
responders = ["U012AB3CD", "W0123ABC"]
usergroup = "S0614TZR7"
private = true
"""
        )
    )
    assert route == AlertRoute(
        name="payments-down",
        action="declare",
        match=(("service", "payments"), ("severity", "critical")),
        match_re=(("alertname", re.compile("Payments.*|Checkout.*")),),
        severity="SEV1",  # as the policy spells it
        title="{{ labels.alertname }} on {{ labels.service }}",
        impact="{{ annotations.summary }}",
        responders=("U012AB3CD", "W0123ABC"),
        usergroup="S0614TZR7",
        channel=None,
        private=True,
    )


def test_a_short_route_gets_the_defaults() -> None:
    propose, attach = routes(
        with_routes(
            'name = "db"\naction = "propose"\nmatch = { team = "db" }\nchannel = "C0123456789"',
            'name = "rest"\naction = "attach"\nseverity = "SEV2"',
        )
    )
    assert propose == AlertRoute(
        name="db", action="propose", match=(("team", "db"),), channel="C0123456789"
    )
    assert propose.severity is None and propose.title == DEFAULT_ALERT_TITLE
    assert propose.impact == DEFAULT_ALERT_IMPACT and not propose.private
    assert attach.catch_all and attach.severity == "SEV2"
    assert routes(with_routes('name = "g"\naction = "propose"\nchannel = "G012AB3CD"'))[
        0
    ].channel == ("G012AB3CD")


def test_a_multi_line_template_is_read_and_checked() -> None:
    text = with_routes('name = "t"\naction = "propose"\ntitle = """\n{{ labels.alertname }}\n"""')
    assert routes(text)[0].title == "{{ labels.alertname }}\n"
    bad = with_routes(
        'name = "t"\naction = "propose"\ntitle = """\n{{ labels.alertname }}\n{% endfor %}\n"""'
    )
    assert problems(bad) == [
        f"{at(3)} alert_routes[0].title = "
        '"{{ labels.alertname }}\\n{% endfor %}\\n" is not a valid template: encountered '
        f"unknown tag 'endfor' (line 2 of the template); {TEMPLATE_FIX}"
    ]


def test_every_mistake_in_a_route_is_named_with_its_line_and_fix() -> None:
    text = with_routes(
        """
name = "Payments Down"
action = "declar"
severity = "SEV9"
matchh = { a = "b" }
match = { service = 5, env = "prod" }
match_re = { alertname = "Pay(" }
title = "{{ labels.alertname "
impact = "{{ annotations.summary | shout }}"
responders = ["U012AB3CD", "bob"]
usergroup = "@oncall"
channel = "#incidents"
private = "no"
"""
    )
    assert problems(text) == [
        f'{at(1)} alert_routes[0].name = "Payments Down" is not a valid route name; use '
        'lower-case letters, digits and -, like "payments-down"',
        f'{at(2)} alert_routes[0].action = "declar" is not an action; did you mean "declare"? '
        'write "declare" (open an incident), "propose" (post a triage card) or "attach" '
        "(add to the open incident for the same alerts)",
        f'{at(3)} alert_routes[0].severity = "SEV9" is not a severity of this policy; '
        "use one of SEV1, SEV2",
        f"{at(4)} alert_routes[0].matchh: unknown key; did you mean match?",
        f"{at(5)} alert_routes[0].match.service = 5 is not text; put it in quotes, like "
        'match = { service = "payments", severity = "critical" } (labels are text)',
        f'{at(6)} alert_routes[0].match_re.alertname = "Pay(" is not a valid regular '
        "expression: missing ), unterminated subpattern at position 3; fix it (Python's re "
        "syntax, matched against the whole value)",
        f'{at(7)} alert_routes[0].title = "{{{{ labels.alertname " is not a valid template: '
        f"unexpected end of template, expected 'end of print statement'; {TEMPLATE_FIX}",
        f'{at(8)} alert_routes[0].impact = "{{{{ annotations.summary | shout }}}}" is not a '
        f"valid template: no filter named 'shout'; {TEMPLATE_FIX}",
        f'{at(9)} alert_routes[0].responders = ["U012AB3CD", "bob"] has "bob", which is not '
        "a Slack user ID (U or W, then capitals or digits); copy it from the person's "
        "profile (⋮ → Copy member ID)",
        f'{at(10)} alert_routes[0].usergroup = "@oncall" is not a Slack user group ID; write '
        'the group\'s ID, like "S0614TZR7" (not its @handle)',
        f'{at(11)} alert_routes[0].channel = "#incidents" is not a Slack channel ID; write '
        'the channel\'s ID, like "C0123456789" (not its #name: channel details → About → '
        "Channel ID)",
        f'{at(12)} alert_routes[0].private = "no" is not true or false; write private = true '
        "or private = false",
    ]


def test_templates_are_rendered_once_so_run_time_mistakes_show() -> None:
    text = with_routes(
        'name = "t"\naction = "propose"\ntitle = "{{ oops() }}"\nimpact = "{{ \'\'.__class__ }}"'
    )
    assert problems(text) == [
        f"{at(3)} alert_routes[0].title = \"{{{{ oops() }}}}\" fails on a sample alert: 'oops' "
        f"is undefined; {TEMPLATE_FIX}",
        f"{at(4)} alert_routes[0].impact = \"{{{{ ''.__class__ }}}}\" fails on a sample alert: "
        f"access to attribute '__class__' of 'str' object is unsafe; {TEMPLATE_FIX}",
    ]


def test_empty_text_is_a_mistake() -> None:
    text = with_routes('name = "t"\naction = "propose"\ntitle = " "\nseverity = ""')
    assert problems(text) == [
        f'{at(3)} alert_routes[0].title = " " is empty; write a few words',
        f'{at(4)} alert_routes[0].severity = "" is empty; write a few words',
    ]


def test_an_undefined_variable_is_no_mistake() -> None:
    text = with_routes('name = "t"\naction = "propose"\ntitle = "{{ labels.team.name }} x"')
    assert routes(text)[0].title == "{{ labels.team.name }} x"


def test_name_and_action_are_required_and_declare_needs_a_severity() -> None:
    assert problems(with_routes('match = { a = "b" }', 'name = "d"\naction = "declare"')) == [
        f'{at(0)} alert_routes[0] is missing name; add name = "payments-down"',
        f'{at(0)} alert_routes[0] is missing action; add action = "declare" (or "propose" or '
        '"attach")',
        f"{at(5)} alert_routes[1] declares incidents but has no severity; add severity = "
        '"SEV1" (a severity key of this policy)',
    ]


def test_names_are_unique() -> None:
    text = with_routes(
        'name = "a"\naction = "propose"\nmatch = { a = "1" }',
        'name = "a"\naction = "propose"\nmatch = { a = "2" }',
    )
    assert problems(text) == [
        f'{at(6)} alert_routes[1].name = "a" is already used by alert_routes[0] '
        f"(line {LINE + 1}); give each route its own name"
    ]


def test_routes_after_a_catch_all_are_unreachable() -> None:
    text = with_routes(
        'name = "db"\naction = "propose"\nmatch = { team = "db" }',
        'name = "all"\naction = "propose"\nmatch = {}',
        'name = "web"\naction = "propose"\nmatch_re = { team = "web.*" }',
        'name = "more"\naction = "attach"',
    )
    catch_all = f'alert_routes[1] ("all", line {LINE + 5})'
    fix = "so it takes every alert first; move this route above it, or give that one a match"
    assert problems(text) == [
        f"{at(10)} alert_routes[2] can never match: {catch_all} has no match or match_re, {fix}",
        f"{at(15)} alert_routes[3] can never match: {catch_all} has no match or match_re, {fix}",
    ]


def test_a_route_whose_conditions_are_mistakes_is_no_catch_all() -> None:
    text = with_routes(
        'name = "a"\naction = "propose"\nmatch = { team = 5 }',
        'name = "b"\naction = "propose"\nmatch = { team = "b" }',
    )
    assert len(problems(text)) == 1 and "team = 5 is not text" in problems(text)[0]


def test_responders_are_listed_once() -> None:
    text = with_routes(
        'name = "a"\naction = "declare"\nseverity = "SEV2"\nresponders = ["U1AB", " U1AB", "W2"]'
    )
    assert "W2" in problems(text)[0]
    ok = with_routes(
        'name = "a"\naction = "declare"\nseverity = "SEV2"\nresponders = ["U1AB", "U1AB"]'
    )
    assert routes(ok)[0].responders == ("U1AB",)


def test_match_must_be_a_table_of_text_and_responders_a_list() -> None:
    text = with_routes(
        'name = "a"\naction = "propose"\nmatch = "nope"\nmatch_re = { x = ["y"] }\n'
        'responders = "U1234"'
    )
    assert problems(text) == [
        f'{at(3)} alert_routes[0].match = "nope" is not a table of labels; write it like '
        'match = { service = "payments", severity = "critical" }',
        f'{at(4)} alert_routes[0].match_re.x = ["y"] is not text; put it in quotes, like '
        'match_re = { alertname = "Payments.*|Checkout.*" } (labels are text)',
        f'{at(5)} alert_routes[0].responders = "U1234" is not a list of Slack user IDs; '
        'write it like ["U012AB3CD"]',
    ]


def test_alert_routes_must_be_an_array_of_tables() -> None:
    assert problems('alert_routes = { name = "x" }\n' + MINIMAL) == [
        "policy.toml line 1: alert_routes is not a list of tables; give each alert route "
        "its own [[alert_routes]] header"
    ]


def test_at_most_a_hundred_routes() -> None:
    many = [f'name = "r{n}"\naction = "propose"\nmatch = {{ n = "{n}" }}' for n in range(101)]
    assert problems(with_routes(*many)) == [
        f"{at(5 * MAX_ALERT_ROUTES)} alert_routes has 101 entries, more than 100; merge "
        'routes with match_re (like alertname = "Disk.*|Memory.*")'
    ]
    assert len(routes(with_routes(*many[:100]))) == MAX_ALERT_ROUTES


def test_policy_check_prints_a_bad_route(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(with_routes('name = "a"\naction = "shout"'), encoding="utf-8")
    assert main(["policy", "check", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"line {LINE + 2}: alert_routes[0].action" in err and "is not an action" in err
