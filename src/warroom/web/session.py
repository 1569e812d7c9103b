"""Who is looking at a web page: the person Sign in with Slack put in the session.

The session is a signed cookie (set by the sign-in routes, `warroom.web.signin`); a
page asks `current_viewer(request)` and gets None for nobody (or a forged or expired
cookie).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

__all__ = ["SESSION_KEY", "SESSION_TTL_S", "Viewer", "current_viewer", "sign_in", "sign_out"]

SESSION_KEY = "viewer"
SESSION_TTL_S = 12 * 60 * 60
"""How long a sign-in lasts: the cookie's Max-Age, and the expiry kept inside it."""
_EXPIRES = "expires_at"


@dataclass(frozen=True)
class Viewer:
    user_id: str
    team_id: str
    name: str

    def to_session(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "team_id": self.team_id, "name": self.name}


def current_viewer(request: Request, *, now: float | None = None) -> Viewer | None:
    """The signed-in person, or None. Only valid where the session middleware runs.

    A session past its expiry (`now`, default the wall clock, in epoch seconds) is
    nobody's, even if the browser kept the cookie."""
    if "session" not in request.scope:
        return None
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return None
    expires_at = data.get(_EXPIRES)
    if not isinstance(expires_at, int | float) or isinstance(expires_at, bool):
        return None
    if expires_at <= (time.time() if now is None else now):
        return None
    user_id, team_id = data.get("user_id"), data.get("team_id")
    if not isinstance(user_id, str) or not isinstance(team_id, str) or not user_id:
        return None
    return Viewer(user_id, team_id, str(data.get("name") or user_id))


def sign_in(request: Request, viewer: Viewer, *, now: float | None = None) -> None:
    """Start a fresh session for `viewer` (whatever the session held before is dropped,
    so nothing planted in it before sign-in survives)."""
    request.session.clear()
    issued = time.time() if now is None else now
    request.session[SESSION_KEY] = {**viewer.to_session(), _EXPIRES: int(issued + SESSION_TTL_S)}


def sign_out(request: Request) -> None:
    """End the session: the cookie is cleared on the response."""
    request.session.clear()
