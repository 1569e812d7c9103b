"""User actions driven through the real app while Slack fails, each judged as it ends.

An action ends one of three ways: it completed (the fact is stored and Slack
shows it: card, topic, announcement and the line in the room), the person was
told what failed and what to do, or Warroom tried to tell them and Slack
failed every one of those tries too. Anything else is a silent failure.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from fakeslack import slash_command, view_submission
from tests.faults.slack_faults import could_not_tell, told
from tests.harness import DEFAULT_ANSWERS, Harness, OpenedView
from warroom.demo.slack.driver import fill_view
from warroom.domain.incident import Incident
from warroom.slack.blocks.announcement import announcement
from warroom.slack.blocks.card import incident_card
from warroom.slack.blocks.topic import channel_topic

COMPLETED, TOLD, UNREACHABLE = "completed", "told", "could not be told"


@dataclass
class Judge:
    """Runs actions one at a time and records how each ended."""

    harness: Harness
    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)

    def faults_since(self, since: int) -> list[str]:
        return [f"{c.method}: {c.fault}" for c in self.harness.slack.calls[since:] if c.fault]

    def judge(self, what: str, actor: str, since: int, *, shown: bool) -> str:
        """`shown`: Slack shows everything the action changed."""
        notes = told(self.harness.slack, actor, since)
        if shown:
            outcome = COMPLETED
        elif any("⚠️" in note and "`" in note for note in notes):
            outcome = TOLD
        elif could_not_tell(self.harness.slack, actor, since):
            outcome = UNREACHABLE
        else:
            raise AssertionError(
                f"{what} failed silently: told {notes}; faults {self.faults_since(since)}"
            )
        self.outcomes[(what, outcome)] += 1
        return outcome

    async def fresh(self, incident: Incident) -> Incident:
        (found,) = [i for i in await self.harness.incidents() if i.id == incident.id]
        return found

    async def shows(
        self, incident: Incident, line: str | None = None, *, card_only: bool = False
    ) -> bool:
        """Slack shows the incident as stored: card, topic, announcement (and `line`).
        `card_only` for a change that touches neither topic nor announcement."""
        now = await self.fresh(incident)
        slack, policy, at = self.harness.slack, self.harness.runtime.policy, self.harness.clock()
        if now.channel_id is None or now.card_ts is None:
            return False
        card = slack.message(now.channel_id, now.card_ts)
        channel = slack.channel(now.channel_id)
        if card is None or channel is None or not _same(card, incident_card(now, policy, now=at)):
            return False
        if not card_only and channel.topic != channel_topic(now, policy):
            return False
        if not card_only and now.announcement_channel_id and now.announcement_ts:
            posted = slack.message(now.announcement_channel_id, now.announcement_ts)
            if posted is None or not _same(posted, announcement(now, policy, now=at)):
                return False
        texts = [m.get("text", "") for m in slack.messages(now.channel_id)]
        return line is None or any(line in text for text in texts)

    # -- actions ---------------------------------------------------------------

    async def declare(self, title: str, severity: str, actor: str) -> Incident | None:
        """/incident declare → the modal → submit; the room is built after the ack."""
        h = self.harness
        since = len(h.slack.calls)
        status, _ = await h.command(f"declare {title}", user=actor)
        assert status == 200
        await h.settle()
        opened = [c for c in h.slack.calls[since:] if c.method == "views.open" and c.ok]
        if not opened:
            self.judge("open the declare form", actor, since, shown=False)
            return None
        call = opened[0]
        view = OpenedView(call.args["view"], call.response["view"]["id"], "h1")
        answers = {**DEFAULT_ANSWERS, "title": title, "severity": severity}
        since = len(h.slack.calls)
        assert await h.submit(view, answers, user=actor) == (200, "")
        await h.settle()
        (incident,) = [i for i in await h.incidents() if i.title == title]
        ready = incident.provisioned_at is not None and await self.shows(incident)
        self.judge("declare", actor, since, shown=ready)
        return incident

    async def finish_setup(self, incident: Incident) -> Incident:
        """Press Retry on the setup-failed note, as the reporter would."""
        h = self.harness
        since = len(h.slack.calls)
        status, _ = await h.click("declare_retry", str(incident.id), user=incident.reporter_id)
        assert status == 200
        await h.settle()
        now = await self.fresh(incident)
        shown = now.provisioned_at is not None and await self.shows(now)
        self.judge("retry the setup", incident.reporter_id, since, shown=shown)
        return now

    async def press(
        self, incident: Incident, action_id: str, actor: str, *, choose: str | None = None
    ) -> int:
        since = len(self.harness.slack.calls)
        assert await self.harness.press(incident, action_id, user=actor, choose=choose) == (200, "")
        await self.harness.settle()
        return since

    async def take_commander(self, incident: Incident, actor: str) -> None:
        since = await self.press(incident, "role_take:commander", actor)
        now = await self.fresh(incident)
        assert now.holder("commander") == actor, "an acknowledged role change was lost"
        shown = await self.shows(now, f"<@{actor}> is now *Incident Commander*")
        self.judge("take a role", actor, since, shown=shown)

    async def assign(self, incident: Incident, role: str, user: str, actor: str) -> None:
        """`/incident role <role> @user` in the war room: a handoff by someone else."""
        h = self.harness
        since = len(h.slack.calls)
        status, _ = await h.command(
            f"role {role} <@{user}>", user=actor, channel=incident.channel_id
        )
        assert status == 200
        await h.settle()
        now = await self.fresh(incident)
        if now.holder(role) != user:
            # Refused, since Slack would not say whether `actor` is in the room: told so.
            self.judge("assign a role", actor, since, shown=False)
            return
        shown = await self.shows(now, f"<@{user}> is now *", card_only=True)
        self.judge("assign a role", actor, since, shown=shown)

    async def pick(self, incident: Incident, action_id: str, value: str, actor: str) -> None:
        since = await self.press(incident, action_id, actor, choose=value)
        now = await self.fresh(incident)
        field_name = "severity" if action_id == "severity_select" else "status"
        if getattr(now, field_name) != value:
            # Refused, since Slack would not say whether `actor` is in the room: told so.
            self.judge(f"change {field_name}", actor, since, shown=False)
            return
        shown = await self.shows(now, f"by <@{actor}>")
        self.judge(f"change {field_name}", actor, since, shown=shown)

    async def _form(self, incident: Incident, action_id: str, actor: str) -> dict[str, Any] | None:
        """Press the button that opens a modal; the view if Slack opened it."""
        since = await self.press(incident, action_id, actor)
        opened = [c for c in self.harness.slack.calls[since:] if c.method == "views.open" and c.ok]
        if not opened:
            self.judge(f"open {action_id}", actor, since, shown=False)
            return None
        return {**opened[0].args["view"], "id": opened[0].response["view"]["id"]}

    async def _submit(self, view: dict[str, Any], answers: dict[str, Any], actor: str) -> int:
        body, kind = view_submission(
            view["callback_id"],
            fill_view(view, answers),
            user_id=actor,
            private_metadata=view["private_metadata"],
            view_id=view["id"],
        )
        since = len(self.harness.slack.calls)
        assert await self.harness.post(body, kind) == (200, "")
        await self.harness.settle()
        return since

    async def post_update(self, incident: Incident, actor: str, happening: str) -> None:
        view = await self._form(incident, "update_open", actor)
        if view is None:
            return
        answers = {"happening": happening, "impact": "EU checkout", "doing": "Failing over"}
        since = await self._submit(view, answers, actor)
        now = await self.fresh(incident)
        assert now.summary == happening, "an acknowledged status update was lost"
        self.judge("post an update", actor, since, shown=await self.shows(now, happening))

    async def note(self, incident: Incident, actor: str, text: str) -> None:
        """A typed entry: stored, then shown by Slack from the command's own answer."""
        body, kind = slash_command(
            f"note {text}",
            user_id=actor,
            channel_id=incident.channel_id or "",
            response_url=self.harness.new_response_url(),
        )
        status, answer = await self.harness.post(body, kind)
        assert status == 200 and text in json.loads(answer)["text"]
        entries = await self.harness.timeline(incident.id)
        assert any(e.kind == "note" and e.text == text for e in entries), "a note was lost"
        self.outcomes[("note", COMPLETED)] += 1

    async def resolve(self, incident: Incident, actor: str, resolution: str) -> None:
        view = await self._form(incident, "resolve_open", actor)
        if view is None:
            return
        since = await self._submit(view, {"resolution": resolution}, actor)
        now = await self.fresh(incident)
        assert now.resolved_at is not None, "an acknowledged resolution was lost"
        self.judge("resolve", actor, since, shown=await self.shows(now))


def _same(posted: dict[str, Any], expected: Any) -> bool:
    return bool(
        posted.get("text") == expected.text
        and json.loads(json.dumps(posted.get("blocks", []))) == expected.blocks
    )
