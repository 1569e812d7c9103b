"""`/healthz` tells a load balancer whether the database answers."""

from __future__ import annotations

import aiohttp

from warroom.config import Settings
from warroom.runtime import build_runtime
from warroom.web.asgi import create_asgi_app
from warroom.web.server import serve_locally


async def test_healthz_is_503_when_the_database_is_down() -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token="xoxb-x",
        slack_signing_secret="s",
        database_url="postgresql+asyncpg://postgres@127.0.0.1:1/nowhere",
    )
    app = create_asgi_app(build_runtime(settings))
    async with (
        serve_locally(app) as base,
        aiohttp.ClientSession() as session,
        session.get(f"{base}/healthz") as response,
    ):
        assert response.status == 503
        assert (await response.json())["ok"] is False
