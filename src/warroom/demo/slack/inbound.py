"""Slack→app requests built the way Slack sends them, plus a signed sender.

Builders return `(body, content_type)`. Slash commands and interactivity
payloads are form-encoded (interactivity as a single `payload=<json>` field);
Events API callbacks are JSON. `SlackSender.post` signs with the v0 scheme.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from warroom.demo.slack.sender import SlackSender, sign

__all__ = [
    "API_APP_ID",
    "FORM",
    "JSON",
    "VERIFICATION_TOKEN",
    "SlackSender",
    "block_actions",
    "event_callback",
    "new_trigger_id",
    "sign",
    "slash_command",
    "url_verification",
    "view_closed",
    "view_submission",
]

Json = dict[str, Any]

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
API_APP_ID = "A0WARROOMAPP"
BOT_ID = "B0WARROOMBOT"
BOT_USER_ID = "UWARROOMBOT"
VERIFICATION_TOKEN = "fake-verification-token"
TEAM_ID = "T0WARROOM"
TEAM_DOMAIN = "warroom-fake"
USER_ID = "U0ALICE"
USER_NAME = "alice"
CHANNEL_ID = "C0GENERAL"
CHANNEL_NAME = "general"


def new_trigger_id() -> str:
    """A trigger_id in Slack's documented "132456.7890123.abcdef" shape."""
    return f"{secrets.randbelow(10**11)}.{secrets.randbelow(10**12)}.{secrets.token_hex(16)}"


def _plain(text: str) -> Json:
    return {"type": "plain_text", "text": text, "emoji": True}


def _hook(kind: str, team_id: str) -> str:
    return f"https://hooks.slack.com/{kind}/{team_id}/{secrets.randbelow(10**12)}/{secrets.token_hex(12)}"


def _form(fields: dict[str, str]) -> tuple[bytes, str]:
    return urlencode(fields).encode(), FORM


def _payload(payload: Json) -> tuple[bytes, str]:
    return _form({"payload": json.dumps(payload, separators=(",", ":"))})


def _user(user_id: str, user_name: str, team_id: str) -> Json:
    return {"id": user_id, "username": user_name, "name": user_name, "team_id": team_id}


def slash_command(
    text: str,
    *,
    command: str = "/incident",
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
    team_id: str = TEAM_ID,
    team_domain: str = TEAM_DOMAIN,
    channel_id: str = CHANNEL_ID,
    channel_name: str = CHANNEL_NAME,
    trigger_id: str | None = None,
    response_url: str | None = None,
    api_app_id: str = API_APP_ID,
    token: str = VERIFICATION_TOKEN,
    enterprise_id: str | None = None,
    enterprise_name: str | None = None,
) -> tuple[bytes, str]:
    """A slash command POST body, field for field as Slack sends it."""
    fields = {"token": token, "team_id": team_id, "team_domain": team_domain}
    if enterprise_id is not None:
        fields["enterprise_id"] = enterprise_id
        fields["enterprise_name"] = enterprise_name or ""
    fields.update(
        {
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name,
            "command": command,
            "text": text,
            "api_app_id": api_app_id,
            "is_enterprise_install": "false",
            "response_url": response_url or _hook("commands", team_id),
            "trigger_id": trigger_id or new_trigger_id(),
        }
    )
    return _form(fields)


def _action(
    action_type: str,
    action_id: str,
    block_id: str,
    value: str | None,
    selected_user: str | None,
    selected_option: Json | None,
) -> Json:
    action: Json = {"type": action_type, "action_id": action_id, "block_id": block_id}
    option = selected_option
    if option is None and value is not None:
        option = {"text": _plain(value), "value": value}
    if action_type == "button":
        action["text"] = _plain(value or action_id)
        if value is not None:
            action["value"] = value
    elif action_type in ("static_select", "external_select", "overflow", "radio_buttons"):
        action["selected_option"] = option
    elif action_type in ("checkboxes", "multi_static_select", "multi_external_select"):
        action["selected_options"] = [option] if option is not None else []
    elif action_type == "users_select":
        action["selected_user"] = selected_user or value
    elif action_type == "multi_users_select":
        action["selected_users"] = [u for u in (selected_user or value or "").split(",") if u]
    elif action_type == "conversations_select":
        action["selected_conversation"] = value
    elif action_type == "channels_select":
        action["selected_channel"] = value
    elif action_type == "datepicker":
        action["selected_date"] = value
    elif action_type == "timepicker":
        action["selected_time"] = value
    elif value is not None:
        action["value"] = value
    action["action_ts"] = f"{time.time():.6f}"
    return action


def block_actions(
    action_id: str,
    value: str | None = None,
    *,
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
    team_id: str = TEAM_ID,
    team_domain: str = TEAM_DOMAIN,
    channel_id: str = CHANNEL_ID,
    channel_name: str = CHANNEL_NAME,
    message_ts: str | None = None,
    response_url: str | None = None,
    trigger_id: str | None = None,
    block_id: str | None = None,
    action_type: str = "button",
    selected_user: str | None = None,
    selected_option: Json | None = None,
    container: Json | None = None,
    message: Json | None = None,
    view: Json | None = None,
    state_values: Json | None = None,
    api_app_id: str = API_APP_ID,
    token: str = VERIFICATION_TOKEN,
) -> tuple[bytes, str]:
    """A block_actions interaction: a click in a message, or in a modal when `view` is given."""
    action = _action(
        action_type,
        action_id,
        block_id or secrets.token_hex(3),
        value,
        selected_user,
        selected_option,
    )
    payload: Json = {
        "type": "block_actions",
        "user": _user(user_id, user_name, team_id),
        "api_app_id": api_app_id,
        "token": token,
    }
    if view is not None:
        payload["container"] = container or {"type": "view", "view_id": view.get("id", "")}
        payload["trigger_id"] = trigger_id or new_trigger_id()
        payload["team"] = {"id": team_id, "domain": team_domain}
        payload["enterprise"] = None
        payload["is_enterprise_install"] = False
        payload["view"] = view
    else:
        ts = message_ts or (message or {}).get("ts") or f"{time.time():.6f}"
        payload["container"] = container or {
            "type": "message",
            "message_ts": ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        }
        payload["trigger_id"] = trigger_id or new_trigger_id()
        payload["team"] = {"id": team_id, "domain": team_domain}
        payload["enterprise"] = None
        payload["is_enterprise_install"] = False
        payload["channel"] = {"id": channel_id, "name": channel_name}
        payload["message"] = message or {
            "type": "message",
            "subtype": "bot_message",
            "text": "",
            "ts": ts,
            "bot_id": BOT_ID,
        }
        payload["state"] = {"values": state_values or {}}
        payload["response_url"] = response_url or _hook("actions", team_id)
    payload["actions"] = [action]
    return _payload(payload)


def _view(
    *,
    callback_id: str,
    state_values: Json,
    team_id: str,
    private_metadata: str,
    view_id: str | None,
    view_hash: str | None,
    base: Json | None,
) -> Json:
    view: Json = {
        "id": view_id or f"V{secrets.token_hex(5).upper()}",
        "team_id": team_id,
        "type": "modal",
        "blocks": [],
        "private_metadata": private_metadata,
        "callback_id": callback_id,
        "state": {"values": state_values},
        "hash": view_hash or f"{int(time.time())}.{secrets.token_hex(4)}",
        "title": _plain("Incident"),
        "clear_on_close": False,
        "notify_on_close": False,
        "close": _plain("Cancel"),
        "submit": _plain("Submit"),
        "previous_view_id": None,
        "root_view_id": None,
        "app_id": API_APP_ID,
        "external_id": "",
        "app_installed_team_id": team_id,
        "bot_id": BOT_ID,
    }
    if base is not None:
        view.update(json.loads(json.dumps(base)))
        view["callback_id"] = callback_id
        view["state"] = {"values": state_values}
        if private_metadata:
            view["private_metadata"] = private_metadata
        if view_id is not None:
            view["id"] = view_id
        if view_hash is not None:
            view["hash"] = view_hash
    view["root_view_id"] = view["root_view_id"] or view["id"]
    return view


def view_submission(
    callback_id: str,
    state_values: Json,
    *,
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
    team_id: str = TEAM_ID,
    team_domain: str = TEAM_DOMAIN,
    private_metadata: str = "",
    view_id: str | None = None,
    view_hash: str | None = None,
    trigger_id: str | None = None,
    view: Json | None = None,
    response_urls: list[Json] | None = None,
    api_app_id: str = API_APP_ID,
    token: str = VERIFICATION_TOKEN,
) -> tuple[bytes, str]:
    """A modal submission; `state_values` is `{block_id: {action_id: {...}}}`.

    Pass `view` (e.g. `fake.view(view_id)`) to submit the very view the app opened.
    """
    payload: Json = {
        "type": "view_submission",
        "team": {"id": team_id, "domain": team_domain},
        "user": _user(user_id, user_name, team_id),
        "api_app_id": api_app_id,
        "token": token,
        "trigger_id": trigger_id or new_trigger_id(),
        "view": _view(
            callback_id=callback_id,
            state_values=state_values,
            team_id=team_id,
            private_metadata=private_metadata,
            view_id=view_id,
            view_hash=view_hash,
            base=view,
        ),
        "response_urls": response_urls or [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _payload(payload)


def view_closed(
    callback_id: str,
    *,
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
    team_id: str = TEAM_ID,
    team_domain: str = TEAM_DOMAIN,
    private_metadata: str = "",
    view_id: str | None = None,
    view: Json | None = None,
    api_app_id: str = API_APP_ID,
    token: str = VERIFICATION_TOKEN,
) -> tuple[bytes, str]:
    """A modal dismissed with Cancel/X (sent only when `notify_on_close` was set)."""
    payload: Json = {
        "type": "view_closed",
        "team": {"id": team_id, "domain": team_domain},
        "user": _user(user_id, user_name, team_id),
        "api_app_id": api_app_id,
        "token": token,
        "view": _view(
            callback_id=callback_id,
            state_values={},
            team_id=team_id,
            private_metadata=private_metadata,
            view_id=view_id,
            view_hash=None,
            base=view,
        ),
        "is_cleared": False,
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _payload(payload)


def event_callback(
    event: Json,
    *,
    team_id: str = TEAM_ID,
    event_id: str | None = None,
    event_time: int | None = None,
    api_app_id: str = API_APP_ID,
    token: str = VERIFICATION_TOKEN,
    authorized_user_id: str = BOT_USER_ID,
) -> tuple[bytes, str]:
    """An Events API `event_callback` envelope around `event` (JSON body)."""
    now = time.time()
    inner = dict(event)
    inner.setdefault("event_ts", f"{now:.6f}")
    envelope: Json = {
        "token": token,
        "team_id": team_id,
        "context_team_id": team_id,
        "context_enterprise_id": None,
        "api_app_id": api_app_id,
        "event": inner,
        "type": "event_callback",
        "event_id": event_id or f"Ev{secrets.token_hex(5).upper()}",
        "event_time": event_time if event_time is not None else int(now),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": authorized_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{secrets.token_urlsafe(24)}",
    }
    return json.dumps(envelope).encode(), JSON


def url_verification(challenge: str, *, token: str = VERIFICATION_TOKEN) -> tuple[bytes, str]:
    """The handshake Slack sends when the Events request URL is saved."""
    body = {"token": token, "challenge": challenge, "type": "url_verification"}
    return json.dumps(body).encode(), JSON
