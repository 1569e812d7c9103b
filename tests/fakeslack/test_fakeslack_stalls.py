"""Held calls: applied only when released, and never if their caller went away."""

from __future__ import annotations

import asyncio

import aiohttp

from fakeslack import FakeSlack


async def post(slack: FakeSlack, http: aiohttp.ClientSession, channel: str, text: str) -> object:
    headers = {"Authorization": f"Bearer {slack.token}"}
    data = {"channel": channel, "text": text}
    async with http.post(f"{slack.api_url}chat.postMessage", data=data, headers=headers) as reply:
        return (await reply.json())["ok"]


async def test_a_held_call_waits_for_release_then_is_applied() -> None:
    async with FakeSlack() as slack, aiohttp.ClientSession() as http:
        channel = slack.add_channel("general", members=[slack.bot_user_id])
        slack.stalls.arm("chat.postMessage")
        sent = asyncio.create_task(post(slack, http, channel, "held"))
        await slack.stalls.held(1)
        assert slack.messages(channel) == [] and not sent.done()
        slack.stalls.release()
        assert await sent is True
        assert [m["text"] for m in slack.messages(channel)] == ["held"]
        assert await post(slack, http, channel, "not held") is True


async def test_a_held_call_whose_caller_died_is_dropped() -> None:
    async with FakeSlack() as slack:
        channel = slack.add_channel("general", members=[slack.bot_user_id])
        slack.stalls.arm("chat.postMessage")
        http = aiohttp.ClientSession()
        sent = asyncio.create_task(post(slack, http, channel, "lost"))
        await slack.stalls.held(1)
        sent.cancel()
        await http.close()
        await asyncio.sleep(0.1)
        slack.stalls.release()
        async with asyncio.timeout(5):
            while slack.stalls.dropped < 1:  # noqa: ASYNC110 -- the stand-in signals no drop
                await asyncio.sleep(0.01)
        assert slack.messages(channel) == [] and slack.stalls.dropped == 1
        assert slack.calls_to("chat.postMessage") == []
