"""Routing a group of alerts to the first matching route, and rendering route templates."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from warroom.domain.alert_routing import (
    DEFAULT_ROUTE,
    SAMPLE_CONTEXT,
    TemplateContext,
    render,
    route_for,
    template_problem,
)
from warroom.domain.alerts import Alert, Notification
from warroom.domain.policy import AlertRoute

PAYMENTS = {"alertname": "PaymentsDown", "service": "payments", "severity": "critical"}
NOTES = {"summary": "Card payments fail", "runbook": "https://runbooks/payments"}
CONTEXT = TemplateContext(
    labels=PAYMENTS,
    annotations=NOTES,
    status="firing",
    source="alertmanager",
    count=3,
    group_key='{}:{service="payments"}',
)


def route(name: str, **conditions: object) -> AlertRoute:
    match = conditions.get("match", {})
    match_re = conditions.get("match_re", {})
    assert isinstance(match, dict) and isinstance(match_re, dict)
    return AlertRoute(
        name=name,
        action="propose",
        match=tuple(match.items()),
        match_re=tuple((key, re.compile(value)) for key, value in match_re.items()),
    )


def test_the_first_matching_route_wins() -> None:
    db = route("db", match={"service": "db"})
    critical = route("critical", match={"severity": "critical"})
    payments = route("payments", match={"service": "payments"})
    routes = (db, critical, payments)
    assert route_for(routes, PAYMENTS, NOTES) is critical
    assert route_for((db, payments, critical), PAYMENTS, NOTES) is payments


def test_every_condition_must_hold() -> None:
    both = route("both", match={"service": "payments"}, match_re={"alertname": "Checkout.*"})
    assert not both.matches(PAYMENTS, NOTES)
    assert both.matches({**PAYMENTS, "alertname": "CheckoutSlow"}, NOTES)


def test_no_match_goes_to_the_default_route() -> None:
    assert route_for((route("db", match={"service": "db"}),), PAYMENTS, NOTES) is DEFAULT_ROUTE
    assert route_for((), PAYMENTS, NOTES) is DEFAULT_ROUTE
    assert DEFAULT_ROUTE.action == "propose"
    assert DEFAULT_ROUTE.severity is None and DEFAULT_ROUTE.channel is None


def test_a_route_without_conditions_catches_everything() -> None:
    catch_all = route("all")
    assert catch_all.catch_all and catch_all.matches({}, {})
    assert route_for((catch_all, route("db", match={"service": "db"})), {"service": "db"}, {}) is (
        catch_all
    )
    assert not route("db", match={"service": "db"}).catch_all


def test_a_key_that_is_no_label_is_looked_up_in_the_annotations() -> None:
    assert route("r", match={"runbook": "https://runbooks/payments"}).matches(PAYMENTS, NOTES)
    assert route("r", match_re={"summary": "Card .*"}).matches(PAYMENTS, NOTES)
    shadowed = {**PAYMENTS, "summary": "a label"}
    assert not route("r", match_re={"summary": "Card .*"}).matches(shadowed, NOTES)


def test_a_missing_key_counts_as_empty_text() -> None:
    assert route("r", match_re={"team": ".*"}).matches(PAYMENTS, NOTES)
    assert route("r", match={"team": ""}).matches(PAYMENTS, NOTES)
    assert not route("r", match={"team": "db"}).matches(PAYMENTS, NOTES)


def test_a_regular_expression_must_match_the_whole_value() -> None:
    assert route("r", match_re={"alertname": "Payments.*|Checkout.*"}).matches(PAYMENTS, {})
    assert not route("r", match_re={"alertname": "Payments"}).matches(PAYMENTS, {})
    assert not route("r", match_re={"alertname": "Down"}).matches(PAYMENTS, {})
    assert not route("r", match_re={"alertname": "Payments.*|Checkout"}).matches(
        {"alertname": "CheckoutSlow"}, {}
    )


def test_templates_see_the_group() -> None:
    template = (
        "{{ labels.alertname }} on {{ labels.service }}: {{ annotations.summary }} "
        "({{ alerts }} {{ status }}, {{ source }}, {{ group_key }})"
    )
    assert render(template, CONTEXT, limit=200) == (
        "PaymentsDown on payments: Card payments fail "
        '(3 firing, alertmanager, {}:{service="payments"})'
    )


def test_undefined_variables_render_as_empty_text() -> None:
    assert render("[{{ labels.team }}][{{ nothing.at.all }}][{{ x }}]", CONTEXT, limit=50) == (
        "[][][]"
    )


def test_whitespace_is_collapsed_and_the_text_cut_to_the_limit() -> None:
    assert render("  a\n\n  b\t c  ", CONTEXT, limit=50) == "a b c"
    cut = render("{{ annotations.summary }}", CONTEXT, limit=10)
    assert cut == "Card paym…" and len(cut) == 10
    assert render("{{ annotations.summary }}", CONTEXT, limit=18) == "Card payments fail"
    with pytest.raises(ValueError, match="at least 1"):
        render("x", CONTEXT, limit=0)


def test_a_label_is_found_before_a_mapping_method() -> None:
    context = TemplateContext(labels={"alertname": "A", "items": "seven"})
    assert render("{{ labels.items }}", context, limit=20) == "seven"


def test_alert_text_is_data_never_a_template() -> None:
    context = TemplateContext(labels={"alertname": "{{ 7 * 7 }}"}, annotations={"x": "<b>&"})
    assert render("{{ labels.alertname }} {{ annotations.x }}", context, limit=50) == (
        "{{ 7 * 7 }} <b>&"  # autoescape is off: the Slack layer escapes
    )


@pytest.mark.parametrize(
    "template",
    [
        "{{ ''.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ labels.__class__.__init__.__globals__ }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{{ 'a' * 1000000 }}",
        "{{ 9 ** 999999 }}",
        "{% for n in range(10000000) %}x{% endfor %}",
        "{{ labels.alertname | no_such_filter }}",
        "{{ 1 / 0 }}",
        "{{ undefined_function() }}",
        "{{ labels.alertname ",
    ],
)
def test_a_failing_template_gives_the_fallback_and_the_check_says_why(template: str) -> None:
    assert render(template, CONTEXT, limit=50) == "PaymentsDown"
    assert render(template, CONTEXT, limit=50, fallback="An alert  fired") == "An alert fired"
    assert template_problem(template) is not None


def test_the_sandbox_is_named_in_the_problem() -> None:
    assert template_problem("{{ ''.__class__ }}") == (
        "fails on a sample alert: access to attribute '__class__' of 'str' object is unsafe"
    )


def test_a_blank_result_gives_the_fallback() -> None:
    assert render("{{ annotations.nothing }}", CONTEXT, limit=50) == "PaymentsDown"
    assert render("  ", TemplateContext(), limit=50) == "Alert"
    assert render("{{ x }}", TemplateContext(), limit=50, fallback="") == ""
    assert render("{{ 1 / 0 }}", CONTEXT, limit=50, fallback="") == ""


def test_the_output_of_a_long_loop_stops_early() -> None:
    text = render("{% for n in range(100000) %}word {% endfor %}", CONTEXT, limit=20)
    assert text == "word word word word…"


def test_a_working_template_has_no_problem() -> None:
    assert template_problem("{{ labels.alertname | upper }} x{{ alerts }}") is None
    assert template_problem("{{ labels.team.name }}") is None
    assert render("{{ labels.alertname | upper }}", SAMPLE_CONTEXT, limit=50) == "EXAMPLEALERT"


def test_the_default_templates() -> None:
    route = AlertRoute(name="r", action="propose")
    assert render(route.title, CONTEXT, limit=120) == "PaymentsDown on payments"
    assert render(route.impact, CONTEXT, limit=2000) == "Card payments fail"
    bare = TemplateContext(labels={"alertname": "DiskFull"}, annotations={"description": "d"})
    assert render(route.title, bare, limit=120) == "DiskFull"
    assert render(route.impact, bare, limit=2000) == "d"


def at(minute: int) -> datetime:
    return datetime(2026, 12, 6, 9, minute, tzinfo=UTC)


def alert(labels: dict[str, str], summary: str) -> Alert:
    return Alert(
        fingerprint=labels["instance"],
        status="firing",
        labels=labels,
        annotations={"summary": summary},
        starts_at=at(0),
    )


def test_a_context_from_a_notification_uses_the_common_labels() -> None:
    one = alert({"alertname": "Disk", "instance": "a"}, "a is full")
    two = alert({"alertname": "Disk", "instance": "b"}, "b is full")
    notification = Notification(
        source="alertmanager",
        group_key="{}:{alertname=Disk}",
        status="firing",
        alerts=(one, two),
        common_labels={"alertname": "Disk"},
        truncated=3,
    )
    context = TemplateContext.from_notification(notification)
    assert context == TemplateContext(
        labels={"alertname": "Disk"},
        annotations={"summary": "a is full"},  # none in common: the first alert's
        status="firing",
        source="alertmanager",
        count=5,
        group_key="{}:{alertname=Disk}",
    )
    lone = Notification(source="generic", group_key="g", status="resolved", alerts=(two,))
    assert TemplateContext.from_notification(lone).labels == two.labels
    empty = Notification(source="generic", group_key="g", status="firing", alerts=())
    assert TemplateContext.from_notification(empty) == TemplateContext(
        source="generic", count=0, group_key="g"
    )


def test_ordinary_arithmetic_still_works() -> None:
    assert render(
        "{{ alerts * 2 }} {{ 2 ** 3 }} {{ 2 * 'ab' }} {{ 1.5 * 2 }}", CONTEXT, limit=50
    ) == ("6 8 abab 3.0")
