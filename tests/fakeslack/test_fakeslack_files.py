"""files.getUploadURLExternal / upload URL / files.completeUploadExternal against the fake,
driven by the real AsyncWebClient.files_upload_v2."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from fakeslack import FakeSlack
from warroom.demo.slack.api_files import ALT_TXT_MAX, SNIPPET_MAX_BYTES, UPLOAD_METHOD


async def _failure(call: object) -> dict[str, Any]:
    with pytest.raises(SlackApiError) as raised:
        await call  # type: ignore[misc]
    return dict(raised.value.response.data)


@pytest.fixture
def room(fake: FakeSlack) -> str:
    return fake.add_channel("inc-1", members=[fake.bot_user_id, "U1"])


async def _ticket(client: AsyncWebClient, length: int, filename: str = "a.txt") -> tuple[str, str]:
    answer = await client.files_getUploadURLExternal(filename=filename, length=length)
    return str(answer["file_id"]), str(answer["upload_url"])


async def _post(url: str, **kwargs: Any) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.post(url, **kwargs) as response:
        return response.status, await response.text()


# -- the happy path -----------------------------------------------------------


async def test_upload_v2_str_content_shares_into_channel(
    client: AsyncWebClient, fake: FakeSlack, room: str
) -> None:
    answer = await client.files_upload_v2(
        channel=room,
        content="14:02 paged\n14:05 acked\n",
        filename="timeline.txt",
        title="Timeline",
        initial_comment="Incident timeline attached",
    )
    file_id = answer["file"]["id"]
    assert file_id.startswith("F")
    assert answer["file"]["title"] == "Timeline" and answer["file"]["name"] == "timeline.txt"
    assert answer["file"]["channels"] == [room] and answer["file"]["size"] == 24

    stored = fake.file(file_id)
    assert stored is not None
    assert stored["content"] == "14:02 paged\n14:05 acked\n"
    assert stored["data"] == b"14:02 paged\n14:05 acked\n"
    assert (stored["name"], stored["title"], stored["channels"]) == (
        "timeline.txt",
        "Timeline",
        [room],
    )

    [message] = fake.messages(room)
    assert message["text"] == "Incident timeline attached"
    assert message["user"] == fake.bot_user_id
    [shared] = message["files"]
    assert (shared["id"], shared["name"], shared["title"]) == (file_id, "timeline.txt", "Timeline")
    assert stored["shares"] == [{"channel": room, "ts": message["ts"]}]

    methods = [call.method for call in fake.calls]
    assert methods == ["files.getUploadURLExternal", UPLOAD_METHOD, "files.completeUploadExternal"]
    upload = fake.calls_to(UPLOAD_METHOD)[0]
    assert upload.ok and upload.args["file_id"] == file_id and upload.args["length"] == 24
    assert upload.response["body"] == "OK - 24"
    ticket = fake.calls_to("files.getUploadURLExternal")[0]
    assert ticket.args["filename"] == "timeline.txt" and ticket.args["length"] == "24"
    assert ticket.response["upload_url"] == f"{fake.base_url}/upload/{file_id}"
    complete = fake.calls_to("files.completeUploadExternal")[0]
    assert complete.args["files"] == [{"id": file_id, "title": "Timeline"}]
    assert complete.args["channel_id"] == room


async def test_upload_v2_bytes_content_defaults_title_to_filename(
    client: AsyncWebClient, fake: FakeSlack, room: str
) -> None:
    data = bytes(range(256))
    answer = await client.files_upload_v2(channel=room, content=data, filename="dump.bin")
    stored = fake.file(answer["file"]["id"])
    assert stored is not None and stored["data"] == data and stored["length"] == 256
    assert stored["title"] == "dump.bin"
    [message] = fake.messages(room)
    assert message["text"] == "" and message["files"][0]["title"] == "dump.bin"


async def test_upload_v2_in_thread(client: AsyncWebClient, fake: FakeSlack, room: str) -> None:
    parent = await client.chat_postMessage(channel=room, text="SEV1 timeline")
    answer = await client.files_upload_v2(
        channel=room,
        content="log",
        filename="log.txt",
        initial_comment="logs",
        thread_ts=parent["ts"],
    )
    reply = fake.messages(room)[-1]
    assert reply["thread_ts"] == parent["ts"] and reply["text"] == "logs"
    assert reply["files"][0]["id"] == answer["file"]["id"]
    stored_parent = fake.message(room, parent["ts"])
    assert stored_parent is not None and stored_parent["reply_count"] == 1
    stored = fake.file(answer["file"]["id"])
    assert stored is not None and stored["shares"][0]["thread_ts"] == parent["ts"]
    share = answer["file"]["shares"]["public"][room][0]
    assert share["ts"] == reply["ts"] and share["thread_ts"] == parent["ts"]


async def test_upload_v2_without_channel_keeps_file_private(
    client: AsyncWebClient, fake: FakeSlack, room: str
) -> None:
    answer = await client.files_upload_v2(content="secret", filename="notes.md")
    stored = fake.file(answer["file"]["id"])
    assert stored is not None and stored["completed"] and stored["channels"] == []
    assert answer["file"]["channels"] == [] and answer["file"]["filetype"] == "markdown"
    assert fake.messages(room) == []


async def test_upload_v2_several_files_one_message(
    client: AsyncWebClient, fake: FakeSlack, room: str
) -> None:
    answer = await client.files_upload_v2(
        channel=room,
        initial_comment="artifacts",
        file_uploads=[
            {"content": "a", "filename": "a.txt", "title": "A"},
            {"content": b"bb", "filename": "b.txt"},
        ],
    )
    ids = [f["id"] for f in answer["files"]]
    [message] = fake.messages(room)
    assert [f["id"] for f in message["files"]] == ids
    assert [f["title"] for f in message["files"]] == ["A", "b.txt"]
    assert len(fake.calls_to(UPLOAD_METHOD)) == 2


async def test_complete_to_user_opens_dm(client: AsyncWebClient, fake: FakeSlack) -> None:
    answer = await client.files_upload_v2(channels=["U77"], content="hi", filename="hi.txt")
    dm = fake.dm_channel("U77")
    assert dm is not None and answer["file"]["ims"] == [dm]
    assert fake.messages(dm)[0]["files"][0]["id"] == answer["file"]["id"]


async def test_multipart_upload_is_accepted(client: AsyncWebClient, fake: FakeSlack) -> None:
    file_id, url = await _ticket(client, 5)
    form = aiohttp.FormData()
    form.add_field("note", "ignored")
    form.add_field("file", b"hello", filename="a.txt")
    assert await _post(url, data=form) == (200, "OK - 5")
    stored = fake.file(file_id)
    assert stored is not None and stored["content"] == "hello" and stored["uploaded"]


# -- errors -------------------------------------------------------------------


async def test_get_upload_url_argument_errors(client: AsyncWebClient, fake: FakeSlack) -> None:
    method = "files.getUploadURLExternal"
    missing = await _failure(client.api_call(method, params={"length": 3}))
    assert missing["error"] == "invalid_arguments"
    assert missing["response_metadata"]["messages"] == ["[ERROR] missing required field: filename"]
    no_length = await _failure(client.api_call(method, params={"filename": "a.txt"}))
    assert no_length["error"] == "invalid_arguments"
    assert "length" in no_length["response_metadata"]["messages"][0]
    for bad in ("abc", -1):
        wrong = await _failure(client.api_call(method, params={"filename": "a", "length": bad}))
        assert wrong["error"] == "invalid_arguments"
    zero = await _failure(client.files_getUploadURLExternal(filename="a.txt", length=0))
    assert zero["error"] == "missing_argument"
    big = await _failure(
        client.files_getUploadURLExternal(
            filename="a.py", length=SNIPPET_MAX_BYTES + 1, snippet_type="python"
        )
    )
    assert big["error"] == "snippet_too_large"
    alt = await _failure(
        client.files_getUploadURLExternal(
            filename="a.png", length=3, alt_txt="x" * (ALT_TXT_MAX + 1)
        )
    )
    assert alt["error"] == "alt_txt_too_large"
    assert not any(call.ok for call in fake.calls)


async def test_upload_checks_length_and_ticket(client: AsyncWebClient, fake: FakeSlack) -> None:
    file_id, url = await _ticket(client, 5)
    status, text = await _post(url, data=b"toolong")
    assert status == 400 and "length_mismatch" in text
    unknown_answer = await _post(f"{fake.base_url}/upload/F999", data=b"x")
    assert unknown_answer == (404, "file_not_found: unknown upload: F999")
    [mismatch, unknown] = fake.calls_to(UPLOAD_METHOD)
    assert not mismatch.ok and mismatch.response["error"] == "length_mismatch"
    assert unknown.status == 404 and unknown.response["error"] == "file_not_found"
    stored = fake.file(file_id)
    assert stored is not None and not stored["uploaded"] and stored["content"] is None
    assert fake.file("F999") is None


async def test_complete_rejects_unknown_or_unuploaded_files(
    client: AsyncWebClient, fake: FakeSlack, room: str
) -> None:
    unknown = await _failure(client.files_completeUploadExternal(files=[{"id": "F404"}]))
    assert unknown["error"] == "file_not_found"
    file_id, _ = await _ticket(client, 3)
    pending = await _failure(
        client.files_completeUploadExternal(files=[{"id": file_id}], channel_id=room)
    )
    assert pending["error"] == "file_not_found"
    assert fake.messages(room) == []

    done = await client.files_upload_v2(content="abc", filename="a.txt")
    again = await _failure(client.files_completeUploadExternal(files=[{"id": done["file"]["id"]}]))
    assert again["error"] == "file_not_found"
    # An upload URL stops taking bytes once its file is completed.
    late = await _post(f"{fake.base_url}/upload/{done['file']['id']}", data=b"abc")
    assert late == (400, "already_completed: upload was already completed")


async def test_complete_argument_errors(client: AsyncWebClient) -> None:
    method = "files.completeUploadExternal"
    missing = await _failure(client.api_call(method, params={}))
    assert missing["error"] == "invalid_arguments"
    assert missing["response_metadata"]["messages"] == ["[ERROR] missing required field: files"]
    for files in ("not json", json.dumps([]), json.dumps([{"title": "no id"}])):
        bad = await _failure(client.api_call(method, params={"files": files}))
        assert bad["error"] == "invalid_arguments"


async def test_complete_channel_errors(client: AsyncWebClient, fake: FakeSlack, room: str) -> None:
    outside = fake.add_channel("random", members=["U1"])
    secret = fake.add_channel("secret", is_private=True, members=["U1"])
    archived = fake.add_channel("old", members=[fake.bot_user_id], archived=True)
    expected = {
        "C404": "channel_not_found",
        secret: "channel_not_found",
        outside: "not_in_channel",
        archived: "posting_to_channel_denied",
    }
    for channel, error in expected.items():
        failed = await _failure(client.files_upload_v2(channel=channel, content="x", filename="x"))
        assert failed["error"] == error, channel
    invalid = await _failure(client.files_upload_v2(channels=["C404"], content="x", filename="x"))
    assert invalid["error"] == "invalid_channel"
    too_many = await _failure(
        client.files_upload_v2(channels=[room] * 101, content="x", filename="x")
    )
    assert too_many["error"] == "channels_limit_exceeded"
    other = fake.add_channel("inc-2", members=[fake.bot_user_id])
    threaded = await _failure(
        client.files_upload_v2(channels=[room, other], content="x", filename="x", thread_ts="1.2")
    )
    assert threaded["error"] == "invalid_arguments"
    # Nothing was shared, and the rejected files stay uploaded but incomplete.
    assert fake.messages(room) == [] and fake.messages(other) == []
    ticket = fake.calls_to("files.getUploadURLExternal")[0]
    stored = fake.file(ticket.response["file_id"])
    assert stored is not None and stored["uploaded"] and not stored["completed"]


async def test_upload_faults_surface_as_request_errors(
    client: AsyncWebClient, fake: FakeSlack, room: str
) -> None:
    fake.server_error(UPLOAD_METHOD, status=503)
    with pytest.raises(SlackRequestError, match="status: 503"):
        await client.files_upload_v2(channel=room, content="x", filename="x.txt")
    assert fake.calls_to("files.completeUploadExternal") == []
    fake.fail("files.completeUploadExternal", "file_update_failed")
    failed = await _failure(client.files_upload_v2(channel=room, content="x", filename="x.txt"))
    assert failed["error"] == "file_update_failed"
    calls = await fake.wait_for(UPLOAD_METHOD, count=2)
    assert [call.status for call in calls] == [503, 200]
