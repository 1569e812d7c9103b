"""Every Slack Web API call Warroom makes, and the one place their errors are handled.

Calls go through the SDK client, whose retry handlers already waited out 429s
and retried 5xx and dropped connections; whatever still fails arrives here and
leaves as a `SlackFailure` naming the method and Slack's error code.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from warroom.domain.people import Person
from warroom.domain.room_adoption import ExistingChannel
from warroom.slack.client import build_webhook, close_pool, pool_connections
from warroom.slack.errors import SlackFailure
from warroom.slack.message import Message
from warroom.slack.signin import OpenIdTokens, SlackIdentity, identity_from
from warroom.slack.users import person_from

__all__ = [
    "BotIdentity",
    "ChannelRef",
    "InviteProblem",
    "MessageRef",
    "SlackCallObserver",
    "SlackGateway",
]

_UPLOAD_STATUS = re.compile(r"\(status: (\d{3})\b")
"""files_upload_v2 reports a refused upload (after its retries) only in its message."""

INVITE_BATCH = 100
LOOKUP_PAGE = 200
LOOKUP_PAGES = 10
MEMBER_PAGE = 1000
MEMBER_PAGES = 50
USER_PAGE = 200
"""users.list asks for pages this big (Slack suggests at most 200)."""
USER_PAGES = 50
_HARMLESS_INVITE_ERRORS = {"already_in_channel", "cant_invite_self"}

SlackCallObserver = Callable[[str, str | None, float], None]
"""Told of every Slack call as it ends: the method (`response_url` for an answer
posted there), Slack's error code or None, and the seconds it took (the SDK's
retries included). The runtime passes the metrics' recorder."""


def _unobserved(_method: str, _error: str | None, _seconds: float) -> None:
    return None


_T = TypeVar("_T")


@dataclass(frozen=True)
class ChannelRef:
    id: str
    name: str


@dataclass(frozen=True)
class BotIdentity:
    """Who Warroom is in Slack (auth.test): its bot user, the author of all it posts."""

    user_id: str
    bot_id: str


@dataclass(frozen=True)
class MessageRef:
    channel: str
    ts: str


@dataclass(frozen=True)
class InviteProblem:
    user_id: str
    error: str


class SlackGateway:
    def __init__(self, client: AsyncWebClient, *, observe: SlackCallObserver = _unobserved) -> None:
        self.client = client
        self._identity: BotIdentity | None = None
        self._observe = observe

    async def close(self) -> None:
        await close_pool(self.client)

    async def _observed(self, method: str, work: Awaitable[_T]) -> _T:
        started = time.perf_counter()
        try:
            result = await work
        except SlackFailure as failure:
            self._observe(method, failure.error, time.perf_counter() - started)
            raise
        self._observe(method, None, time.perf_counter() - started)
        return result

    async def _call(self, method: str, call: Awaitable[Any]) -> dict[str, Any]:
        return await self._observed(method, self._send(method, call))

    async def _send(self, method: str, call: Awaitable[Any]) -> dict[str, Any]:
        pool_connections(self.client)  # before `call` starts: it reads client.session
        try:
            response = await call
        except SlackApiError as exc:
            error = exc.response.get("error") if exc.response is not None else None
            status = exc.response.status_code if exc.response is not None else 0
            raise SlackFailure(method, str(error or f"http_{status}")) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise SlackFailure(method, "unreachable") from exc
        except SlackRequestError as exc:
            status_seen = _UPLOAD_STATUS.search(str(exc))
            error = f"http_{status_seen.group(1)}" if status_seen else "request_failed"
            raise SlackFailure(method, error) from exc
        data: dict[str, Any] = response.data if isinstance(response.data, dict) else {}
        return data

    async def auth_test(self) -> dict[str, Any]:
        data = await self._call("auth.test", self.client.auth_test())
        if data.get("user_id"):
            self._identity = BotIdentity(str(data["user_id"]), str(data.get("bot_id") or ""))
        return data

    async def identity(self) -> BotIdentity:
        """Warroom's bot user and bot id, asked once (a failed ask is asked again)."""
        if self._identity is None:
            await self.auth_test()
        if self._identity is None:
            raise SlackFailure("auth.test", "no_bot_user")
        return self._identity

    async def openid_token(
        self, *, client_id: str, client_secret: str, code: str, redirect_uri: str
    ) -> OpenIdTokens:
        """Sign in with Slack: exchange the code Slack sent the browser back with
        (`openid.connect.token`; the client credentials go as HTTP Basic auth)."""
        data = await self._call(
            "openid.connect.token",
            self.client.openid_connect_token(
                client_id=client_id,
                client_secret=client_secret,
                code=code,
                redirect_uri=redirect_uri,
                grant_type="authorization_code",
            ),
        )
        access_token = data.get("access_token")
        if not isinstance(access_token, str) or not access_token:
            raise SlackFailure("openid.connect.token", "no_access_token")
        id_token = data.get("id_token")
        return OpenIdTokens(access_token, id_token if isinstance(id_token, str) else None)

    async def openid_user(self, access_token: str) -> SlackIdentity:
        """Who signed in (`openid.connect.userInfo` with their token, not the bot's)."""
        data = await self._call(
            "openid.connect.userInfo", self.client.openid_connect_userInfo(token=access_token)
        )
        identity = identity_from(data)
        if identity is None:
            raise SlackFailure("openid.connect.userInfo", "no_user_or_team")
        return identity

    async def usergroup_members(self, usergroup: str) -> frozenset[str]:
        """The users in a user group now (`usergroups.users.list`; scope usergroups:read)."""
        data = await self._call(
            "usergroups.users.list", self.client.usergroups_users_list(usergroup=usergroup)
        )
        return frozenset(str(user) for user in data.get("users", []))

    async def user(self, user_id: str) -> Person:
        """Who `user_id` is (`users.info`; scope users:read)."""
        data = await self._call("users.info", self.client.users_info(user=user_id))
        person = person_from(data.get("user") or {})
        if person is None:
            raise SlackFailure("users.info", "user_not_found")
        return person

    async def users(self) -> AsyncIterator[list[Person]]:
        """Everyone in the workspace (`users.list`; scope users:read), a page at a time,
        so a caller looking for a few people can stop once it has them. At most
        USER_PAGES pages."""
        cursor: str | None = None
        for _ in range(USER_PAGES):
            data = await self._call(
                "users.list", self.client.users_list(limit=USER_PAGE, cursor=cursor)
            )
            found = (person_from(user) for user in data.get("members") or [])
            yield [person for person in found if person is not None]
            cursor = (data.get("response_metadata") or {}).get("next_cursor") or None
            if cursor is None:
                return

    async def create_channel(self, name: str, *, private: bool) -> ChannelRef:
        data = await self._call(
            "conversations.create",
            self.client.conversations_create(name=name, is_private=private),
        )
        channel = data["channel"]
        return ChannelRef(id=channel["id"], name=channel["name"])

    async def _listed(
        self, method: str, key: str, page: Callable[[str | None], Awaitable[Any]]
    ) -> AsyncIterator[dict[str, Any]]:
        """The items under `key` of a cursor-paged listing, page by page (at most
        LOOKUP_PAGES pages: these look-ups are for recent, nearby things)."""
        cursor: str | None = None
        for _ in range(LOOKUP_PAGES):
            data = await self._call(method, page(cursor))
            for item in data.get(key, []):
                yield item
            cursor = (data.get("response_metadata") or {}).get("next_cursor") or None
            if cursor is None:
                return

    async def channel_named(self, name: str) -> ExistingChannel | None:
        """The unarchived channel Warroom is in that is called `name`, with who made it
        and when: whoever made it, so the caller must judge whether to trust it.

        Finds a channel an earlier attempt asked for but never heard back about.
        """
        channels = self._listed(
            "users.conversations",
            "channels",
            lambda cursor: self.client.users_conversations(
                types="public_channel,private_channel",
                exclude_archived=True,
                limit=LOOKUP_PAGE,
                cursor=cursor,
            ),
        )
        async for channel in channels:
            if channel.get("name") == name:
                return ExistingChannel(
                    id=str(channel["id"]),
                    name=name,
                    creator=str(channel.get("creator") or ""),
                    created=datetime.fromtimestamp(int(channel.get("created") or 0), UTC),
                    private=bool(channel.get("is_private")),
                )
        return None

    async def channel_members(self, channel_id: str) -> frozenset[str]:
        """Everyone in the channel now (`conversations.members`, every page)."""
        members: set[str] = set()
        cursor: str | None = None
        for _ in range(MEMBER_PAGES):
            data = await self._call(
                "conversations.members",
                self.client.conversations_members(
                    channel=channel_id, limit=MEMBER_PAGE, cursor=cursor
                ),
            )
            members.update(str(user) for user in data.get("members", []))
            cursor = (data.get("response_metadata") or {}).get("next_cursor") or None
            if cursor is None:
                return frozenset(members)
        raise SlackFailure("conversations.members", "too_many_members")

    async def find_own_message(
        self, channel_id: str, block_id: str, *, since: datetime
    ) -> MessageRef | None:
        """A message Warroom itself posted in the channel after `since` carrying a block
        `block_id`; None if there is none, or Warroom is not in the channel (so posted
        nothing there). Another app's message with the same block id is not Warroom's.

        Finds a message an earlier attempt posted but never recorded, so a resumed
        run does not post it twice.
        """
        me = await self.identity()
        messages = self._listed(
            "conversations.history",
            "messages",
            lambda cursor: self.client.conversations_history(
                channel=channel_id,
                oldest=f"{since.timestamp():.6f}",
                limit=LOOKUP_PAGE,
                cursor=cursor,
            ),
        )
        try:
            async for message in messages:
                blocks = message.get("blocks") or []
                if _posted_by(message, me) and any(b.get("block_id") == block_id for b in blocks):
                    return MessageRef(channel=channel_id, ts=str(message["ts"]))
        except SlackFailure as failure:
            if failure.error != "not_in_channel":
                raise
        return None

    async def find_own_reply(
        self, channel_id: str, thread_ts: str, block_id: str
    ) -> MessageRef | None:
        """A reply Warroom itself posted in the thread of `thread_ts` carrying a block
        `block_id`; None if there is none, or Warroom cannot read the channel (so posted
        nothing there). A resumed run looks here before replying a second time."""
        me = await self.identity()
        replies = self._listed(
            "conversations.replies",
            "messages",
            lambda cursor: self.client.conversations_replies(
                channel=channel_id, ts=thread_ts, limit=LOOKUP_PAGE, cursor=cursor
            ),
        )
        try:
            async for message in replies:
                blocks = message.get("blocks") or []
                if _posted_by(message, me) and any(b.get("block_id") == block_id for b in blocks):
                    return MessageRef(channel=channel_id, ts=str(message["ts"]))
        except SlackFailure as failure:
            if failure.error not in {"not_in_channel", "channel_not_found", "thread_not_found"}:
                raise
        return None

    async def permalink(self, channel_id: str, ts: str) -> str:
        """Slack's link to a message (chat.getPermalink); never built by hand."""
        data = await self._call(
            "chat.getPermalink",
            self.client.chat_getPermalink(channel=channel_id, message_ts=ts),
        )
        return str(data.get("permalink") or "")

    async def invite(self, channel_id: str, user_ids: Sequence[str]) -> list[InviteProblem]:
        """Invite in batches of 100, concurrently; per-user refusals are returned, not raised."""
        users = list(dict.fromkeys(user_ids))
        batches = [users[i : i + INVITE_BATCH] for i in range(0, len(users), INVITE_BATCH)]
        results = await asyncio.gather(*(self._invite_batch(channel_id, b) for b in batches))
        return [problem for batch in results for problem in batch]

    async def _invite_batch(self, channel_id: str, users: list[str]) -> list[InviteProblem]:
        try:
            data = await self._call(
                "conversations.invite",
                self.client.conversations_invite(channel=channel_id, users=users, force=True),
            )
        except SlackFailure as failure:
            if failure.error in _HARMLESS_INVITE_ERRORS:
                return []
            if len(users) == 1 and failure.error in {"user_not_found", "cant_invite"}:
                return [InviteProblem(users[0], failure.error)]
            raise
        return [
            InviteProblem(str(e.get("user", "")), str(e.get("error", "")))
            for e in data.get("errors", [])
            if e.get("error") not in _HARMLESS_INVITE_ERRORS
        ]

    async def post(
        self,
        channel: str,
        message: Message,
        *,
        join_if_needed: bool = False,
        thread_ts: str | None = None,
    ) -> MessageRef:
        """Post a message; with `join_if_needed`, join a public channel Warroom is not in."""
        call = self.client.chat_postMessage(
            channel=channel,
            text=message.text,
            blocks=message.blocks,
            thread_ts=thread_ts,
            unfurl_links=False,
        )
        try:
            data = await self._call("chat.postMessage", call)
        except SlackFailure as failure:
            if not (join_if_needed and failure.error == "not_in_channel"):
                raise
            await self._call("conversations.join", self.client.conversations_join(channel=channel))
            return await self.post(channel, message, thread_ts=thread_ts)
        return MessageRef(channel=str(data["channel"]), ts=str(data["ts"]))

    async def update(self, ref: MessageRef, message: Message) -> None:
        await self._call(
            "chat.update",
            self.client.chat_update(
                channel=ref.channel, ts=ref.ts, text=message.text, blocks=message.blocks
            ),
        )

    async def delete(self, ref: MessageRef) -> None:
        """Delete a message Warroom posted; one already gone is no failure."""
        try:
            await self._call("chat.delete", self.client.chat_delete(channel=ref.channel, ts=ref.ts))
        except SlackFailure as failure:
            if failure.error != "message_not_found":
                raise

    async def delete_file(self, file_id: str) -> None:
        """Delete a file Warroom uploaded; one already gone is no failure."""
        try:
            await self._call("files.delete", self.client.files_delete(file=file_id))
        except SlackFailure as failure:
            if failure.error not in {"file_not_found", "file_deleted"}:
                raise

    async def pin(self, ref: MessageRef) -> None:
        try:
            await self._call(
                "pins.add", self.client.pins_add(channel=ref.channel, timestamp=ref.ts)
            )
        except SlackFailure as failure:
            if failure.error != "already_pinned":
                raise

    async def add_reaction(self, ref: MessageRef, name: str) -> None:
        """Warroom's own reaction on a message; one it has there already is no failure."""
        try:
            await self._call(
                "reactions.add",
                self.client.reactions_add(channel=ref.channel, timestamp=ref.ts, name=name),
            )
        except SlackFailure as failure:
            if failure.error != "already_reacted":
                raise

    async def remove_reaction(self, ref: MessageRef, name: str) -> None:
        """Take Warroom's own reaction off a message; one it never added is no failure."""
        try:
            await self._call(
                "reactions.remove",
                self.client.reactions_remove(channel=ref.channel, timestamp=ref.ts, name=name),
            )
        except SlackFailure as failure:
            if failure.error != "no_reaction":
                raise

    async def archive(self, channel_id: str) -> None:
        try:
            await self._call(
                "conversations.archive", self.client.conversations_archive(channel=channel_id)
            )
        except SlackFailure as failure:
            if failure.error != "already_archived":
                raise

    async def set_topic(self, channel_id: str, topic: str) -> None:
        await self._call(
            "conversations.setTopic",
            self.client.conversations_setTopic(channel=channel_id, topic=topic),
        )

    async def open_view(self, trigger_id: str, view: dict[str, Any]) -> None:
        await self._call("views.open", self.client.views_open(trigger_id=trigger_id, view=view))

    async def update_view(
        self, view_id: str, view: dict[str, Any], *, view_hash: str | None = None
    ) -> None:
        """Replace an open modal; with `view_hash`, only if nobody changed it meanwhile."""
        await self._call(
            "views.update",
            self.client.views_update(view_id=view_id, view=view, hash=view_hash),
        )

    async def publish_home(self, user_id: str, view: dict[str, Any]) -> None:
        """Publish `view` (type `home`) as `user_id`'s App Home tab."""
        await self._call("views.publish", self.client.views_publish(user_id=user_id, view=view))

    async def whisper(self, channel_id: str, user_id: str, message: Message) -> None:
        """An ephemeral note to one person in a channel; a DM if they can't get one there."""
        try:
            await self._call(
                "chat.postEphemeral",
                self.client.chat_postEphemeral(
                    channel=channel_id, user=user_id, text=message.text, blocks=message.blocks
                ),
            )
        except SlackFailure as failure:
            if failure.error not in {"user_not_in_channel", "channel_not_found"}:
                raise
            await self.dm(user_id, message)

    async def upload(
        self,
        channel_id: str,
        *,
        filename: str,
        content: str,
        title: str,
        thread_ts: str | None = None,
    ) -> str:
        """Share a text file in a channel (Slack's external upload flow); returns its file id."""
        data = await self._call(
            "files.completeUploadExternal",
            self.client.files_upload_v2(
                channel=channel_id,
                filename=filename,
                content=content,
                title=title,
                thread_ts=thread_ts,
            ),
        )
        file = data.get("file") or (data.get("files") or [{}])[0]
        return str(file.get("id", ""))

    async def dm(self, user_id: str, message: Message) -> MessageRef:
        return await self.post(user_id, message)

    async def respond(
        self, response_url: str, message: Message, *, replace_original: bool = False
    ) -> None:
        """Answer through a response_url: ephemeral, needs no token, works in any channel."""
        await self._observed(
            "response_url", self._respond(response_url, message, replace_original=replace_original)
        )

    async def _respond(
        self, response_url: str, message: Message, *, replace_original: bool
    ) -> None:
        pool_connections(self.client)
        webhook = build_webhook(
            response_url, timeout=self.client.timeout, session=self.client.session
        )
        try:
            response = await webhook.send(
                text=message.text,
                blocks=message.blocks,
                response_type="ephemeral",
                replace_original=replace_original,
            )
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise SlackFailure("response_url", "unreachable") from exc
        if response.status_code != 200:
            raise SlackFailure("response_url", response.body or f"http_{response.status_code}")

    async def tell(
        self,
        user_id: str,
        message: Message,
        *,
        response_url: str | None,
        replace_original: bool = False,
    ) -> None:
        """Reach one person privately: through the response_url if there is one, else by DM."""
        if response_url:
            try:
                await self.respond(response_url, message, replace_original=replace_original)
                return
            except SlackFailure:
                pass
        await self.dm(user_id, message)


def _posted_by(message: dict[str, Any], me: BotIdentity) -> bool:
    """Slack sets `user` (and `bot_id`) on a message to its poster; nobody else can."""
    if message.get("user"):
        return bool(message["user"] == me.user_id)
    return bool(me.bot_id) and message.get("bot_id") == me.bot_id
