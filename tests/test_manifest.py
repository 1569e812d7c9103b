"""`manifest.yml` is a manifest Slack accepts, and asks for exactly what Warroom uses.

Test data under `tests/data/slack/` is copied unchanged from Slack's MIT-licensed
repositories (each folder keeps its LICENSE):

- `manifest/` — slackapi/manifest-schema: `manifest.schema.json` chooses the
  versioned schema by `_metadata.major_version` through absolute
  raw.githubusercontent.com `$ref`s; those are served here from the local
  copies, so validation never touches the network.
- `events/` — slackapi/slack-api-specs: the Events API AsyncAPI spec, which
  names the scopes each event needs (as of 2020; corrections below).
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

ROOT = Path(__file__).resolve().parent.parent
MANIFEST_PATH = ROOT / "manifest.yml"
SLACK_DATA = Path(__file__).resolve().parent / "data" / "slack"
SCHEMA_DIR = SLACK_DATA / "manifest"
EVENTS_SPEC = SLACK_DATA / "events" / "slack_events_api_async_v1.json"

SOCKET_MODE_MARKER = "# -- socket-mode manifest --"
REQUEST_PATH = "/slack/events"

# Bot scopes each Web API method Warroom calls needs. War rooms may be public or
# private, so conversations.* need the scope for each kind. Checked against the
# "scopes" of Slack's method reference (docs.slack.dev, 2026) when written.
WEB_API_SCOPES: dict[str, frozenset[str]] = {
    "auth.test": frozenset(),
    "chat.postMessage": frozenset({"chat:write"}),
    "chat.postEphemeral": frozenset({"chat:write"}),
    "chat.update": frozenset({"chat:write"}),
    "chat.delete": frozenset({"chat:write"}),
    "chat.getPermalink": frozenset(),
    "conversations.create": frozenset({"channels:manage", "groups:write"}),
    "conversations.invite": frozenset({"channels:manage", "groups:write"}),
    "conversations.setTopic": frozenset({"channels:manage", "groups:write"}),
    "conversations.setPurpose": frozenset({"channels:manage", "groups:write"}),
    "conversations.rename": frozenset({"channels:manage", "groups:write"}),
    "conversations.archive": frozenset({"channels:manage", "groups:write"}),
    "conversations.unarchive": frozenset({"channels:manage", "groups:write"}),
    "conversations.info": frozenset({"channels:read", "groups:read"}),
    "conversations.members": frozenset({"channels:read", "groups:read"}),
    "conversations.join": frozenset({"channels:join"}),
    "pins.add": frozenset({"pins:write"}),
    "pins.remove": frozenset({"pins:write"}),
    "reactions.add": frozenset({"reactions:write"}),
    "reactions.get": frozenset({"reactions:read"}),
    "users.info": frozenset({"users:read"}),
    "users.lookupByEmail": frozenset({"users:read.email"}),
    "usergroups.list": frozenset({"usergroups:read"}),
    "usergroups.users.list": frozenset({"usergroups:read"}),
    "files.getUploadURLExternal": frozenset({"files:write"}),
    "files.completeUploadExternal": frozenset({"files:write"}),
    "bookmarks.add": frozenset({"bookmarks:write"}),
    "bookmarks.edit": frozenset({"bookmarks:write"}),
    "views.open": frozenset(),
    "views.push": frozenset(),
    "views.update": frozenset(),
    "views.publish": frozenset(),
}

# Scopes that come with a manifest feature rather than a method or an event.
FEATURE_SCOPES: dict[str, frozenset[str]] = {
    "slash command and shortcuts": frozenset({"commands"}),
}

# Where the 2020 AsyncAPI spec is out of date: app_mention has required
# app_mentions:read since bot scopes replaced the classic `bot` scope, and
# app_home_opened is newer than the spec (Slack documents no scope for it).
EVENT_SCOPE_CORRECTIONS: dict[str, frozenset[str]] = {
    "app_mention": frozenset({"app_mentions:read"}),
    "app_home_opened": frozenset(),
}


def _load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _external_refs(node: Any) -> set[str]:
    """Every `$ref` in a schema that points outside the document itself."""
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            found.add(ref)
        for value in node.values():
            found |= _external_refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _external_refs(value)
    return found


@cache
def manifest_validator() -> Draft7Validator:
    """Slack's all-versions manifest schema, its remote `$ref`s served from the copies."""
    top = _load_json(SCHEMA_DIR / "manifest.schema.json")
    resources = []
    for uri in sorted(_external_refs(top)):
        local = SCHEMA_DIR / uri.rsplit("/", 1)[-1]
        assert local.is_file(), f"{uri} is referenced but {local} is not in the test data"
        schema = _load_json(local)
        Draft7Validator.check_schema(schema)
        resources.append((uri, Resource.from_contents(schema, default_specification=DRAFT7)))
    Draft7Validator.check_schema(top)
    # No `retrieve` function: an unknown reference fails instead of being fetched.
    return Draft7Validator(top, registry=Registry().with_resources(resources))


def _leaves(error: ValidationError) -> list[ValidationError]:
    if not error.context:
        return [error]
    return [leaf for child in error.context for leaf in _leaves(child)]


def schema_errors(instance: Any) -> list[str]:
    """Readable schema errors: the causes inside the top-level oneOf, once each."""
    leaves = [leaf for e in manifest_validator().iter_errors(instance) for leaf in _leaves(e)]
    # Drop the version dispatch's own complaints ("should not be valid under"...).
    causes = [e for e in leaves if e.validator not in {"const", "not"}] or leaves
    return sorted({f"{e.json_path}: {e.message}" for e in causes})


@cache
def _manifest_text() -> str:
    return MANIFEST_PATH.read_text(encoding="utf-8")


@pytest.fixture
def manifest() -> dict[str, Any]:
    loaded = yaml.safe_load(_manifest_text())
    assert isinstance(loaded, dict)
    return loaded


def socket_mode_variant() -> Any:
    """The commented Socket Mode manifest at the bottom of manifest.yml, uncommented."""
    lines = _manifest_text().splitlines()
    assert SOCKET_MODE_MARKER in lines, f"{MANIFEST_PATH.name} lost its Socket Mode variant"
    block = lines[lines.index(SOCKET_MODE_MARKER) + 1 :]
    assert block, "the Socket Mode variant is empty"
    assert all(line == "#" or line.startswith("# ") for line in block), (
        "every line of the Socket Mode variant must be commented out with '# '"
    )
    return yaml.safe_load("\n".join(re.sub(r"^# ?", "", line) for line in block))


def bot_scopes(manifest: dict[str, Any]) -> list[str]:
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert isinstance(scopes, list)
    return scopes


@cache
def event_scopes() -> dict[str, frozenset[str]]:
    """Event name -> bot scopes it needs, from the AsyncAPI spec plus the corrections."""
    spec = _load_json(EVENTS_SPEC)
    table: dict[str, frozenset[str]] = {}
    for topic in spec["topics"].values():
        subscribe = topic["subscribe"]
        # The topic key turns "_" into "."; the docs URL keeps the real event name.
        name = subscribe["externalDocs"]["url"].rstrip("/").rsplit("/", 1)[-1]
        table[name] = frozenset(subscribe.get("x-scopes-required", []))
    return table | EVENT_SCOPE_CORRECTIONS


def test_schema_copies_validate_offline_and_reject_slacks_invalid_example() -> None:
    valid = _load_json(SCHEMA_DIR / "manifest.valid.json")
    invalid = _load_json(SCHEMA_DIR / "manifest.invalid.json")

    assert schema_errors(valid) == []
    assert any("bad_param" in message for message in schema_errors(invalid))


def test_manifest_matches_slacks_schema(manifest: dict[str, Any]) -> None:
    assert schema_errors(manifest) == []


def test_manifest_is_a_classic_bolt_app_over_http(manifest: dict[str, Any]) -> None:
    assert manifest["_metadata"]["major_version"] == 1
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is False
    assert settings["org_deploy_enabled"] is False
    assert settings["token_rotation_enabled"] is False
    assert settings["interactivity"]["is_enabled"] is True
    assert manifest["features"]["bot_user"] == {"display_name": "warroom", "always_online": True}
    # No Home tab until Warroom publishes one; DMs (reminders) land in the Messages tab.
    assert manifest["features"]["app_home"]["home_tab_enabled"] is False
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True


def test_display_information_reads_well(manifest: dict[str, Any]) -> None:
    info = manifest["display_information"]
    assert info["name"] == "Warroom"
    assert info["description"].strip()
    assert "/incident" in info["long_description"]


def test_incident_slash_command(manifest: dict[str, Any]) -> None:
    (command,) = manifest["features"]["slash_commands"]

    assert command["command"] == "/incident"
    assert command["url"] == "https://warroom.example.com/slack/events"
    assert command["usage_hint"] == "declare [title] | help"
    assert command["should_escape"] is True  # mentions arrive as <@U…|name>
    assert command["description"].strip()


def test_add_to_timeline_message_shortcut(manifest: dict[str, Any]) -> None:
    (shortcut,) = manifest["features"]["shortcuts"]

    assert shortcut == {
        "name": "Add to incident timeline",
        "type": "message",
        "callback_id": "add_to_timeline",
        "description": shortcut["description"],
    }


def _urls(node: Any, path: str = "") -> dict[str, Any]:
    """Every `url` / `*_url` / `*_urls` setting in the manifest, keyed by its path."""
    found: dict[str, Any] = {}
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}/{key}"
            if key == "url" or key.endswith(("_url", "_urls")):
                found[here] = value
            else:
                found |= _urls(value, here)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found |= _urls(value, f"{path}/{index}")
    return found


def test_every_request_url_is_the_one_bolt_endpoint(manifest: dict[str, Any]) -> None:
    urls = _urls(manifest)

    assert set(urls) == {
        "/features/slash_commands/0/url",
        "/settings/event_subscriptions/request_url",
        "/settings/interactivity/request_url",
    }
    for where, url in urls.items():
        assert url.startswith("https://"), where
        assert url.endswith(REQUEST_PATH), where


def test_bot_scopes_are_listed_once(manifest: dict[str, Any]) -> None:
    scopes = bot_scopes(manifest)
    assert len(scopes) == len(set(scopes))


def test_each_bot_event_has_its_scopes(manifest: dict[str, Any]) -> None:
    scopes = set(bot_scopes(manifest))
    known = event_scopes()

    for event in manifest["settings"]["event_subscriptions"]["bot_events"]:
        assert event in known, f"{event}: not in the AsyncAPI spec; add it to the corrections"
        # Public and private war rooms both matter, so every listed scope is needed.
        assert known[event] <= scopes, f"{event} needs {sorted(known[event] - scopes)}"


def test_each_web_api_method_has_its_scopes(manifest: dict[str, Any]) -> None:
    scopes = set(bot_scopes(manifest))

    for method, needed in WEB_API_SCOPES.items():
        assert needed <= scopes, f"{method} needs {sorted(needed - scopes)}"


def test_no_bot_scope_is_requested_without_a_use(manifest: dict[str, Any]) -> None:
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    used = set().union(
        *WEB_API_SCOPES.values(),
        *FEATURE_SCOPES.values(),
        *(event_scopes()[event] for event in events),
    )

    assert set(bot_scopes(manifest)) - used == set()
    # Warroom joins the broadcast channel (channels:join) instead of posting into
    # channels it is not in; neither are user tokens part of the product.
    assert "chat:write.public" not in bot_scopes(manifest)
    assert "user" not in manifest["oauth_config"]["scopes"]


def test_the_bot_events_warroom_listens_to(manifest: dict[str, Any]) -> None:
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])

    assert {
        "app_home_opened",
        "app_mention",
        "message.channels",
        "message.groups",
        "reaction_added",
        "reaction_removed",
        "pin_added",
        "pin_removed",
        "member_joined_channel",
        "channel_archive",
        "channel_rename",
    } <= events
    # Direct messages are not read: the Messages tab is read-only instead.
    assert "message.im" not in events
    assert manifest["features"]["app_home"]["messages_tab_read_only_enabled"] is True


def _without_request_urls(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: _without_request_urls(value)
            for key, value in node.items()
            if key not in {"url", "request_url"}
        }
    if isinstance(node, list):
        return [_without_request_urls(value) for value in node]
    return node


def test_socket_mode_variant_validates() -> None:
    variant = socket_mode_variant()

    assert schema_errors(variant) == []
    assert variant["settings"]["socket_mode_enabled"] is True
    assert _urls(variant) == {}


def test_socket_mode_variant_differs_only_in_transport(manifest: dict[str, Any]) -> None:
    expected = _without_request_urls(copy.deepcopy(manifest))
    expected["settings"]["socket_mode_enabled"] = True

    assert socket_mode_variant() == expected
