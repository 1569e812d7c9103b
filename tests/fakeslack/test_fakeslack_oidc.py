"""Sign in with Slack on the stand-in: the authorize page, `openid.connect.token` and
`openid.connect.userInfo`, called the way slack_sdk calls them, held to the shapes and
error codes in refs/slack-oidc/."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from fakeslack import FakeSlack
from warroom.demo.slack.server import SlackStandIn
from warroom.slack.gateway import SlackGateway
from warroom.slack.signin import authorize_url, id_token_claims

REDIRECT = "https://warroom.test/ui/auth/callback"


async def _authorize(fake: SlackStandIn, **query: str) -> tuple[int, str]:
    """Visit the authorize page; (status, Location or page text)."""
    params = {
        "response_type": "code",
        "client_id": fake.oidc_client_id,
        "scope": "openid,email,profile",
        "redirect_uri": REDIRECT,
        "state": "st-1",
        "nonce": "n-1",
        **query,
    }
    url = f"{fake.oidc_authorize_url}?{urlencode(params)}"
    async with aiohttp.ClientSession() as http, http.get(url, allow_redirects=False) as answer:
        return answer.status, answer.headers.get("Location") or await answer.text()


async def _code(fake: SlackStandIn, **query: str) -> str:
    status, location = await _authorize(fake, **query)
    assert status == 302, location
    return parse_qs(urlsplit(location).query)["code"][0]


def _token_call(client: AsyncWebClient, fake: FakeSlack, the_code: str, **overrides: str) -> Any:
    args = {
        "client_id": fake.oidc_client_id,
        "client_secret": fake.oidc_client_secret,
        "code": the_code,
        "redirect_uri": REDIRECT,
        **overrides,
    }
    return client.openid_connect_token(**args)


async def test_the_authorize_page_sends_the_browser_back_with_a_code_and_the_state(
    fake: FakeSlack,
) -> None:
    fake.sign_in_as("U0ALICE001")
    url = authorize_url(
        authorization_url=fake.oidc_authorize_url,
        client_id=fake.oidc_client_id,
        redirect_uri=REDIRECT,
        state="state-xyz",
        nonce="nonce-xyz",
    )
    async with aiohttp.ClientSession() as http, http.get(url, allow_redirects=False) as answer:
        status, location = answer.status, answer.headers["Location"]

    assert status == 302
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == REDIRECT
    back = parse_qs(parts.query)
    assert back["state"] == ["state-xyz"] and back["code"][0].startswith("fake-oidc-code-")
    (visit,) = fake.calls_to("openid.connect.authorize")
    assert visit.args["nonce"] == "nonce-xyz" and visit.status == 302


@pytest.mark.parametrize(
    ("query", "complaint"),
    [
        ({"client_id": "999.999"}, "client_id"),
        ({"scope": "email,profile"}, "scope"),
        ({"response_type": "token"}, "response_type"),
        ({"redirect_uri": "javascript:alert(1)"}, "redirect_uri"),
    ],
)
async def test_the_authorize_page_refuses_a_bad_request(
    fake: FakeSlack, query: dict[str, str], complaint: str
) -> None:
    fake.sign_in_as("U0ALICE001")
    status, text = await _authorize(fake, **query)
    assert status == 400 and complaint in text


async def test_nobody_chosen_and_declining(fake: FakeSlack) -> None:
    status, text = await _authorize(fake)
    assert status == 400 and "sign_in_as" in text

    fake.decline_sign_in()
    status, location = await _authorize(fake)
    assert status == 302
    assert parse_qs(urlsplit(location).query) == {"error": ["access_denied"], "state": ["st-1"]}


async def test_token_then_user_info(client: AsyncWebClient, fake: FakeSlack) -> None:
    fake.add_user("U0ALICE001", "alice", real_name="Alice Example")
    fake.sign_in_as("U0ALICE001")
    code = await _code(fake)

    tokens = await _token_call(client, fake, code)

    assert tokens["ok"] is True and tokens["token_type"] == "Bearer"
    assert tokens["access_token"].startswith("xoxp-")
    claims = id_token_claims(tokens["id_token"])
    assert claims is not None
    assert claims["iss"] == "https://slack.com" and claims["aud"] == fake.oidc_client_id
    assert claims["nonce"] == "n-1" and claims["sub"] == "U0ALICE001"
    assert claims["https://slack.com/team_id"] == fake.team_id
    info = await client.openid_connect_userInfo(token=tokens["access_token"])
    assert info["ok"] is True
    assert info["sub"] == info["https://slack.com/user_id"] == "U0ALICE001"
    assert info["https://slack.com/team_id"] == fake.team_id
    assert (info["name"], info["email"]) == ("Alice Example", "alice@example.com")
    assert info["email_verified"] is True and "https://slack.com/team_domain" in info


async def test_claims_follow_the_constructed_example(
    client: AsyncWebClient, fake: FakeSlack
) -> None:
    """Every key of refs/slack-oidc/constructed/openid.connect.userInfo.ok.json that is not
    an image size is in the stand-in's answer."""
    example_keys = {
        "ok", "sub", "https://slack.com/user_id", "https://slack.com/team_id", "email",
        "email_verified", "date_email_verified", "name", "picture", "given_name",
        "family_name", "locale", "https://slack.com/team_name", "https://slack.com/team_domain",
        "https://slack.com/team_image_default",
    }  # fmt: skip
    fake.sign_in_as("U0ALICE001", name="Alice Example", email="alice@example.com")
    tokens = await _token_call(client, fake, await _code(fake))
    info = await client.openid_connect_userInfo(token=tokens["access_token"])
    assert example_keys <= set(info.data)


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"client_id": "999.999"}, "invalid_client_id"),
        ({"client_secret": "wrong-secret"}, "bad_client_secret"),
        ({"code": "made-up"}, "invalid_code"),
        ({"redirect_uri": "https://elsewhere.test/cb"}, "bad_redirect_uri"),
        ({"grant_type": "password"}, "unsupported_grant_type"),
    ],
)
async def test_token_errors(
    client: AsyncWebClient, fake: FakeSlack, overrides: dict[str, str], error: str
) -> None:
    fake.sign_in_as("U0ALICE001")
    code = await _code(fake)
    with pytest.raises(SlackApiError) as refused:
        await _token_call(client, fake, code, **overrides)
    assert refused.value.response.data == {"ok": False, "error": error}


async def test_a_code_is_used_once_and_expires(client: AsyncWebClient, fake: FakeSlack) -> None:
    fake.sign_in_as("U0ALICE001")
    code = await _code(fake)
    await _token_call(client, fake, code)
    with pytest.raises(SlackApiError) as reused:
        await _token_call(client, fake, code)
    assert reused.value.response["error"] == "invalid_code"

    late = await _code(fake)
    fake.expire_sign_in_codes()
    with pytest.raises(SlackApiError) as expired:
        await _token_call(client, fake, late)
    assert expired.value.response["error"] == "invalid_code"


async def test_client_credentials_in_the_body_also_work(fake: FakeSlack) -> None:
    fake.sign_in_as("U0ALICE001")
    code = await _code(fake)
    body = {
        "client_id": fake.oidc_client_id,
        "client_secret": fake.oidc_client_secret,
        "code": code,
        "redirect_uri": REDIRECT,
    }
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{fake.api_url}openid.connect.token", data=body) as answer,
    ):
        assert (await answer.json())["ok"] is True


async def test_user_info_wants_a_sign_in_token(client: AsyncWebClient, fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as bot:
        await client.openid_connect_userInfo()  # the bot's token
    assert bot.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as unknown:
        await client.openid_connect_userInfo(token="xoxp-made-up")
    assert unknown.value.response["error"] == "invalid_auth"
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{fake.api_url}openid.connect.userInfo") as answer,
    ):
        assert (await answer.json()) == {"ok": False, "error": "not_authed"}


async def test_the_gateway_signs_a_person_in(fake: FakeSlack) -> None:
    fake.sign_in_as("U0BOB00001", team_id="T0ELSEWHERE", name="Bob")
    gateway = SlackGateway(AsyncWebClient(token=fake.token, base_url=fake.api_url))
    try:
        tokens = await gateway.openid_token(
            client_id=fake.oidc_client_id,
            client_secret=fake.oidc_client_secret,
            code=await _code(fake),
            redirect_uri=REDIRECT,
        )
        person = await gateway.openid_user(tokens.access_token)
    finally:
        await gateway.close()

    assert (person.user_id, person.team_id, person.name) == ("U0BOB00001", "T0ELSEWHERE", "Bob")
    assert tokens.id_token is not None
    (call,) = fake.calls_to("openid.connect.token")
    assert (
        call.headers["Authorization"]
        == "Basic "
        + base64.b64encode(f"{fake.oidc_client_id}:{fake.oidc_client_secret}".encode()).decode()
    )
    assert json.dumps(call.args).find(fake.oidc_client_secret) == -1


async def test_the_demos_stand_in_signs_people_in_too() -> None:
    """Sign in with Slack is the demo stand-in's own; FakeSlack only inherits it."""
    async with SlackStandIn() as demo:
        demo.sign_in_as("U0DEMO0001", name="Demo Person")
        code = await _code(demo)
        client = AsyncWebClient(base_url=demo.api_url, retry_handlers=[])
        tokens = await client.openid_connect_token(
            client_id=demo.oidc_client_id,
            client_secret=demo.oidc_client_secret,
            code=code,
            redirect_uri=REDIRECT,
        )
        info = await client.openid_connect_userInfo(token=tokens["access_token"])
    assert info["name"] == "Demo Person" and info["https://slack.com/team_id"] == demo.team_id
