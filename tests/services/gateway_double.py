"""An in-process `SlackGateway` for testing services at their seam, without HTTP.

It keeps what the services' calls change (channels and their members, topics,
messages, pins, files, private notes, opened views) and records every call in
order. `fail(method, error)` makes the next call to `method` raise the
`SlackFailure` the real gateway would. The rules it keeps are the ones services
rely on: a channel name is taken once, only Warroom's own messages can be
changed, a post to a channel Warroom is not in is `not_in_channel` unless it may
join. Everything about the wire (signatures, retries, 429s, Block Kit limits) is
tested against the HTTP stand-in instead.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from warroom.domain.people import Person
from warroom.domain.room_adoption import ExistingChannel
from warroom.slack.errors import SlackFailure
from warroom.slack.gateway import BotIdentity, ChannelRef, InviteProblem, MessageRef, SlackGateway
from warroom.slack.message import Message

BOT_USER = "UWARROOMBOT"
BOT_ID = "BWARROOM01"


@dataclass
class Channel:
    id: str
    name: str
    private: bool
    members: set[str]
    created: datetime
    topic: str = ""
    archived: bool = False


@dataclass
class Posted:
    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]]
    thread_ts: str | None = None
    pinned: bool = False
    deleted: bool = False


@dataclass(frozen=True)
class Note:
    """Something only `user` sees: an ephemeral message, a response_url answer."""

    user: str | None
    text: str
    via: str


@dataclass(frozen=True)
class Call:
    method: str
    args: dict[str, Any]


@dataclass
class GatewayDouble(SlackGateway):
    clock_now: datetime = field(default_factory=lambda: datetime.now(UTC))
    calls: list[Call] = field(default_factory=list)
    channels: dict[str, Channel] = field(default_factory=dict)
    posted: list[Posted] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    views: list[dict[str, Any]] = field(default_factory=list)
    updated_views: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """(view id, view) of each views.update, in order."""
    homes: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Each person's Home tab as last published."""
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    usergroups: dict[str, frozenset[str]] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    """Who users.info and users.list know; anyone else is `user_not_found`."""
    users_page: int = 200
    reactions: set[tuple[str, str, str]] = field(default_factory=set)
    """Warroom's own reactions now: (channel, ts, emoji name)."""
    _failures: dict[str, list[str]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        super().__init__(AsyncWebClient(token="xoxb-gateway-double"))

    # -- setting the scene ---------------------------------------------------------

    def fail(self, method: str, error: str = "internal_error", *, times: int = 1) -> None:
        self._failures.setdefault(method, []).extend([error] * times)

    def add_channel(self, name: str, *, members: Sequence[str] = (), private: bool = False) -> str:
        channel_id = f"C{next(self._ids):08d}"
        self.channels[channel_id] = Channel(channel_id, name, private, set(members), self.clock_now)
        return channel_id

    # -- reading what happened -----------------------------------------------------

    def methods(self) -> list[str]:
        return [call.method for call in self.calls]

    def messages_in(self, channel_id: str) -> list[Posted]:
        return [m for m in self.posted if m.channel == channel_id and not m.deleted]

    def channel_named_now(self, name: str) -> Channel | None:
        return next((c for c in self.channels.values() if c.name == name), None)

    # -- the gateway ---------------------------------------------------------------

    def _enter(self, method: str, **args: Any) -> None:
        self.calls.append(Call(method, args))
        waiting = self._failures.get(method)
        if waiting:
            raise SlackFailure(method, waiting.pop(0))

    def _channel(self, method: str, channel_id: str) -> Channel:
        channel = self.channels.get(channel_id)
        if channel is None:
            raise SlackFailure(method, "channel_not_found")
        return channel

    def _message(self, method: str, ref: MessageRef) -> Posted:
        for message in self.posted:
            if (message.channel, message.ts) == (ref.channel, ref.ts) and not message.deleted:
                return message
        raise SlackFailure(method, "message_not_found")

    async def close(self) -> None:
        return None

    async def auth_test(self) -> dict[str, Any]:
        self._enter("auth.test")
        return {"ok": True, "user_id": BOT_USER, "bot_id": BOT_ID, "team_id": "T0SERVICES"}

    async def identity(self) -> BotIdentity:
        return BotIdentity(BOT_USER, BOT_ID)

    async def usergroup_members(self, usergroup: str) -> frozenset[str]:
        self._enter("usergroups.users.list", usergroup=usergroup)
        if usergroup not in self.usergroups:
            raise SlackFailure("usergroups.users.list", "no_such_subteam")
        return self.usergroups[usergroup]

    def add_person(self, user_id: str, name: str, *, tz: str | None = "Etc/UTC") -> Person:
        person = Person(user_id, name, tz, real_name=name, team_id="T0SERVICES")
        self.people[user_id] = person
        return person

    async def user(self, user_id: str) -> Person:
        self._enter("users.info", user=user_id)
        if user_id not in self.people:
            raise SlackFailure("users.info", "user_not_found")
        return self.people[user_id]

    async def users(self) -> AsyncIterator[list[Person]]:
        everyone = sorted(self.people.values(), key=lambda p: p.user_id)
        for start in range(0, max(len(everyone), 1), self.users_page):
            self._enter("users.list", cursor=start or None, limit=self.users_page)
            yield everyone[start : start + self.users_page]

    async def create_channel(self, name: str, *, private: bool) -> ChannelRef:
        self._enter("conversations.create", name=name, is_private=private)
        if self.channel_named_now(name) is not None:
            raise SlackFailure("conversations.create", "name_taken")
        channel_id = self.add_channel(name, members=[BOT_USER], private=private)
        return ChannelRef(channel_id, name)

    async def channel_named(self, name: str) -> ExistingChannel | None:
        self._enter("users.conversations", name=name)
        found = self.channel_named_now(name)
        if found is None or found.archived or BOT_USER not in found.members:
            return None
        return ExistingChannel(found.id, name, BOT_USER, found.created, found.private)

    async def channel_members(self, channel_id: str) -> frozenset[str]:
        self._enter("conversations.members", channel=channel_id)
        return frozenset(self._channel("conversations.members", channel_id).members)

    async def find_own_message(
        self, channel_id: str, block_id: str, *, since: datetime
    ) -> MessageRef | None:
        self._enter("conversations.history", channel=channel_id, block_id=block_id)
        for message in self.messages_in(channel_id):
            if any(block.get("block_id") == block_id for block in message.blocks):
                return MessageRef(channel_id, message.ts)
        return None

    async def invite(self, channel_id: str, user_ids: Sequence[str]) -> list[InviteProblem]:
        self._enter("conversations.invite", channel=channel_id, users=list(user_ids))
        channel = self._channel("conversations.invite", channel_id)
        if channel.archived:
            raise SlackFailure("conversations.invite", "is_archived")
        channel.members.update(user_ids)
        return []

    async def find_own_reply(
        self, channel_id: str, thread_ts: str, block_id: str
    ) -> MessageRef | None:
        self._enter("conversations.replies", channel=channel_id, ts=thread_ts, block_id=block_id)
        for message in self.messages_in(channel_id):
            if message.thread_ts == thread_ts and any(
                block.get("block_id") == block_id for block in message.blocks
            ):
                return MessageRef(channel_id, message.ts)
        return None

    async def permalink(self, channel_id: str, ts: str) -> str:
        self._enter("chat.getPermalink", channel=channel_id, message_ts=ts)
        self._channel("chat.getPermalink", channel_id)
        return f"https://double.slack.com/archives/{channel_id}/p{ts.replace('.', '')}"

    async def update_view(
        self, view_id: str, view: dict[str, Any], *, view_hash: str | None = None
    ) -> None:
        self._enter("views.update", view_id=view_id, hash=view_hash)
        self.updated_views.append((view_id, view))

    async def post(
        self,
        channel: str,
        message: Message,
        *,
        join_if_needed: bool = False,
        thread_ts: str | None = None,
    ) -> MessageRef:
        self._enter("chat.postMessage", channel=channel, text=message.text, thread_ts=thread_ts)
        if channel in self.channels:
            members = self.channels[channel].members
            if BOT_USER not in members:
                if not join_if_needed:
                    raise SlackFailure("chat.postMessage", "not_in_channel")
                self._enter("conversations.join", channel=channel)
                members.add(BOT_USER)
        ts = f"{1_800_000_000 + next(self._ids)}.000100"
        self.posted.append(Posted(channel, ts, message.text, list(message.blocks), thread_ts))
        return MessageRef(channel, ts)

    async def update(self, ref: MessageRef, message: Message) -> None:
        self._enter("chat.update", channel=ref.channel, ts=ref.ts, text=message.text)
        found = self._message("chat.update", ref)
        found.text, found.blocks = message.text, list(message.blocks)

    async def delete(self, ref: MessageRef) -> None:
        self._enter("chat.delete", channel=ref.channel, ts=ref.ts)
        for message in self.posted:
            if (message.channel, message.ts) == (ref.channel, ref.ts):
                message.deleted = True

    async def delete_file(self, file_id: str) -> None:
        self._enter("files.delete", file=file_id)
        self.files.pop(file_id, None)

    async def pin(self, ref: MessageRef) -> None:
        self._enter("pins.add", channel=ref.channel, timestamp=ref.ts)
        self._message("pins.add", ref).pinned = True

    async def add_reaction(self, ref: MessageRef, name: str) -> None:
        """As the real gateway: a reaction already there is no failure."""
        self._enter("reactions.add", channel=ref.channel, timestamp=ref.ts, name=name)
        self.reactions.add((ref.channel, ref.ts, name))

    async def remove_reaction(self, ref: MessageRef, name: str) -> None:
        """As the real gateway: a reaction never added is no failure."""
        self._enter("reactions.remove", channel=ref.channel, timestamp=ref.ts, name=name)
        self.reactions.discard((ref.channel, ref.ts, name))

    async def archive(self, channel_id: str) -> None:
        self._enter("conversations.archive", channel=channel_id)
        self._channel("conversations.archive", channel_id).archived = True

    async def set_topic(self, channel_id: str, topic: str) -> None:
        self._enter("conversations.setTopic", channel=channel_id, topic=topic)
        self._channel("conversations.setTopic", channel_id).topic = topic

    async def open_view(self, trigger_id: str, view: dict[str, Any]) -> None:
        self._enter("views.open", trigger_id=trigger_id)
        self.views.append(view)

    async def publish_home(self, user_id: str, view: dict[str, Any]) -> None:
        self._enter("views.publish", user_id=user_id)
        self.homes[user_id] = view

    async def whisper(self, channel_id: str, user_id: str, message: Message) -> None:
        self._enter("chat.postEphemeral", channel=channel_id, user=user_id)
        channel = self.channels.get(channel_id)
        if channel is None or user_id not in channel.members:
            await self.dm(user_id, message)
            return
        self.notes.append(Note(user_id, message.text, f"ephemeral:{channel_id}"))

    async def upload(
        self,
        channel_id: str,
        *,
        filename: str,
        content: str,
        title: str,
        thread_ts: str | None = None,
    ) -> str:
        self._enter("files.completeUploadExternal", channel=channel_id, filename=filename)
        file_id = f"F{next(self._ids):08d}"
        self.files[file_id] = {"channel": channel_id, "name": filename, "content": content}
        return file_id

    async def respond(
        self, response_url: str, message: Message, *, replace_original: bool = False
    ) -> None:
        self._enter("response_url", url=response_url, replace_original=replace_original)
        self.notes.append(Note(None, message.text, response_url))
