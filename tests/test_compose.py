"""`docker-compose.yml` and `.env.example` describe a deployment the app can run.

No Docker here: the compose file is checked as data (services, ordering, the
database URL, what is published, the proxy's limits), and `.env.example` against
the settings `warroom.config` reads plus the variables compose itself reads.
The image itself is the Dockerfile's, whose steps tests/test_packaging.py follows.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from warroom.config import (
    DEFAULT_DATABASE_URL,
    DEFAULT_SLACK_API_URL,
    Settings,
    load_settings,
)
from warroom.web.server import KEEP_ALIVE_S

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_PATH = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
CADDYFILE = ROOT / "deploy" / "Caddyfile"
COMPOSE_ONLY = {"POSTGRES_PASSWORD", "WARROOM_DOMAIN"}
"""Variables compose interpolates from `.env`; warroom itself does not read them."""
INTERPOLATION = re.compile(r"\$\{([A-Z][A-Z0-9_]*)(?::?[?-][^}]*)?\}")

SETTING_LINE = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")


@pytest.fixture
def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE_PATH.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


@pytest.fixture
def services(compose: dict[str, Any]) -> dict[str, Any]:
    services = compose["services"]
    assert isinstance(services, dict)
    return services


def _environment(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment", {})
    assert isinstance(environment, dict), "environment is written as a mapping"
    return {key: str(value) for key, value in environment.items()}


def _interpolated(value: str, env: dict[str, str]) -> str:
    """`${NAME}`, `${NAME:?message}` and `${NAME:-default}` as compose reads them."""
    return INTERPOLATION.sub(lambda match: env[match.group(1)], value)


def test_services_and_one_image_built_from_the_dockerfile(services: dict[str, Any]) -> None:
    assert set(services) == {"db", "migrate", "app", "proxy"}
    built = {name: service for name, service in services.items() if "build" in service}
    assert set(built) == {"migrate", "app"}
    assert {service["build"] for service in built.values()} == {"."}
    assert len({service["image"] for service in built.values()}) == 1, "one image, tagged once"
    assert (ROOT / "Dockerfile").is_file()


def test_db_is_postgres_16_with_healthcheck_and_volume(
    compose: dict[str, Any], services: dict[str, Any]
) -> None:
    db = services["db"]

    assert db["image"] == "postgres:16"
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    (volume,) = db["volumes"]
    name, target = volume.split(":")
    assert target == "/var/lib/postgresql/data"
    assert name in compose["volumes"], "the data lives in a named volume"


@pytest.mark.parametrize(("name", "subcommand"), [("migrate", "migrate"), ("app", "serve")])
def test_runs_the_installed_command_not_the_checkout(
    services: dict[str, Any], name: str, subcommand: str
) -> None:
    service = services[name]

    assert service["command"] == ["warroom", subcommand]
    assert "volumes" not in service, "nothing from the checkout is mounted"
    assert "user" not in service, "the image's non-root user runs it"


def test_migrate_runs_once_when_the_database_is_ready(services: dict[str, Any]) -> None:
    migrate = services["migrate"]

    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    assert migrate.get("restart", "no") == "no"
    assert "ports" not in migrate


def test_app_starts_after_a_successful_migration(services: dict[str, Any]) -> None:
    app = services["app"]

    assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert app["env_file"] == ".env"
    assert _environment(app).get("PORT", "3000") == "3000"


def test_app_is_published_on_loopback_only_with_a_memory_limit(services: dict[str, Any]) -> None:
    app = services["app"]

    # Reachable from the host itself and from the proxy, never from the network.
    assert app["ports"] == ["127.0.0.1:3000:3000"]
    assert _environment(app)["HOST"] == "0.0.0.0"  # inside its container
    assert str(app["mem_limit"]).endswith("m")
    assert 256 <= int(str(app["mem_limit"]).removesuffix("m")) <= 1024
    published = [port for service in services.values() for port in service.get("ports", [])]
    assert [port for port in published if not port.startswith("127.0.0.1:")] == [
        "80:80",
        "443:443",
        "443:443/udp",
    ], "only the proxy is published on every interface"


def test_proxy_terminates_tls_with_body_and_timeout_limits(services: dict[str, Any]) -> None:
    proxy = services["proxy"]
    caddyfile = CADDYFILE.read_text(encoding="utf-8")

    assert proxy["image"] == "caddy:2"
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert "WARROOM_DOMAIN" in INTERPOLATION.findall(proxy["environment"]["WARROOM_DOMAIN"])
    assert "{$WARROOM_DOMAIN} {" in caddyfile
    assert re.search(r"request_body \{\s*max_size 2MiB\s*\}", caddyfile)
    assert re.search(r"read_header 5s\s+read_body 10s", caddyfile)
    assert "max_header_size 64KB" in caddyfile
    assert "reverse_proxy app:3000" in caddyfile
    keepalive = re.search(r"keepalive (\d+)s", caddyfile)
    assert keepalive is not None
    assert int(keepalive.group(1)) < KEEP_ALIVE_S, "Caddy drops idle connections before the app"


def test_app_healthcheck_asks_healthz_with_python_only(services: dict[str, Any]) -> None:
    test = services["app"]["healthcheck"]["test"]

    # The slim image has no curl or wget; python is there.
    assert test[:3] == ["CMD", "python", "-c"]
    assert "urllib.request" in test[3]
    assert "http://localhost:3000/healthz" in test[3]
    compile(test[3], "<healthcheck>", "exec")


@pytest.mark.parametrize("name", ["migrate", "app"])
def test_database_url_points_at_the_db_service_with_asyncpg(
    services: dict[str, Any], name: str
) -> None:
    env = {"POSTGRES_PASSWORD": "s3cretFromDotEnv"}
    url = _interpolated(_environment(services[name])["DATABASE_URL"], env)
    parts = urlsplit(url)
    db_env = {key: _interpolated(str(v), env) for key, v in services["db"]["environment"].items()}

    assert parts.scheme == "postgresql+asyncpg"
    assert (parts.hostname, parts.port) == ("db", 5432)
    assert parts.username == db_env["POSTGRES_USER"]
    assert parts.password == db_env["POSTGRES_PASSWORD"] == "s3cretFromDotEnv"
    assert parts.path == "/" + db_env["POSTGRES_DB"]
    assert load_settings(database_url=url, _env_file=None).database_url == url


def test_no_password_is_written_in_the_compose_file() -> None:
    text = COMPOSE_PATH.read_text(encoding="utf-8")

    assert "warroom:warroom@" not in text
    assert re.search(r"POSTGRES_PASSWORD: \$\{POSTGRES_PASSWORD:\?", text)


def test_every_variable_compose_reads_is_in_env_example() -> None:
    settings, _ = _env_example()
    read = set(INTERPOLATION.findall(COMPOSE_PATH.read_text(encoding="utf-8")))

    assert read == COMPOSE_ONLY
    assert read <= set(settings)
    assert settings["POSTGRES_PASSWORD"] == "", "each install picks its own"


def _env_example() -> tuple[dict[str, str], list[str]]:
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    settings: dict[str, str] = {}
    for index, line in enumerate(lines):
        if match := SETTING_LINE.match(line):
            key, value = match.groups()
            assert key not in settings, f"{key} is set twice"
            assert index > 0 and lines[index - 1].startswith("#"), f"{key} has no comment"
            settings[key] = value
        else:
            assert not line or line.startswith("#"), f"unexpected line {line!r}"
    return settings, lines


def test_env_example_lists_exactly_the_settings_the_app_reads() -> None:
    settings, _ = _env_example()

    assert set(settings) == {name.upper() for name in Settings.model_fields} | COMPOSE_ONLY


def test_env_example_loads_as_the_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)

    settings = Settings(_env_file=ENV_EXAMPLE)

    assert settings.slack_bot_token is None
    assert settings.slack_signing_secret is None
    assert settings.slack_app_token is None
    assert settings.slack_api_url == DEFAULT_SLACK_API_URL
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.port == 3000
    assert settings.broadcast_channel is None
    assert settings.policy_file is None
    assert settings.log_level == "INFO"


def test_env_example_postgres_example_is_accepted() -> None:
    _, lines = _env_example()
    examples = [
        match.group(0)
        for line in lines
        if line.startswith("#")
        for match in [re.search(r"postgresql\+asyncpg://\S+", line)]
        if match
    ]

    assert examples == ["postgresql+asyncpg://warroom:warroom@localhost:5432/warroom"]
    assert load_settings(database_url=examples[0], _env_file=None).database_url == examples[0]
