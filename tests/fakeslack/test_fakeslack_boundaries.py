"""The stand-ins stay apart from Warroom: the demo's Slack imports nothing else of
Warroom, FakeSlack only the demo's Slack, and the product never imports FakeSlack."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import fakeslack
import warroom
import warroom.demo.slack

PRODUCT = Path(warroom.__file__).parent
DEMO_SLACK = Path(warroom.demo.slack.__file__).parent
TESTKIT = Path(fakeslack.__file__).parent


def imported(folder: Path) -> Iterator[tuple[str, str]]:
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                yield path.name, node.module
            elif isinstance(node, ast.Import):
                yield from ((path.name, alias.name) for alias in node.names)


def test_the_demos_slack_imports_nothing_else_of_warroom() -> None:
    outside = [
        (name, module)
        for name, module in imported(DEMO_SLACK)
        if module.split(".")[0] == "warroom" and not module.startswith("warroom.demo.slack")
    ]
    assert outside == []


def test_fakeslack_builds_on_the_demos_slack_only() -> None:
    outside = [
        (name, module)
        for name, module in imported(TESTKIT)
        if module.split(".")[0] == "warroom" and not module.startswith("warroom.demo.slack")
    ]
    assert outside == []


def test_the_product_never_imports_fakeslack() -> None:
    assert [hit for hit in imported(PRODUCT) if hit[1].split(".")[0] == "fakeslack"] == []
