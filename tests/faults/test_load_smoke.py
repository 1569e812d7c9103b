"""bench/load.py at CI size: mixed signed traffic against a child `warroom serve` loses nothing.

Not a timed test: latency is the bench's business (bench/README.md). This only
holds the script to its word (it runs, sends what it planned, finishes) and the
server to its: no error anywhere, every acknowledged fact stored exactly once.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

LOAD = Path(__file__).resolve().parents[2] / "bench" / "load.py"


def test_mixed_load_has_no_errors_and_loses_nothing(database_url: str) -> None:
    command = [sys.executable, str(LOAD), "--rate", "20", "--duration", "3", "--warmup", "2"]
    done = subprocess.run(
        [*command, "--database-url", database_url],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["planned"] == report["sent"] == report["answered"] == 60
    assert report["errors"]["total"] == 0, report["errors"]
    assert report["lost"] == 0, report["lost_by_kind"]
    stored = report["lost_by_kind"]
    assert stored["declares"]["acknowledged"] >= 2 and stored["messages"]["acknowledged"] > 0
    assert report["rss_mb"]["peak"] > 0
