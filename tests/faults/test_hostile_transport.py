"""Nothing unsigned costs Warroom anything: each attack replayed against a real `warroom serve`.

Before: the body was read whole, parsed and logged before the signature was
checked (a 105 MB POST stalled everyone for 21 s and wrote a 105 MB log line;
malformed unsigned bodies got 500 with a traceback; a newline in a body wrote
a log line of its own), and a half-sent request held its connection forever.
The child runs with a short read timeout so the slow attacks finish quickly.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import resource
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from fakeslack import FakeSlack, SlackSender, block_actions, sign, slash_command
from fakeslack.hostile_client import (
    head,
    open_half_sent,
    read_status,
    stream_body,
)
from fakeslack.serve_process import ServeProcess
from tests.faults.child import child_env
from tests.faults.test_signatures import forged
from tests.harness import SIGNING_SECRET, TEAM_ID, WAIT_S
from warroom.demo.slack.sender import USER_AGENT
from warroom.web.bounded_body import MAX_BODY_BYTES
from warroom.web.http_protocol import MAX_HEADER_BYTES

READ_TIMEOUT_S = 0.5
MARKER = "ZQXBODYMARKER"
FORGED_LINE = "2026-01-01 00:00:00,000 ERROR warroom: FORGED"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
async def served(
    database_url: str, tmp_path: Path
) -> AsyncIterator[tuple[ServeProcess, FakeSlack]]:
    async with FakeSlack() as slack:
        env = child_env(
            slack, database_url, REQUEST_READ_TIMEOUT=str(READ_TIMEOUT_S), LOG_LEVEL="DEBUG"
        )
        async with ServeProcess(env, tmp_path) as server:
            yield server, slack


async def _send(server: ServeProcess, body: bytes, headers: dict[str, str]) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    framing = {"Content-Length": str(len(body)), "Connection": "close"}
    writer.write(head({**framing, **headers}) + body)
    await writer.drain()
    try:
        async with asyncio.timeout(WAIT_S):
            return await read_status(reader)
    finally:
        writer.close()


def _signed(body: bytes, content_type: str = FORM) -> dict[str, str]:
    return {"Content-Type": content_type, **sign(SIGNING_SECRET, body, int(time.time()))}


async def _fresh_command(server: ServeProcess, slack: FakeSlack) -> int:
    body, content_type = slash_command(
        "help",
        user_id="U1",
        team_id=TEAM_ID,
        channel_id=slack.add_channel(f"fresh-{time.monotonic_ns()}"),
        response_url=slack.response_url("fresh"),
    )
    async with SlackSender() as sender:  # a connection of its own
        status, _ = await sender.post(
            server.events_url, body, content_type, signing_secret=SIGNING_SECRET
        )
    return status


def _no_harm_logged(log: str) -> None:
    assert "Traceback" not in log, log[-3000:]
    assert "Exception in ASGI application" not in log, log[-3000:]


async def test_a_declared_gigabyte_is_refused_before_a_byte_of_it_is_read(
    served: tuple[ServeProcess, FakeSlack],
) -> None:
    server, _ = served
    rss_before = server.rss_bytes()
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(head({"Content-Type": FORM, "Content-Length": str(1 << 30)}))
    await writer.drain()

    async with asyncio.timeout(WAIT_S):
        status = await read_status(reader)  # returns only once the server closed

    writer.close()
    assert status == 413
    assert server.rss_bytes() < rss_before + 10 * 1024 * 1024
    _no_harm_logged(server.log())


async def test_a_chunked_body_growing_past_the_cap_is_refused_while_streaming(
    served: tuple[ServeProcess, FakeSlack],
) -> None:
    server, _ = served
    headers = {"Content-Type": FORM, **sign(SIGNING_SECRET, b"", int(time.time()))}

    async with asyncio.timeout(WAIT_S):
        result = await stream_body(server.port, headers, total_bytes=1 << 30, chunked=True)

    assert result.status == 413
    # What the server read is the cap; the rest is what sat in socket buffers.
    assert result.bytes_sent < MAX_BODY_BYTES + 16 * 1024 * 1024
    _no_harm_logged(server.log())


async def test_a_body_at_the_cap_is_still_read(served: tuple[ServeProcess, FakeSlack]) -> None:
    server, _ = served
    body = b"text=" + b"a" * (MAX_BODY_BYTES - 5)
    assert await _send(server, body, {"Content-Type": FORM}) == 401  # read, then not signed


async def test_headers_that_never_end_are_refused_past_64_kb(
    served: tuple[ServeProcess, FakeSlack],
) -> None:
    server, _ = served
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"POST /slack/events HTTP/1.1\r\nHost: warroom\r\n")
    sent = 0
    answer = asyncio.create_task(read_status(reader))
    with contextlib.suppress(ConnectionError):
        while not answer.done() and sent < 64 * MAX_HEADER_BYTES:
            writer.write(b"X-Pad: " + b"a" * 8000 + b"\r\n")
            sent += 8009
            await writer.drain()
            await asyncio.sleep(0)  # let the answer be read as soon as it comes

    async with asyncio.timeout(WAIT_S):
        assert await answer == 431
    writer.close()
    assert sent < 64 * MAX_HEADER_BYTES, "refused while the headers were still coming"
    _no_harm_logged(server.log())


MALFORMED: dict[str, tuple[bytes, str, int]] = {
    # what it is: (body, content type, the answer once it is signed)
    "bad JSON": (b'{"type": "event_callback", ', "application/json", 400),
    "JSON list": (b"[1, 2, 3]", "application/json", 400),
    "JSON string": (b'"event_callback"', "application/json", 400),
    "bad form": (b"%%%&&==&payload", FORM, 400),
    "payload not JSON": (b"payload=%7Bnot-json", FORM, 400),
    "payload a JSON list": (b"payload=%5B1%5D", FORM, 400),
    "not UTF-8": (b"text=\xff\xfe\xfd", FORM, 401),  # Slack signs text; this is not
    "not UTF-8 JSON": (b'{"type": "\xff"}', "application/json", 401),
    "empty": (b"", FORM, 404),
}


async def test_malformed_bodies_get_401_unsigned_and_400_signed_never_500(
    served: tuple[ServeProcess, FakeSlack],
) -> None:
    server, _ = served
    answers: dict[tuple[str, str], int] = {}
    for case, (body, content_type, _) in MALFORMED.items():
        for way, (sent, headers) in forged(body, content_type).items():
            answers[case, way] = await _send(server, sent, headers)
        answers[case, "signed"] = await _send(server, body, _signed(body, content_type))

    expected = {
        (case, way): signed if way == "signed" else 401
        for case, (body, content_type, signed) in MALFORMED.items()
        for way in [*forged(body, content_type), "signed"]
    }
    assert answers == expected
    log = server.log()
    assert log.count("without a valid signature") == 1, "the first refusal, then one a minute"
    _no_harm_logged(log)


async def test_strange_signature_headers_get_401(served: tuple[ServeProcess, FakeSlack]) -> None:
    server, _ = served
    body = b"text=hi"
    good = sign(SIGNING_SECRET, body, int(time.time()))
    strange = {
        "timestamp with underscores": {**good, "X-Slack-Request-Timestamp": "1_700_000_000"},
        "timestamp with a sign": {**good, "X-Slack-Request-Timestamp": "+1700000000"},
        "huge timestamp": {**good, "X-Slack-Request-Timestamp": "9" * 400},
        "non-ASCII signature": {**good, "X-Slack-Signature": "v0=é" + "0" * 63},
        "empty signature": {**good, "X-Slack-Signature": ""},
    }
    for way, headers in strange.items():
        assert await _send(server, body, {"Content-Type": FORM, **headers}) == 401, way
    _no_harm_logged(server.log())


def _requests_carrying(text: str) -> list[tuple[bytes, dict[str, str]]]:
    command, _ = slash_command(
        text, user_id="U1", team_id=TEAM_ID, channel_id="C0NOWHERE1", response_url=""
    )
    unknown_click, _ = block_actions(
        f"no_such_action {text}", text, user_id="U1", team_id=TEAM_ID, channel_id="C0NOWHERE1"
    )
    bad_json = f'{{"text": "{text}"'.encode()
    odd_type = json.dumps({"type": text, "team": {"id": TEAM_ID}}).encode()
    unsigned = {"Content-Type": FORM, "User-Agent": USER_AGENT}
    return [
        (command, unsigned),  # refused: not signed
        (command, {**unsigned, **sign("another secret", command, int(time.time()))}),
        (command, _signed(command)),  # taken: /incident <text> is an unknown subcommand
        (unknown_click, _signed(unknown_click)),  # no listener takes it
        (odd_type, _signed(odd_type, "application/json")),  # nor this, of a kind it names
        (bad_json, _signed(bad_json, "application/json")),  # signed, malformed
        (bad_json, {"Content-Type": "application/json"}),
    ]


async def test_no_log_line_holds_a_request_body(served: tuple[ServeProcess, FakeSlack]) -> None:
    """At LOG_LEVEL=DEBUG, the most a log says."""
    server, _ = served
    statuses = [
        await _send(server, body, headers)
        for body, headers in _requests_carrying(f"{MARKER} secret words")
    ]

    assert statuses == [401, 401, 200, 404, 404, 400, 401]
    log = server.log()
    assert MARKER not in log
    assert "no listener took a Slack block_actions request" in log  # what is said instead
    assert "no listener took a Slack unknown request" in log
    _no_harm_logged(log)


async def test_a_line_break_in_a_request_cannot_forge_a_log_line(
    served: tuple[ServeProcess, FakeSlack],
) -> None:
    server, _ = served
    text = f"x\n{FORGED_LINE}\r\n{FORGED_LINE}\u2028{FORGED_LINE}\x1b[2K"
    for body, headers in _requests_carrying(text):
        await _send(server, body, headers)
    await _send(server, b"", {"Content-Type": f"{FORM}\x0b{FORGED_LINE}"})

    lines = server.log().splitlines()
    assert not [line for line in lines if line.startswith(FORGED_LINE)]
    assert not [line for line in lines if "\x1b" in line]
    _no_harm_logged(server.log())


async def test_half_open_connections_are_cut_and_do_not_hold_up_fresh_requests(
    served: tuple[ServeProcess, FakeSlack],
) -> None:
    server, slack = served
    held = [
        await open_half_sent(server.port, stage)
        for stage in ("nothing", "headers", "body")
        for _ in range(100)
    ]
    try:
        assert await _fresh_command(server, slack) == 200  # while all 300 are held

        async with asyncio.timeout(WAIT_S):
            answers = await asyncio.gather(*(connection.cut() for connection in held))
    finally:
        for connection in held:
            connection.close()

    # Unfinished headers: closed without a word. Unfinished body: told 408.
    assert answers == [0] * 200 + [408] * 100
    _no_harm_logged(server.log())


async def test_a_flood_past_the_open_file_limit_clears_within_the_read_timeout(
    served: tuple[ServeProcess, FakeSlack],
) -> None:
    """The lock-out as it happened: each half-sent request held a file descriptor
    forever, and once the process had none left no one else got in. Now each is cut
    after the read timeout, and the next request is answered."""
    server, slack = served
    limit = 128
    resource.prlimit(server.pid, resource.RLIMIT_NOFILE, (limit, limit))
    held = [await open_half_sent(server.port, "headers") for _ in range(limit + 50)]
    try:
        async with asyncio.timeout(WAIT_S):
            await asyncio.gather(*(connection.cut() for connection in held))
            assert await _fresh_command(server, slack) == 200, server.log()[-3000:]
    finally:
        for connection in held:
            connection.close()
