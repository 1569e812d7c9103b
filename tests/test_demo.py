"""`warroom demo` plays a whole incident through the real app and prints what people saw."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from warroom.cli import main


def test_demo_runs_a_whole_incident(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    for seen in (
        "ana types: /incident declare Checkout errors spike",
        "[channel #inc-1-checkout-errors-spike created]",
        # The card as Slack shows it: fields, role buttons and controls, no mrkdwn marks.
        "    🚨 INC-1: CHECKOUT ERRORS SPIKE\n    Severity: SEV1 · Critical\n",
        "    Incident Commander\n    unassigned  [Take IC]\n",
        "    [Post update] [Assign role…] [Resolve]\n",
        "  #ops · warroom:\n    🚨 @ana declared INC-1 (SEV1): Checkout errors spike →\n"
        "    #inc-1-checkout-errors-spike\n",
        "@ben is now Incident Commander (took it)",
        "only ben sees:\n    ✅ You are now Incident Commander for INC-1",
        "  DM · warroom:\n    🎖️ You are Incident Commander for INC-1 (SEV1)",
        "dee reacts :pushpin:",
        "[warroom reacts :white_check_mark:]",
        "⏰ @dee, a status update for INC-1 is due now",
        "    [Post update] [Snooze 15 min] [Snooze 30 min] [Snooze 60 min]\n",
        "📣 Status update · INC-1 · SEV1 · Identified",
        "#incidents (in thread) · warroom:",
        "🔗 INC-2 is a duplicate of INC-1 (@chi linked them)",
        "🚫 INC-2 SEV2 a duplicate of INC-1",
        "⚠️ @ben, INC-1 has had no status update for 40 min",
        "⏰ @dee, INC-1 has had no status update for 60 min",
        "Status Identified → Mitigated (monitoring) by @ben",
        "✅ INC-1 resolved by @ben",
        "[file attached: the postmortem draft, Markdown]",
    ):
        assert seen in out, seen
    # Times in the organisation's zone (the policy's), as the step titles say.
    assert out.startswith("Times are in Europe/Madrid")
    assert re.search(r"\n    Declared: \d{4}-\d\d-\d\d 02:47 CES?T\n", out)
    assert " UTC" not in out
    assert [
        line for line in out.splitlines() if len(line) > 80 and "warroom-demo" not in line
    ] == []
    markdown = (tmp_path / "warroom-demo-postmortem.md").read_text()
    assert markdown.startswith("# Postmortem: INC-1 — Checkout errors spike")
    assert "the connection pool shrank in deploy 812" in markdown
    assert "Error rate 38% on /pay" in markdown
    assert "| Reported by | @Ana Lopez |" in markdown  # people by name (users.info)
    assert "| Incident Commander | @Ben Okafor |" in markdown
    assert "Times are in Europe/Madrid (CE" in markdown
    assert (tmp_path / "warroom-demo.db").is_file()
