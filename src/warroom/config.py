"""Settings from the environment (and `.env`), validated once at start-up.

A missing or malformed setting stops start-up with one line that names the
variable and says how to fix it: at 3 a.m. nobody wants a pydantic traceback.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = [
    "ALERT_SECRETS",
    "DEFAULT_SLACK_OIDC_AUTHORIZE_URL",
    "WEB_UI_SETTINGS",
    "ConfigError",
    "Settings",
    "load_settings",
]

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./warroom.db"
DEFAULT_SLACK_OIDC_AUTHORIZE_URL = "https://slack.com/openid/connect/authorize"
WEB_UI_SETTINGS = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SESSION_SECRET", "PUBLIC_URL")
"""Sign in with Slack needs all four; the web UI (`/ui`) is on only when all are set."""

_FIXES: dict[str, str] = {
    "SLACK_BOT_TOKEN": (
        "set it to the Bot User OAuth Token (xoxb-...) from your Slack app's "
        "OAuth & Permissions page"
    ),
    "SLACK_SIGNING_SECRET": (
        "set it to the Signing Secret from your Slack app's Basic Information page"
    ),
    "SLACK_APP_TOKEN": (
        "set it to an app-level token (xapp-...) with connections:write, "
        "from Basic Information > App-Level Tokens"
    ),
    "SLACK_API_URL": (
        "leave it unset (Slack's own API) or give an https URL ending in / "
        "(plain http only for a stand-in on this machine: 127.0.0.1, ::1 or localhost)"
    ),
    "DATABASE_URL": (
        "use sqlite+aiosqlite:///path/to/warroom.db or "
        "postgresql+asyncpg://user:password@host:5432/dbname"
    ),
    "PORT": "use a TCP port number between 1 and 65535",
    "HOST": (
        "use the address to listen on: 0.0.0.0 (all interfaces, as in a container), "
        "127.0.0.1 (only a proxy on this machine), or one interface's IP"
    ),
    "REQUEST_READ_TIMEOUT": (
        "use a number of seconds between 0.1 and 60, e.g. 5: a request's headers, then its "
        "body, must each arrive within it"
    ),
    "BROADCAST_CHANNEL": (
        "use a channel ID like C0123456789 (channel details > About, at the bottom), "
        "or leave it empty for no announcements"
    ),
    "POLICY_FILE": "give the path of an existing TOML policy file, or leave it empty",
    "STAKEHOLDER_CHANNEL": (
        "use a channel ID like C0123456789 for stakeholder updates, or leave it empty"
    ),
    "ESCALATION_USERGROUP": (
        "use a user group ID like S0123456789 (from the group's profile), or leave it empty"
    ),
    "SCHEDULER_TICK": "use a number of seconds between 1 and 300, e.g. 5",
    "JOB_LEASE": (
        "use a number of seconds between 4 and 3600, e.g. 120; the scheduler gives up on a "
        "job after half of it, so keep it above twice your slowest Slack call"
    ),
    "SLACK_TIMEOUT": "use a whole number of seconds between 1 and 120, e.g. 15",
    "RETENTION_DAYS": (
        "use a number of days between 1 and 3650, e.g. 7: handled Slack deliveries and "
        "finished jobs older than that are deleted"
    ),
    "LOG_LEVEL": "use DEBUG, INFO, WARNING or ERROR",
    "METRICS_ENABLED": "use true to serve /metrics, or false (the default)",
    "METRICS_TOKEN": (
        "use a long random string without spaces (e.g. the output of `openssl rand -hex 32`), "
        "or leave it empty for no token"
    ),
    "SLACK_CLIENT_ID": (
        "set it to the Client ID from your Slack app's Basic Information page (Sign in with "
        "Slack for the web UI), or leave it and SLACK_CLIENT_SECRET, SESSION_SECRET and "
        "PUBLIC_URL all empty for no web UI"
    ),
    "SLACK_CLIENT_SECRET": (
        "set it to the Client Secret from your Slack app's Basic Information page, or leave it "
        "and SLACK_CLIENT_ID, SESSION_SECRET and PUBLIC_URL all empty for no web UI"
    ),
    "SESSION_SECRET": (
        "use a random string of at least 32 characters without spaces (e.g. the output of "
        "`openssl rand -hex 32`); it signs the web UI's session cookie, and changing it signs "
        "everyone out"
    ),
    "PUBLIC_URL": (
        "give the https URL people open Warroom at, like https://warroom.example.com (plain "
        "http only on this machine: 127.0.0.1, ::1 or localhost); add "
        "<PUBLIC_URL>/ui/auth/callback to the Slack app's Redirect URLs"
    ),
    "SLACK_OIDC_AUTHORIZE_URL": (
        "leave it unset (Slack's own https://slack.com/openid/connect/authorize) or give an "
        "https URL (plain http only for a stand-in on this machine)"
    ),
    **{
        name: (
            "use a random string of at least 16 characters without spaces (e.g. the output of "
            f"`openssl rand -hex 32`), the same as the sender's {sender}, or leave it empty "
            "(a source with neither a token nor a secret is switched off)"
        )
        for name, sender in (
            ("ALERTMANAGER_TOKEN", "http_config authorization credentials"),
            ("GRAFANA_ALERT_TOKEN", "contact point Authorization header (scheme Bearer)"),
            ("GRAFANA_ALERT_HMAC_SECRET", "contact point HMAC signature secret"),
            ("GENERIC_ALERT_TOKEN", "Authorization: Bearer token"),
            ("GENERIC_ALERT_HMAC_SECRET", "X-Warroom-Signature secret"),
        )
    },
}

ALERT_SECRETS = (
    "alertmanager_token",
    "grafana_alert_token",
    "grafana_alert_hmac_secret",
    "generic_alert_token",
    "generic_alert_hmac_secret",
)
"""The settings that switch on an alert source (`POST /alerts/{source}`) and authenticate it."""
_MIN_SECRET_CHARS = 16
_MIN_SESSION_SECRET_CHARS = 32

_HOSTNAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")
_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{6,}$")
_USERGROUP_ID = re.compile(r"^S[A-Z0-9]{6,}$")


def _is_loopback(hostname: str) -> bool:
    if hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line with the fix."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    slack_timeout: int = Field(default=15, ge=1, le=120)
    database_url: str = DEFAULT_DATABASE_URL
    port: int = Field(default=3000, ge=1, le=65535)
    host: str = "0.0.0.0"
    request_read_timeout: float = Field(default=5.0, ge=0.1, le=60)
    broadcast_channel: str | None = None
    stakeholder_channel: str | None = None
    escalation_usergroup: str | None = None
    scheduler_tick: float = Field(default=5.0, ge=1, le=300)
    job_lease: float = Field(default=120.0, ge=4, le=3600)
    retention_days: float = Field(default=7.0, ge=1, le=3650)
    policy_file: Path | None = None
    log_level: str = "INFO"
    metrics_enabled: bool = False
    metrics_token: SecretStr | None = None
    alertmanager_token: SecretStr | None = None
    grafana_alert_token: SecretStr | None = None
    grafana_alert_hmac_secret: SecretStr | None = None
    generic_alert_token: SecretStr | None = None
    generic_alert_hmac_secret: SecretStr | None = None
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    session_secret: SecretStr | None = None
    public_url: str | None = None
    slack_oidc_authorize_url: str = DEFAULT_SLACK_OIDC_AUTHORIZE_URL

    @field_validator("slack_bot_token", "slack_signing_secret", "slack_app_token", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator(
        "broadcast_channel",
        "stakeholder_channel",
        "escalation_usergroup",
        "policy_file",
        mode="before",
    )
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator(
        "slack_client_id", "slack_client_secret", "session_secret", "public_url", mode="before"
    )
    @classmethod
    def _blank_web_setting_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("slack_client_id")
    @classmethod
    def _client_id_shape(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[0-9]+\.[0-9]+", value.strip()):
            raise ValueError(f"{value!r} is not a Slack client ID (digits, a dot, digits)")
        return value.strip() if value is not None else None

    @field_validator("slack_client_secret")
    @classmethod
    def _client_secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(r"[\x21-\x7e]+", value.get_secret_value()):
            raise ValueError("has spaces or characters other than printable ASCII")
        return value

    @field_validator("session_secret")
    @classmethod
    def _session_secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        secret = value.get_secret_value()
        if not re.fullmatch(r"[\x21-\x7e]+", secret):
            raise ValueError("has spaces or characters other than printable ASCII")
        if len(secret) < _MIN_SESSION_SECRET_CHARS:
            raise ValueError(f"is shorter than {_MIN_SESSION_SECRET_CHARS} characters")
        return value

    @field_validator("public_url")
    @classmethod
    def _public_url_shape(cls, value: str | None) -> str | None:
        if value is None:
            return None
        url = value.strip()
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError("is not an http(s) URL")
        if parts.scheme == "http" and not _is_loopback(parts.hostname):
            raise ValueError(
                "is plain http to another machine, which would send the session cookie unencrypted"
            )
        if parts.query or parts.fragment:
            raise ValueError("has a query or a fragment (give the base URL only)")
        return url.rstrip("/")

    @field_validator("slack_oidc_authorize_url")
    @classmethod
    def _authorize_url_shape(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError("is not an http(s) URL")
        if parts.scheme == "http" and not _is_loopback(parts.hostname):
            raise ValueError("is plain http to another machine")
        return value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("is not a bot token (it must start with xoxb-)")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("is not an app-level token (it must start with xapp-)")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError("is not an http(s) URL")
        if parts.scheme == "http" and not _is_loopback(parts.hostname):
            raise ValueError(
                "is plain http to another machine, which would send the bot token unencrypted"
            )
        return value if value.endswith("/") else value + "/"

    @field_validator("host")
    @classmethod
    def _host_shape(cls, value: str) -> str:
        host = value.strip()
        with contextlib.suppress(ValueError):
            return str(ipaddress.ip_address(host))
        if not _HOSTNAME.match(host):
            raise ValueError(f"{value!r} is not an address to listen on")
        return host

    @field_validator("database_url")
    @classmethod
    def _database_url_shape(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("names a database driver Warroom does not support")
        return value

    @field_validator("broadcast_channel", "stakeholder_channel")
    @classmethod
    def _channel_shape(cls, value: str | None) -> str | None:
        if value is not None and not _CHANNEL_ID.match(value.strip()):
            raise ValueError(f"{value!r} is not a channel ID")
        return value.strip() if value else value

    @field_validator("escalation_usergroup")
    @classmethod
    def _usergroup_shape(cls, value: str | None) -> str | None:
        if value is not None and not _USERGROUP_ID.match(value.strip()):
            raise ValueError(f"{value!r} is not a user group ID")
        return value.strip() if value else value

    @field_validator("policy_file")
    @classmethod
    def _policy_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(
                f"{value} is a directory" if value.is_dir() else f"{value} does not exist"
            )
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level_shape(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError(f"{value!r} is not a log level")
        return level

    @field_validator("metrics_token", mode="before")
    @classmethod
    def _metrics_token_shape(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, str) and not re.fullmatch(r"[\x21-\x7e]+", value):
            raise ValueError("has spaces or characters a bearer token cannot carry")
        return value

    @field_validator(*ALERT_SECRETS, mode="before")
    @classmethod
    def _alert_secret_shape(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, str) and not re.fullmatch(r"[\x21-\x7e]+", value):
            raise ValueError("has spaces or characters other than printable ASCII")
        if isinstance(value, str) and len(value) < _MIN_SECRET_CHARS:
            raise ValueError(f"is shorter than {_MIN_SECRET_CHARS} characters")
        return value

    def require_slack(self, *, socket_mode: bool) -> None:
        """Fail with the one-line fix when a credential `serve` needs is missing (or the
        web UI is half set up)."""
        needed = ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN" if socket_mode else "SLACK_SIGNING_SECRET"]
        for name in needed:
            if getattr(self, name.lower()) is None:
                raise ConfigError(f"{name} is missing: {_FIXES[name]}.")
        self.require_web_ui_complete()

    def require_web_ui_complete(self) -> None:
        """Fail with the one-line fix when the web UI is half set up: some of
        `WEB_UI_SETTINGS` given and some missing (none at all means no web UI)."""
        given = [name for name in WEB_UI_SETTINGS if getattr(self, name.lower()) is not None]
        if given and len(given) < len(WEB_UI_SETTINGS):
            missing = next(n for n in WEB_UI_SETTINGS if getattr(self, n.lower()) is None)
            raise ConfigError(
                f"{missing} is missing (the web UI needs it, as {', '.join(given)} "
                f"{'is' if len(given) == 1 else 'are'} set): {_FIXES[missing]}."
            )

    @property
    def web_ui_enabled(self) -> bool:
        """True when Sign in with Slack is set up, so `/ui` is served."""
        return all(getattr(self, name.lower()) is not None for name in WEB_UI_SETTINGS)

    @property
    def redirect_uri(self) -> str:
        """Where Slack sends people back after signing in (a Redirect URL of the Slack app)."""
        assert self.public_url is not None, "the web UI is off"
        return self.public_url + "/ui/auth/callback"

    @property
    def session_cookie_secure(self) -> bool:
        """The session cookie is `Secure` unless Warroom is reached over plain http on
        this machine (development against the stand-in)."""
        return self.public_url is None or urlsplit(self.public_url).scheme == "https"

    @property
    def bot_token(self) -> str:
        assert self.slack_bot_token is not None, "call require_slack() first"
        return self.slack_bot_token.get_secret_value()

    @property
    def signing_secret(self) -> str:
        assert self.slack_signing_secret is not None, "call require_slack() first"
        return self.slack_signing_secret.get_secret_value()


def load_settings(**overrides: Any) -> Settings:
    """Read settings, turning a validation failure into a one-line ConfigError."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "settings"
        reason = str(first["msg"]).removeprefix("Value error, ")
        fix = _FIXES.get(name, "check its value")
        raise ConfigError(f"{name} {reason}: {fix}.") from None
