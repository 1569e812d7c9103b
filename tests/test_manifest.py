"""`manifest.yml` is a manifest Slack accepts, and asks for exactly what Warroom uses.

"Exactly" is checked both ways, and derived, not listed by hand: the Web API
methods come from Warroom's source and the events, commands and shortcuts from
the Bolt app `warroom serve` builds (see tests/slack_uses.py); the scopes each
needs come from Slack's own data. Every need must be met by the manifest, and
every scope and event in it must be needed (HTTP and Socket Mode variants alike).

Test data under `tests/data/slack/` is copied unchanged from MIT-licensed
repositories (each folder keeps its LICENSE):

- `manifest/` — slackapi/manifest-schema: `manifest.schema.json` chooses the
  versioned schema by `_metadata.major_version` through absolute
  raw.githubusercontent.com `$ref`s; those are served here from the local
  copies, so validation never touches the network.
- `events/` — slackapi/slack-api-specs: the Events API AsyncAPI spec, which
  names the scopes each event needs (as of 2020; corrections below).
- `web_api/` — slackapi/slack-api-specs: the Web API OpenAPI spec (2020), for
  the scopes of methods `methods/` lacks (users.conversations,
  conversations.history).
- `methods/` — smstoslack/slack_kit: per-method scopes scraped from Slack's
  docs in 2026; preferred where both have a method.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from tests.slack_uses import Registrations, called_methods, calls_in, recording_registrations
from warroom.bolt.app import build_bolt_app
from warroom.config import Settings
from warroom.runtime import Runtime, build_runtime

ROOT = Path(__file__).resolve().parent.parent
MANIFEST_PATH = ROOT / "manifest.yml"
SLACK_DATA = Path(__file__).resolve().parent / "data" / "slack"
SCHEMA_DIR = SLACK_DATA / "manifest"
EVENTS_SPEC = SLACK_DATA / "events" / "slack_events_api_async_v1.json"

SOCKET_MODE_MARKER = "# -- socket-mode manifest --"
REQUEST_PATH = "/slack/events"

METHODS_DIR = SLACK_DATA / "methods"
WEB_API_SPEC = SLACK_DATA / "web_api" / "slack_web_openapi_v2.json"

# Scopes that come with a manifest feature rather than a method or an event.
FEATURE_SCOPES: dict[str, tuple[str, ...]] = {"commands": ("slash_commands", "shortcuts")}

# Where the 2020 OpenAPI spec names a perspectival scope Slack has since merged:
# files.delete's bot scope is files:write (docs.slack.dev/reference/methods/files.delete).
METHOD_SCOPE_CORRECTIONS: dict[str, frozenset[str]] = {
    "files.delete": frozenset({"files:write"}),
}

# Where the 2020 AsyncAPI spec is out of date: app_mention has required
# app_mentions:read since bot scopes replaced the classic `bot` scope, and
# app_home_opened is newer than the spec (Slack documents no scope for it).
EVENT_SCOPE_CORRECTIONS: dict[str, frozenset[str]] = {
    "app_mention": frozenset({"app_mentions:read"}),
    "app_home_opened": frozenset(),
}

# Slack lists a conversation method's scopes once per kind of conversation
# (channels: public, groups: private, im, mpim): any one grants it for that kind.
# War rooms are public or private channels, so both kinds are needed wherever a
# method or event has them; Warroom reads no DMs (it writes them with
# chat.postMessage, which chat:write covers for every kind).
CONVERSATION_KINDS = frozenset({"channels", "groups", "im", "mpim"})
WAR_ROOM_KINDS = ("channels", "groups")


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
    # The Home tab (published on app_home_opened); DMs (reminders) land in the Messages tab.
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
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
    assert command["usage_hint"] == (
        "declare [title] | list [open|recent|all] [mine] [SEV1] | find <words> | help"
    )
    assert command["should_escape"] is True  # mentions arrive as <@U…|name>
    assert command["description"].strip()


def test_add_to_timeline_and_declare_message_shortcuts(manifest: dict[str, Any]) -> None:
    timeline, declare = manifest["features"]["shortcuts"]

    assert timeline == {
        "name": "Add to incident timeline",
        "type": "message",
        "callback_id": "add_to_timeline",
        "description": timeline["description"],
    }
    assert declare == {
        "name": "Declare incident",
        "type": "message",
        "callback_id": "declare_from_message",
        "description": declare["description"],
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
    redirects = urls.pop("/oauth_config/redirect_urls")

    assert set(urls) == {
        "/features/slash_commands/0/url",
        "/settings/event_subscriptions/request_url",
        "/settings/interactivity/request_url",
    }
    for where, url in urls.items():
        assert url.startswith("https://"), where
        assert url.endswith(REQUEST_PATH), where
    # Sign in with Slack's return address (web.signin), on the same host.
    host = urls["/settings/interactivity/request_url"].removesuffix(REQUEST_PATH)
    assert redirects == [f"{host}/ui/auth/callback"]


def test_bot_scopes_are_listed_once(manifest: dict[str, Any]) -> None:
    scopes = bot_scopes(manifest)
    assert len(scopes) == len(set(scopes))


@dataclass(frozen=True)
class Need:
    """One use of Slack (a called method, a subscribed event, a feature) and the bot
    scopes any one of which lets it work."""

    use: str
    any_of: frozenset[str]


@cache
def method_scopes() -> dict[str, frozenset[str]]:
    """Web API method -> the bot scopes Slack lists for it: its docs (`methods/`, 2026)
    first, the 2020 OpenAPI spec for methods that scrape does not have."""
    table: dict[str, frozenset[str]] = {}
    for path, operations in _load_json(WEB_API_SPEC)["paths"].items():
        for operation in operations.values():
            for security in operation.get("security", []):
                table[path.lstrip("/")] = frozenset(security.get("slackAuth", []))
    for path in sorted(METHODS_DIR.glob("*.json")):
        scopes = _load_json(path).get("scopes", {}).get("bot", [])
        table[path.stem] = frozenset(scope["name"] for scope in scopes)
    return table | METHOD_SCOPE_CORRECTIONS


def needs_of(use: str, scopes: frozenset[str]) -> list[Need]:
    """What `use` needs, given the scopes Slack lists for it (see CONVERSATION_KINDS)."""
    per_kind = {scope for scope in scopes if scope.split(":")[0] in CONVERSATION_KINDS}
    general = scopes - per_kind
    kinds = [k for k in WAR_ROOM_KINDS if any(s.startswith(f"{k}:") for s in per_kind)]
    if not kinds:
        return [Need(use, scopes)] if scopes else []
    return [
        Need(f"{use} in {kind}", general | {s for s in per_kind if s.startswith(f"{kind}:")})
        for kind in kinds
    ]


def bot_events(manifest: dict[str, Any]) -> list[str]:
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert isinstance(events, list)
    return events


def needs(manifest: dict[str, Any], listeners: Registrations) -> list[Need]:
    """Every scope need of Warroom's code (methods it calls) and of `manifest`
    (events it subscribes, features it declares)."""
    known_methods, known_events = method_scopes(), event_scopes()
    found: list[Need] = []
    called = called_methods()
    for method in listeners.bolt_argument_methods():
        called.setdefault(method, []).append("a Bolt listener argument")
    for method, where in sorted(called.items()):
        assert method in known_methods, (
            f"{method} (called at {', '.join(where)}): no scope data for it; copy Slack's "
            f"reference for it into {METHODS_DIR.relative_to(ROOT)}/"
        )
        found += needs_of(f"{method} (called at {', '.join(where)})", known_methods[method])
    for event in bot_events(manifest):
        assert event in known_events, f"{event}: not in the AsyncAPI spec; add a correction"
        found += needs_of(f"event {event}", known_events[event])
    for scope, features in FEATURE_SCOPES.items():
        if any(manifest["features"].get(feature) for feature in features):
            found.append(Need(" and ".join(features), frozenset({scope})))
    return found


def unmet(scopes: set[str], wanted: list[Need]) -> list[str]:
    return [
        f"{need.use} needs one of {sorted(need.any_of)}"
        for need in wanted
        if not need.any_of & scopes
    ]


@pytest.fixture(params=["http", "socket_mode"])
def variant(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Each manifest Warroom ships: the HTTP one and the Socket Mode variant."""
    if request.param == "http":
        loaded = yaml.safe_load(_manifest_text())
        assert isinstance(loaded, dict)
        return loaded
    variant = socket_mode_variant()
    assert isinstance(variant, dict)
    return variant


def _runtime(tmp_path: Path) -> Runtime:
    settings = Settings(
        _env_file=None,
        slack_bot_token="xoxb-manifest-check",
        slack_signing_secret="manifest-check",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'unused.db'}",
    )
    return build_runtime(settings)


@pytest.fixture
async def listeners(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> AsyncIterator[Registrations]:
    """What the Bolt app `warroom serve` runs listens to."""
    recorded = recording_registrations(monkeypatch)
    runtime = _runtime(tmp_path)
    build_bolt_app(runtime)
    yield recorded
    await runtime.close()


async def test_socket_mode_listens_to_the_same(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    runtime = _runtime(tmp_path)
    try:
        over_http = recording_registrations(monkeypatch)
        build_bolt_app(runtime)
        over_socket = recording_registrations(monkeypatch)
        build_bolt_app(runtime, socket_mode=True)
    finally:
        await runtime.close()

    assert over_http.listeners and over_socket.listeners == over_http.listeners


def test_every_called_method_and_subscribed_event_has_its_scope(
    variant: dict[str, Any], listeners: Registrations
) -> None:
    problems = unmet(set(bot_scopes(variant)), needs(variant, listeners))

    assert not problems, "manifest.yml lacks scopes:\n" + "\n".join(problems)


def test_every_scope_is_needed(variant: dict[str, Any], listeners: Registrations) -> None:
    """A scope is needed when, without it, some method, event or feature would fail
    (so a second scope that grants what another already does is not needed)."""
    scopes, wanted = set(bot_scopes(variant)), needs(variant, listeners)
    assert unmet(scopes, wanted) == []

    unneeded = [scope for scope in sorted(scopes) if not unmet(scopes - {scope}, wanted)]

    assert not unneeded, f"manifest.yml asks for scopes nothing needs: {unneeded}"
    # Warroom joins the broadcast channel (channels:join) instead of posting into
    # channels it is not in; neither are user tokens part of the product.
    assert "chat:write.public" not in scopes
    assert "user" not in variant["oauth_config"]["scopes"]


def _listener_type(event: str) -> str:
    """The event type Bolt sees for a subscription: message.channels arrives as `message`."""
    return "message" if event.startswith("message.") else event


def test_every_subscribed_event_has_a_listener(
    variant: dict[str, Any], listeners: Registrations
) -> None:
    listened = listeners.event_types()

    unheard = [e for e in bot_events(variant) if _listener_type(e) not in listened]

    assert not unheard, f"manifest.yml subscribes to events nothing listens to: {unheard}"


def test_every_listener_event_is_subscribed(
    variant: dict[str, Any], listeners: Registrations
) -> None:
    subscribed = {_listener_type(event) for event in bot_events(variant)}

    missing = sorted(listeners.event_types() - subscribed)

    assert not missing, f"listeners for events manifest.yml does not subscribe to: {missing}"
    # Direct messages are not read: the Messages tab is read-only instead.
    assert "message.im" not in bot_events(variant)
    assert variant["features"]["app_home"]["messages_tab_read_only_enabled"] is True
    # The Home tab is published on app_home_opened, in both variants.
    assert variant["features"]["app_home"]["home_tab_enabled"] is True
    assert "app_home_opened" in bot_events(variant)


def test_commands_and_shortcuts_are_those_with_listeners(
    variant: dict[str, Any], listeners: Registrations
) -> None:
    features = variant["features"]
    commands = {command["command"] for command in features.get("slash_commands", [])}
    shortcuts = {shortcut["callback_id"] for shortcut in features.get("shortcuts", [])}

    assert commands == listeners.named("command")
    assert shortcuts == listeners.named("shortcut", "global_shortcut", "message_shortcut")
    interactive = listeners.constraints(
        "action", "block_action", "view", "view_submission", "view_closed", "shortcut"
    )
    assert variant["settings"]["interactivity"]["is_enabled"] is bool(interactive)


def test_the_call_finder_sees_a_new_call_and_the_check_then_fails(
    manifest: dict[str, Any], listeners: Registrations
) -> None:
    """The derivation is not vacuous: a call added anywhere, through the SDK's method
    or `api_call`, is found, and a scope the manifest lacks makes the check fail."""
    source = (
        "async def f(gateway, client):\n"
        "    await gateway.client.users_lookupByEmail(email='a@example.com')\n"
        "    await client.api_call('bookmarks.add', json={})\n"
        "    await client.files_upload_v2(channel='C1', content='x')\n"
        "    unpin = functools.partial(client.pins_remove, channel='C1')\n"
    )
    found = {site.method for site in calls_in(source, "added.py")}
    assert found == {
        "users.lookupByEmail",
        "bookmarks.add",
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
        "pins.remove",
    }

    added = [n for m in sorted(found) for n in needs_of(m, method_scopes()[m])]
    problems = unmet(set(bot_scopes(manifest)), needs(manifest, listeners) + added)

    assert problems == [
        "bookmarks.add needs one of ['bookmarks:write']",
        "users.lookupByEmail needs one of ['users:read.email']",
    ]


def _without_request_urls(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: _without_request_urls(value)
            for key, value in node.items()
            if key not in {"url", "request_url", "redirect_urls"}
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
