"""Golden files: a builder's output is compared with a reviewed JSON file.

Run with UPDATE_GOLDEN=1 to rewrite them after an intended change, then read the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

GOLDEN_DIR = Path(__file__).parent / "golden"


def assert_golden(name: str, data: Any) -> None:
    path = GOLDEN_DIR / f"{name}.json"
    rendered = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1" or not path.exists():
        if os.environ.get("CI") and not path.exists():
            raise AssertionError(f"golden file {path} is missing; generate it with UPDATE_GOLDEN=1")
        path.write_text(rendered, encoding="utf-8")
    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(rendered), (
        f"{name} differs from {path}; if intended, rerun with UPDATE_GOLDEN=1"
    )
