"""Block Kit, view and channel-name limits as pure checks."""

from __future__ import annotations

from typing import Any

import pytest

from fakeslack import block_problems, channel_name_problem, view_problems


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def section(text: str = "x", **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text), **extra}


def button(**extra: Any) -> dict[str, Any]:
    return {"type": "button", "text": plain("Ack"), "action_id": "ack", **extra}


def option(text: str = "o", value: str = "v", **extra: Any) -> dict[str, Any]:
    return {"text": plain(text), "value": value, **extra}


def actions(*elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "elements": list(elements)}


def text_input(**extra: Any) -> dict[str, Any]:
    return {
        "type": "input",
        "label": plain("Title"),
        "element": {"type": "plain_text_input", "action_id": "v", **extra},
    }


def only(blocks: list[dict[str, Any]], surface: Any = "message") -> str:
    problems = block_problems(blocks, surface=surface)
    assert len(problems) == 1, problems
    return problems[0]


GOOD = [
    {"type": "header", "text": plain("h" * 150)},
    section("s" * 3000, accessory=button(value="v" * 2000, url="https://x/" + "u" * 2990)),
    {"type": "section", "fields": [mrkdwn("f" * 2000)] * 10},
    {"type": "divider"},
    {"type": "context", "elements": [mrkdwn("c")] * 10},
    actions(*[button(action_id=f"a{i}") for i in range(25)]),
    actions(
        {
            "type": "static_select",
            "action_id": "sev",
            "placeholder": plain("p" * 150),
            "options": [option("t" * 75, "v" * 150, description=plain("d" * 75))] * 100,
        },
        {
            "type": "radio_buttons",
            "action_id": "r",
            "options": [option(value=str(i)) for i in range(10)],
        },
        {"type": "users_select", "action_id": "u", "placeholder": plain("Pick")},
    ),
]


def test_good_blocks_pass_on_every_surface() -> None:
    for surface in ("message", "modal", "home"):
        assert block_problems(GOOD, surface=surface) == []


@pytest.mark.parametrize(("surface", "limit"), [("message", 50), ("modal", 100), ("home", 100)])
def test_blocks_per_surface(surface: Any, limit: int) -> None:
    assert block_problems([{"type": "divider"}] * limit, surface=surface) == []
    assert only([{"type": "divider"}] * (limit + 1), surface) == (
        f"no more than {limit} items allowed [json-pointer:/blocks]"
    )


@pytest.mark.parametrize(
    ("block", "pointer"),
    [
        ({"type": "header", "text": plain("h" * 151)}, "/blocks/0/text/text"),
        ({"type": "header", "text": mrkdwn("h")}, "/blocks/0/text/type"),
        (section("s" * 3001), "/blocks/0/text/text"),
        ({"type": "section", "fields": [mrkdwn("f")] * 11}, "/blocks/0/fields"),
        ({"type": "section", "fields": [mrkdwn("f" * 2001)]}, "/blocks/0/fields/0/text"),
        ({"type": "section"}, "/blocks/0"),
        ({"type": "context", "elements": [mrkdwn("c")] * 11}, "/blocks/0/elements"),
        (actions(*[button(action_id=f"a{i}") for i in range(26)]), "/blocks/0/elements"),
        (actions(button(text=plain("b" * 76))), "/blocks/0/elements/0/text/text"),
        (actions(button(text=mrkdwn("b"))), "/blocks/0/elements/0/text/type"),
        (actions(button(value="v" * 2001)), "/blocks/0/elements/0/value"),
        (actions(button(url="u" * 3001)), "/blocks/0/elements/0/url"),
        (actions(button(action_id="a" * 256)), "/blocks/0/elements/0/action_id"),
        (actions(button(), button()), "/blocks/0/elements/1/action_id"),
        (section(block_id="b" * 256), "/blocks/0/block_id"),
        (section(text=""), "/blocks/0/text/text"),
        ({"type": "section", "text": {"type": "markdown", "text": "x"}}, "/blocks/0/text/type"),
        ({"type": "carousel"}, "/blocks/0/type"),
        (actions({"type": "sparkle_button"}), "/blocks/0/elements/0/type"),
    ],
)
def test_block_limits(block: dict[str, Any], pointer: str) -> None:
    assert only([block]).endswith(f"[json-pointer:{pointer}]")


def _select(**extra: Any) -> dict[str, Any]:
    return actions({"type": "static_select", "action_id": "s", **extra})


@pytest.mark.parametrize(
    ("block", "pointer"),
    [
        (_select(placeholder=plain("p" * 151), options=[option()]), "/placeholder/text"),
        (_select(options=[option()] * 101), "/options"),
        (_select(options=[option(text="t" * 76)]), "/options/0/text/text"),
        (_select(options=[option(value="v" * 151)]), "/options/0/value"),
        (_select(options=[option(description=plain("d" * 76))]), "/options/0/description/text"),
        (_select(options=[{"text": mrkdwn("m"), "value": "v"}]), "/options/0/text/type"),
        (actions({"type": "checkboxes", "action_id": "c", "options": [option()] * 11}), "/options"),
        (
            actions({"type": "radio_buttons", "action_id": "r", "options": [option()] * 11}),
            "/options",
        ),
    ],
)
def test_select_and_option_limits(block: dict[str, Any], pointer: str) -> None:
    assert only([block]).endswith(f"[json-pointer:/blocks/0/elements/0{pointer}]")


def test_block_ids_unique_within_a_payload() -> None:
    problem = only([section(block_id="sev"), {"type": "divider", "block_id": "sev"}])
    assert problem == "duplicate block_id: sev [json-pointer:/blocks/1/block_id]"


def test_input_blocks_only_in_modals_and_home() -> None:
    assert block_problems([text_input()], surface="modal") == []
    assert block_problems([text_input()], surface="home") == []
    assert only([text_input()]).endswith("[json-pointer:/blocks/0/type]")


@pytest.mark.parametrize(
    ("block", "pointer"),
    [
        ({**text_input(), "label": plain("l" * 2001)}, "/blocks/0/label/text"),
        ({**text_input(), "hint": plain("h" * 2001)}, "/blocks/0/hint/text"),
        (text_input(max_length=3001), "/blocks/0/element/max_length"),
        (text_input(min_length=3001), "/blocks/0/element/min_length"),
        ({"type": "input", "label": plain("x")}, "/blocks/0"),
    ],
)
def test_input_limits(block: dict[str, Any], pointer: str) -> None:
    assert only([block], "modal").endswith(f"[json-pointer:{pointer}]")


def modal(**extra: Any) -> dict[str, Any]:
    return {"type": "modal", "title": plain("Declare"), "blocks": [section()], **extra}


def test_good_views() -> None:
    assert view_problems(modal(submit=plain("s" * 24), close=plain("c" * 24))) == []
    assert view_problems({"type": "home", "blocks": [text_input()]}) == []
    assert view_problems(modal(callback_id="c" * 255, private_metadata="m" * 3000)) == []


@pytest.mark.parametrize(
    ("view", "pointer"),
    [
        (modal(title=plain("t" * 25)), "/view/title/text"),
        (modal(title=mrkdwn("t")), "/view/title/type"),
        ({"type": "modal", "blocks": []}, "/view/title"),
        (modal(submit=plain("s" * 25)), "/view/submit/text"),
        (modal(close=plain("c" * 25)), "/view/close/text"),
        (modal(callback_id="c" * 256), "/view/callback_id"),
        (modal(private_metadata="m" * 3001), "/view/private_metadata"),
        (modal(blocks=[{"type": "divider"}] * 101), "/view/blocks"),
        (modal(blocks=[section(text="x" * 3001)]), "/view/blocks/0/text/text"),
        (modal(blocks=[text_input()]), "/view"),
        ({"type": "workflow_step", "blocks": []}, "/view/type"),
    ],
)
def test_view_limits(view: dict[str, Any], pointer: str) -> None:
    problems = view_problems(view)
    assert len(problems) == 1, problems
    assert problems[0].endswith(f"[json-pointer:{pointer}]")


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("inc-1-db_down", None),
        ("a" * 80, None),
        ("", "invalid_name_required"),
        ("a" * 81, "invalid_name_maxlength"),
        ("Inc-1", "invalid_name_specials"),
        ("inc 1", "invalid_name_specials"),
        ("inc/1", "invalid_name_specials"),
        ("-_-", "invalid_name_punctuation"),
    ],
)
def test_channel_name_problem(name: str, problem: str | None) -> None:
    assert channel_name_problem(name) == problem
