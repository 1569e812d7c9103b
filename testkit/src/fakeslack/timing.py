"""How many Slack round trips a flow waited for, one after another."""

from __future__ import annotations

from collections.abc import Sequence

from fakeslack.server import RecordedCall

__all__ = ["sequential_rounds"]


def sequential_rounds(calls: Sequence[RecordedCall]) -> int:
    """The longest chain of calls where each started only after the previous one finished.

    Calls that overlap in time ran concurrently and count once; this is the
    number of round trips on the critical path.
    """
    ordered = sorted(calls, key=lambda call: call.started)
    depth: list[int] = []
    for i, call in enumerate(ordered):
        before = [depth[j] for j in range(i) if ordered[j].finished <= call.started]
        depth.append(1 + max(before, default=0))
    return max(depth, default=0)
