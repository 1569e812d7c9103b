"""Who a postmortem names (so the caller can look them up), and how a Slack user object
reads as a person."""

from __future__ import annotations

import re

from tests.domain.test_postmortem import rich_input
from warroom.domain.postmortem import draft_postmortem
from warroom.domain.postmortem_markdown import people_in, render_markdown
from warroom.slack.users import person_from


def test_people_in_a_postmortem_are_everyone_it_would_show() -> None:
    pm = draft_postmortem(rich_input())
    ids = people_in(pm)
    unnamed = render_markdown(pm)
    assert ids == set(re.findall(r"@(U[A-Z0-9]+)", unnamed))
    named = render_markdown(pm, names={user_id: f"name of {user_id}" for user_id in ids})
    assert re.findall(r"@(U[A-Z0-9]+)", named) == []


def test_the_name_shown_is_display_then_real_then_handle_then_id() -> None:
    def name(**user: object) -> str | None:
        person = person_from({"id": "U1", **user})
        return person.name if person is not None else None

    profile = {"display_name": " Ana ", "real_name": "Ana Lopez"}
    assert name(profile=profile, real_name="x", name="ana") == "Ana"
    assert name(profile={"display_name": "", "real_name": "Ana Lopez"}, name="ana") == "Ana Lopez"
    assert name(profile={"display_name": ""}, real_name="Ana L", name="ana") == "Ana L"
    assert name(profile={}, name="ana") == "ana"
    assert name(profile=None, tz="") == "U1"
    gone = {"id": "U1", "tz": "Asia/Tokyo", "deleted": True, "profile": {"team": "T9"}}
    person = person_from(gone)
    assert person is not None and (person.tz, person.deleted, person.team_id) == (
        "Asia/Tokyo",
        True,
        "T9",
    )
    assert person_from({"name": "no id"}) is None and person_from("U1") is None
