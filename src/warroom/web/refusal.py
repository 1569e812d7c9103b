"""The one way a transport guard turns a request away: a short JSON answer, then the
connection is closed, so whatever the client has not sent yet is never read."""

from __future__ import annotations

import json

from starlette.types import Send

__all__ = ["refuse"]


async def refuse(send: Send, status: int, error: str) -> None:
    body = json.dumps({"error": error}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
