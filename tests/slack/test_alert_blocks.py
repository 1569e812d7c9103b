"""The triage card and the room's notes about alerts: goldens, escaping and links."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from fakeslack.limits import block_problems
from tests.golden import assert_golden
from tests.slack.test_blocks import INCIDENT
from warroom.domain.alerts import FIRING, RESOLVED, Alert, AlertGroup
from warroom.domain.policy import AlertRoute
from warroom.slack.blocks.alerts import (
    alert_card,
    alerts_attached_note,
    alerts_declared_note,
    alerts_resolved_note,
)

AT = datetime(2026, 12, 6, 2, 57, 15, tzinfo=UTC)
DEFAULT = AlertRoute(name="default", action="propose")


def _alert(instance: str, status: str = FIRING, url: str | None = None) -> Alert:
    return Alert(
        fingerprint=f"fp-{instance}",
        status=FIRING if status == FIRING else RESOLVED,
        labels={"alertname": "InstanceDown", "instance": instance, "job": "api"},
        annotations={"summary": f"{instance} is down"},
        starts_at=AT,
        ends_at=AT + timedelta(minutes=3) if status == RESOLVED else None,
        source_url=url or "http://prometheus.example.com/graph?g0.expr=up&g0.tab=1",
    )


GROUP = AlertGroup(
    id=12,
    source="alertmanager",
    group_key='{}:{alertname="InstanceDown", service="api"}',
    route="default",
    state="proposed",
    cycle=1,
    labels={"alertname": "InstanceDown", "env": "prod", "service": "api"},
    annotations={},
    external_url="http://alertmanager.example.com:9093",
    incident_id=None,
    proposal_channel=None,
    proposal_ts=None,
    decided_by=None,
    first_started_at=AT,
    updated_at=AT,
    firing=7,
    resolved=1,
    alerts=(
        *(_alert(f"api-{n}.prod:9100") for n in range(1, 7)),
        _alert("api-9.prod:9100", RESOLVED),
    ),
)


def test_a_proposed_group_golden() -> None:
    other = replace(INCIDENT, id=9, number=41, title="Checkout latency")
    card = alert_card(
        GROUP,
        incident=None,
        attachable=[INCIDENT, other],
        route=DEFAULT,
        suggested=INCIDENT,
    )
    assert block_problems(card.blocks, surface="message") == []
    assert_golden("alert_card_proposed", {"text": card.text, "blocks": card.blocks})


def test_a_group_in_an_incident_golden() -> None:
    settled = replace(GROUP, state="incident", incident_id=INCIDENT.id, decided_by="UPICKER01")
    card = alert_card(settled, incident=INCIDENT, attachable=[], route=DEFAULT)
    assert not [b for b in card.blocks if b["type"] == "actions"]
    assert_golden("alert_card_in_incident", {"text": card.text, "blocks": card.blocks})


def test_a_private_incident_is_not_named_on_a_public_card() -> None:
    private = replace(INCIDENT, private=True, title="Payroll export leaks")
    settled = replace(GROUP, state="incident", incident_id=private.id)
    shown = json.dumps(alert_card(settled, incident=private, attachable=[], route=DEFAULT).blocks)
    assert "private incident" in shown
    assert private.reference not in shown and "Payroll" not in shown


def test_dismissed_and_declaring() -> None:
    dismissed = alert_card(
        replace(GROUP, state="dismissed", decided_by="U1"),
        incident=None,
        attachable=[],
        route=DEFAULT,
    )
    assert "Dismissed (by <@U1>)." in json.dumps(dismissed.blocks)
    declaring = alert_card(
        replace(GROUP, state="declaring"), incident=None, attachable=[], route=DEFAULT
    )
    assert "Declaring an incident" in json.dumps(declaring.blocks)


def test_alert_text_is_escaped_and_only_http_links_are_made() -> None:
    hostile = _alert("<!channel> & <@U1>", url="javascript:alert(1)")
    group = replace(
        GROUP,
        labels={"alertname": "<!here>"},
        alerts=(hostile,),
        external_url="https://am.example.com/|<evil>",
        firing=1,
        resolved=0,
    )
    shown = json.dumps(alert_card(group, incident=None, attachable=[], route=DEFAULT).blocks)
    assert "<!channel>" not in shown and "<!here>" not in shown and "<@U1>" not in shown
    assert "&lt;!channel&gt; &amp; &lt;@U1&gt;" in shown
    assert "javascript:" not in shown and "evil" not in shown


def test_the_room_notes_golden() -> None:
    assert_golden(
        "alerts_room_notes",
        {
            "resolved_one": alerts_resolved_note(INCIDENT, 1).text,
            "resolved_many": alerts_resolved_note(INCIDENT, 3).text,
            "attached": alerts_attached_note(GROUP, "UPICKER01").text,
            "declared": alerts_declared_note(
                GROUP, AlertRoute(name="api-down", action="declare", severity="SEV1")
            ).blocks,
        },
    )
