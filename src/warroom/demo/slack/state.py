"""In-memory workspace the Slack stand-in serves: users, channels, messages, views."""

from __future__ import annotations

import copy
import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from warroom.demo.slack.checks import Checks

if TYPE_CHECKING:
    from warroom.demo.slack.api_files import FileState

__all__ = ["ApiError", "Channel", "ChannelState", "Workspace", "is_user_id"]

Json = dict[str, Any]


class ApiError(Exception):
    """A Slack-style failure: HTTP 200 `{"ok": false, "error": code, ...extra}`."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


def is_user_id(value: object) -> bool:
    """Slack user ids start with U (or W on Enterprise Grid); the fake knows them all."""
    return isinstance(value, str) and len(value) > 1 and value[0] in "UW"


@dataclass(frozen=True)
class Channel:
    """Read-only snapshot of a conversation."""

    id: str
    name: str
    is_private: bool
    is_archived: bool
    is_im: bool
    creator: str
    created: int
    members: frozenset[str]
    topic: str
    purpose: str
    pins: tuple[str, ...]
    user: str | None = None


@dataclass
class ChannelState:
    id: str
    name: str
    is_private: bool
    creator: str
    created: int
    is_archived: bool = False
    is_im: bool = False
    user: str | None = None
    members: set[str] = field(default_factory=set)
    topic: str = ""
    topic_meta: tuple[str, int] = ("", 0)
    purpose: str = ""
    purpose_meta: tuple[str, int] = ("", 0)
    pins: list[str] = field(default_factory=list)

    def snapshot(self) -> Channel:
        return Channel(
            id=self.id,
            name=self.name,
            is_private=self.is_private,
            is_archived=self.is_archived,
            is_im=self.is_im,
            creator=self.creator,
            created=self.created,
            members=frozenset(self.members),
            topic=self.topic,
            purpose=self.purpose,
            pins=tuple(self.pins),
            user=self.user,
        )


class Workspace:
    """All state; handlers mutate it, the server exposes copies."""

    def __init__(self, *, team_id: str, bot_user_id: str, checks: Checks | None = None) -> None:
        self.team_id = team_id
        self.team_name = "Warroom Fake"
        self.team_domain = "warroom-fake"
        self.bot_user_id = bot_user_id
        self.bot_id = "B0WARROOMBOT"
        self.app_id = "A0WARROOMAPP"
        self.bot_name = "warroom"
        self.users: dict[str, str] = {bot_user_id: self.bot_name}
        """Handles (`name`) of the users set up; users.list lists them."""
        self.profiles: dict[str, Json] = {}
        """What a user set up has beyond a handle: display_name, real_name, tz, deleted."""
        self.bot_ids: dict[str, str] = {bot_user_id: self.bot_id}
        """Bot users and their bot ids: Warroom's, and other apps' (`token_for`)."""
        self.acting: str = bot_user_id
        """Whose token the call being answered carries: the user Slack acts as."""
        self.channels: dict[str, ChannelState] = {}
        self.messages: dict[str, list[Json]] = {}
        self.ephemerals: dict[str, list[Json]] = {}
        self.dms: dict[str, str] = {}
        self.views: dict[str, Json] = {}
        self.external_ids: dict[str, str] = {}
        self.used_triggers: set[str] = set()
        self.response_url_uses: dict[str, int] = {}
        self.response_url_targets: dict[str, tuple[str, str | None]] = {}
        self.files: dict[str, FileState] = {}
        self.base_url = ""  # the running server's, for files.getUploadURLExternal
        self._counters: dict[str, int] = {}
        self._last_ts_us = 0
        self.checks = checks or Checks()
        """What handlers refuse as Slack would (nothing unless the test kit's limits)."""

    # -- identifiers --------------------------------------------------------

    def new_id(self, prefix: str) -> str:
        n = self._counters.get(prefix, 0) + 1
        self._counters[prefix] = n
        return f"{prefix}{n:09d}"

    def next_ts(self) -> str:
        now_us = time.time_ns() // 1000
        self._last_ts_us = max(now_us, self._last_ts_us + 1)
        return f"{self._last_ts_us // 1_000_000}.{self._last_ts_us % 1_000_000:06d}"

    @staticmethod
    def new_hash() -> str:
        return f"{int(time.time())}.{secrets.token_hex(4)}"

    # -- users --------------------------------------------------------------

    def user_name(self, user_id: str) -> str:
        return self.users.get(user_id, f"user-{user_id.lower()}")

    def user_json(self, user_id: str) -> Json:
        """A user object as users.info and users.list answer it."""
        name = self.user_name(user_id)
        extra = self.profiles.get(user_id, {})
        real_name = str(extra.get("real_name") or name)
        display_name = str(extra.get("display_name", name))
        tz = str(extra.get("tz") or "Etc/UTC")
        is_bot = user_id == self.bot_user_id
        profile: Json = {
            "real_name": real_name,
            "real_name_normalized": real_name,
            "display_name": display_name,
            "display_name_normalized": display_name,
            "team": self.team_id,
            "image_48": "https://example.com/avatar_48.png",
        }
        if is_bot:
            profile.update({"bot_id": self.bot_id, "api_app_id": self.app_id})
        else:
            profile["email"] = f"{name.split(' ')[0]}@example.com"
        return {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "deleted": bool(extra.get("deleted", False)),
            "real_name": real_name,
            "tz": tz,
            "tz_label": tz,
            "tz_offset": 0,
            "profile": profile,
            "is_admin": False,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": int(time.time()),
        }

    # -- channels -----------------------------------------------------------

    def add_channel(
        self,
        name: str,
        *,
        is_private: bool,
        creator: str,
        members: set[str],
        archived: bool = False,
    ) -> ChannelState:
        state = ChannelState(
            id=self.new_id("C"),
            name=name,
            is_private=is_private,
            creator=creator,
            created=int(time.time()),
            is_archived=archived,
            members=set(members),
        )
        self.channels[state.id] = state
        self.messages[state.id] = []
        return state

    def by_name(self, name: str) -> ChannelState | None:
        for state in self.channels.values():
            if not state.is_im and state.name == name:
                return state
        return None

    def open_dm(self, user_id: str) -> ChannelState:
        existing = self.dms.get(user_id)
        if existing is not None:
            return self.channels[existing]
        state = ChannelState(
            id=self.new_id("D"),
            name=user_id,
            is_private=True,
            creator=self.bot_user_id,
            created=int(time.time()),
            is_im=True,
            user=user_id,
            members={user_id, self.bot_user_id},
        )
        self.channels[state.id] = state
        self.messages[state.id] = []
        self.dms[user_id] = state.id
        return state

    def visible(self, channel_id: Any) -> ChannelState:
        """The conversation as the bot may see it; private ones need membership."""
        if not isinstance(channel_id, str) or not channel_id:
            raise ApiError("channel_not_found")
        state = self.channels.get(channel_id)
        if state is None or (state.is_private and self.acting not in state.members):
            raise ApiError("channel_not_found")
        return state

    def channel_json(self, state: ChannelState) -> Json:
        now = int(time.time())
        if state.is_im:
            return {
                "id": state.id,
                "created": state.created,
                "is_archived": False,
                "is_im": True,
                "is_org_shared": False,
                "context_team_id": self.team_id,
                "updated": now * 1000,
                "user": state.user,
                "is_user_deleted": False,
                "priority": 0,
            }
        data: Json = {
            "id": state.id,
            "name": state.name,
            "is_channel": True,
            "is_group": False,
            "is_im": False,
            "is_mpim": False,
            "is_private": state.is_private,
            "created": state.created,
            "is_archived": state.is_archived,
            "is_general": False,
            "unlinked": 0,
            "name_normalized": state.name,
            "is_shared": False,
            "is_org_shared": False,
            "is_ext_shared": False,
            "is_pending_ext_shared": False,
            "pending_shared": [],
            "pending_connected_team_ids": [],
            "context_team_id": self.team_id,
            "updated": now * 1000,
            "parent_conversation": None,
            "creator": state.creator,
            "shared_team_ids": [self.team_id],
            "is_member": self.acting in state.members,
            "last_read": "0000000000.000000",
            "topic": {
                "value": state.topic,
                "creator": state.topic_meta[0],
                "last_set": state.topic_meta[1],
            },
            "purpose": {
                "value": state.purpose,
                "creator": state.purpose_meta[0],
                "last_set": state.purpose_meta[1],
            },
            "previous_names": [],
            "priority": 0,
        }
        return data

    # -- messages -----------------------------------------------------------

    def find_message(self, channel_id: str, ts: Any) -> Json:
        if isinstance(ts, str):
            for message in self.messages.get(channel_id, []):
                if message["ts"] == ts:
                    return message
        raise ApiError("message_not_found")

    def new_message(
        self,
        channel: ChannelState,
        *,
        user: str,
        text: str,
        blocks: list[Any] | None = None,
        attachments: list[Any] | None = None,
        thread_ts: str | None = None,
        broadcast: bool = False,
        metadata: Any = None,
    ) -> Json:
        ts = self.next_ts()
        message: Json = {"type": "message", "text": text, "user": user, "ts": ts}
        bot_id = self.bot_ids.get(user)
        if bot_id is not None:
            app_id = self.app_id if user == self.bot_user_id else f"A{bot_id[1:]}"
            message.update({"bot_id": bot_id, "app_id": app_id})
            message["bot_profile"] = {
                "id": bot_id,
                "deleted": False,
                "name": self.user_name(user),
                "updated": int(time.time()),
                "app_id": app_id,
                "team_id": self.team_id,
            }
        message["team"] = self.team_id
        if blocks is not None:
            message["blocks"] = blocks
        if attachments is not None:
            message["attachments"] = attachments
        if metadata is not None:
            message["metadata"] = metadata
        if thread_ts is not None:
            parent = self._thread_parent(channel.id, thread_ts)
            if parent is not None:
                thread_ts = parent["ts"]
                parent["thread_ts"] = thread_ts
                parent["reply_count"] = parent.get("reply_count", 0) + 1
                parent["latest_reply"] = ts
                users = parent.setdefault("reply_users", [])
                if user not in users:
                    users.append(user)
                parent["reply_users_count"] = len(users)
                message["parent_user_id"] = parent["user"]
            message["thread_ts"] = thread_ts
            if broadcast:
                message["subtype"] = "thread_broadcast"
        self.messages.setdefault(channel.id, []).append(message)
        return message

    def _thread_parent(self, channel_id: str, thread_ts: str) -> Json | None:
        for message in self.messages.get(channel_id, []):
            if message["ts"] == thread_ts:
                parent_ts = message.get("thread_ts", thread_ts)
                if parent_ts == thread_ts:
                    return message
                return self._thread_parent(channel_id, parent_ts)
        return None

    @staticmethod
    def copy_json(value: Any) -> Any:
        return copy.deepcopy(value)
