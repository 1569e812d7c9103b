"""The stand-in's workspace as tests and the demo see it: set it up, read copies of it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from warroom.demo.slack.api_files import file_view
from warroom.demo.slack.state import Channel, Workspace

__all__ = ["WorkspaceMethods"]


class WorkspaceMethods:
    """SlackStandIn's setup and read-only views (a mixin, so server.py stays about HTTP).

    Setting up records no call: it is what people did in Slack's own client.
    """

    _ws: Workspace
    _acting_as: dict[str, str]
    bot_user_id: str

    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        display_name: str | None = None,
        real_name: str | None = None,
        tz: str | None = None,
        deleted: bool = False,
    ) -> None:
        """A user with handle `name`; users.info shows `display_name` (default: the handle;
        "" for none, as Slack gives for people who never set one) and `real_name`."""
        self._ws.users[user_id] = name
        extra = {"display_name": display_name, "real_name": real_name, "tz": tz}
        profile: dict[str, Any] = {k: v for k, v in extra.items() if v is not None}
        if deleted:
            profile["deleted"] = True
        self._ws.profiles[user_id] = profile

    def token_for(self, user_id: str, *, bot_id: str | None = None) -> str:
        """A token Slack answers as `user_id`: a person's, or with `bot_id` another app's
        bot. What it creates or posts is theirs (`creator`, a message's `user`/`bot_id`);
        conversations.create/invite, chat.postMessage, users.conversations, auth.test,
        conversations.info/history honour it."""
        token = f"xox{'b' if bot_id else 'p'}-fake-{user_id.lower()}"
        self._acting_as[token] = user_id
        if bot_id is not None:
            self._ws.bot_ids[user_id] = bot_id
        return token

    def add_channel(
        self,
        name: str,
        *,
        is_private: bool = False,
        members: Iterable[str] = (),
        archived: bool = False,
        creator: str | None = None,
        created: int | None = None,
    ) -> str:
        """Create a channel directly (no recorded call); the bot is a member only if listed.

        Made by `creator` (default: the first member, else the bot) at `created` (epoch
        seconds; default now)."""
        members = list(members)
        creator = creator or next(iter(members), self.bot_user_id)
        state = self._ws.add_channel(
            name, is_private=is_private, creator=creator, members=set(members), archived=archived
        )
        if created is not None:
            state.created = created
        return state.id

    def add_message(
        self,
        channel_id: str,
        text: str,
        *,
        user: str,
        thread_ts: str | None = None,
        ts: str | None = None,
    ) -> str:
        """Put a message from `user` into a channel (e.g. a human's); returns its ts
        (`ts` if given: the time the sender's own clock says)."""
        state = self._ws.channels[channel_id]
        message = self._ws.new_message(state, user=user, text=text, thread_ts=thread_ts)
        if ts is not None:
            message["ts"] = ts
        return str(message["ts"])

    def add_member(self, channel_id: str, user_id: str) -> None:
        """Someone joins, or is added to, a channel in Slack's own client (no recorded call).
        Send `member_joined_channel` to tell Warroom."""
        self._ws.channels[channel_id].members.add(user_id)

    def remove_member(self, channel_id: str, user_id: str) -> None:
        """Someone leaves, or is removed from, a channel in Slack's own client (no recorded
        call: Warroom never removes anyone). Send `member_left_channel` to tell Warroom."""
        self._ws.channels[channel_id].members.discard(user_id)

    def channel(self, channel_id: str) -> Channel | None:
        state = self._ws.channels.get(channel_id)
        return state.snapshot() if state is not None else None

    def channel_by_name(self, name: str) -> Channel | None:
        state = self._ws.by_name(name)
        return state.snapshot() if state is not None else None

    def channels(self) -> list[Channel]:
        return [state.snapshot() for state in self._ws.channels.values()]

    def messages(self, channel_id: str) -> list[dict[str, Any]]:
        """Copies of the channel's messages (thread replies included), oldest first."""
        return list(self._ws.copy_json(self._ws.messages.get(channel_id, [])))

    def message(self, channel_id: str, ts: str) -> dict[str, Any] | None:
        for message in self._ws.messages.get(channel_id, []):
            if message["ts"] == ts:
                return dict(self._ws.copy_json(message))
        return None

    def ephemerals(self, channel_id: str) -> list[dict[str, Any]]:
        """`{"to": user_id, "message": {...}}` for each chat.postEphemeral in the channel."""
        return list(self._ws.copy_json(self._ws.ephemerals.get(channel_id, [])))

    def dm_channel(self, user_id: str) -> str | None:
        return self._ws.dms.get(user_id)

    def view(self, view_id: str) -> dict[str, Any] | None:
        view = self._ws.views.get(view_id)
        return dict(self._ws.copy_json(view)) if view is not None else None

    def file(self, file_id: str) -> dict[str, Any] | None:
        """name, title, `content` (text) / `data` (bytes), `channels` shared to; or None."""
        return file_view(self._ws, file_id)
