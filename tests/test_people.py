"""People by name, through the real app: `user_change` keeps the directory current, and
the postmortem names people (or shows their IDs when Slack will not say)."""

from __future__ import annotations

from fakeslack import event_callback
from tests.harness import REPORTER, Harness
from tests.test_lifecycle import resolve
from tests.test_postmortem_flow import stored
from warroom.store import people as directory

ALICE = "UALICE0001"


def user_change(user_id: str, display_name: str, *, tz: str = "Europe/Oslo") -> dict[str, object]:
    return {
        "type": "user_change",
        "user": {
            "id": user_id,
            "team_id": "T0WARROOM",
            "name": "alice",
            "deleted": False,
            "real_name": "Alice Ng",
            "tz": tz,
            "profile": {"real_name": "Alice Ng", "display_name": display_name},
        },
        "cache_ts": 1800000000,
        "event_ts": "1800000000.000100",
    }


async def test_user_change_is_stored_and_a_retry_changes_nothing(harness: Harness) -> None:
    body, content_type = event_callback(user_change(ALICE, "Ali"), event_id="EvUSER000001")
    assert (await harness.post(body, content_type))[0] == 200
    assert (await harness.post(body, content_type, retry_num=1))[0] == 200
    async with harness.runtime.store.read() as session:
        found = await directory.known(session, [ALICE])
    person = found[ALICE].person
    assert (person.name, person.real_name, person.tz, person.team_id) == (
        "Ali",
        "Alice Ng",
        "Europe/Oslo",
        "T0WARROOM",
    )
    renamed, content_type = event_callback(user_change(ALICE, "", tz="Asia/Tokyo"))
    assert (await harness.post(renamed, content_type))[0] == 200
    assert await harness.runtime.people.names([ALICE]) == {ALICE: "Alice Ng"}
    assert harness.slack.calls_to("users.info") == []  # the event said it all


async def test_the_postmortem_names_people_slack_knows(harness: Harness) -> None:
    harness.slack.add_user(REPORTER, "rita", display_name="Rita Reporter", tz="Europe/Paris")
    incident = await harness.declare(title="Queue backlog")
    await resolve(harness, incident, "Drained the backlog")
    await harness.tick()
    markdown = (await stored(harness, incident.id)).markdown
    assert "| Reported by | @Rita Reporter |" in markdown
    assert [c.args["user"] for c in harness.slack.calls_to("users.info")] == [REPORTER]
    person = await harness.runtime.people.person(REPORTER)
    assert (person.name, person.tz) == ("Rita Reporter", "Europe/Paris")


async def test_a_failed_users_info_leaves_the_id_and_the_draft_is_posted(harness: Harness) -> None:
    incident = await harness.declare(title="Queue backlog")
    await resolve(harness, incident, "Drained the backlog")
    harness.slack.fail("users.info", "user_not_visible", times=5)
    report = await harness.tick()
    assert report.done >= 1
    row = await stored(harness, incident.id)
    assert f"| Reported by | @{REPORTER} |" in row.markdown
    assert row.message_ts and row.file_id
    assert [c.method for c in harness.slack.faulted_calls()] == ["users.info"]
