"""What the stand-in records of each request it answered."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["RecordedCall"]


@dataclass
class RecordedCall:
    """One answered request: Web API method or a response_url POST."""

    method: str
    args: dict[str, Any]
    started: float
    finished: float
    status: int
    response: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response.get("ok"))
