"""What FakeSlack records of each request it answered, with the failure it injected."""

from __future__ import annotations

from dataclasses import dataclass

from fakeslack.faults import Fault
from warroom.demo.slack import recorded

__all__ = ["RecordedCall"]


@dataclass
class RecordedCall(recorded.RecordedCall):
    """One answered request: Web API method or a response_url POST."""

    fault: Fault | None = None
    """The failure injected instead of an answer (see `fakeslack.faults`), if any."""
