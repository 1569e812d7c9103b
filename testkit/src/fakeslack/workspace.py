"""FakeSlack's workspace: the demo's, plus what only the test kit's methods use."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from warroom.demo.slack.checks import Checks
from warroom.demo.slack.server import Handler
from warroom.demo.slack.state import Workspace

__all__ = ["KitWorkspace", "KitWorkspaceMethods", "on_kit_workspace"]

Json = dict[str, Any]


class KitWorkspace(Workspace):
    """Adds user groups, App Home views and permalinks."""

    def __init__(self, *, team_id: str, bot_user_id: str, checks: Checks | None = None) -> None:
        super().__init__(team_id=team_id, bot_user_id=bot_user_id, checks=checks)
        self.usergroups: dict[str, set[str]] = {}
        self.home_views: dict[str, str] = {}

    def permalink(self, channel_id: str, message: Json) -> str:
        base = f"https://{self.team_domain}.slack.com/archives/{channel_id}/p"
        ts = str(message["ts"])
        link = base + ts.replace(".", "")
        thread_ts = message.get("thread_ts")
        if thread_ts and thread_ts != ts:
            link += f"?thread_ts={thread_ts}&cid={channel_id}"
        return link


def on_kit_workspace(handler: Callable[[KitWorkspace, Json], Json]) -> Handler:
    """A method handler that needs FakeSlack's workspace, as the stand-in calls it."""

    def answer(ws: Workspace, args: Json) -> Json:
        assert isinstance(ws, KitWorkspace), f"{type(ws).__name__} is not FakeSlack's"
        return handler(ws, args)

    return answer


class KitWorkspaceMethods:
    """FakeSlack's setup and views of what only the test kit's methods serve (a mixin)."""

    _ws: Workspace

    @property
    def _kit_ws(self) -> KitWorkspace:
        assert isinstance(self._ws, KitWorkspace)
        return self._ws

    def set_usergroup(self, usergroup_id: str, users: Iterable[str]) -> None:
        """Create a user group, or replace its members (no recorded call)."""
        self._kit_ws.usergroups[usergroup_id] = set(users)

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        view_id = self._kit_ws.home_views.get(user_id)
        if view_id is None:
            return None
        view = self._ws.views.get(view_id)
        return dict(self._ws.copy_json(view)) if view is not None else None
