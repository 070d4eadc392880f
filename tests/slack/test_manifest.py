"""manifest.yml matches the code: what it listens to is subscribed, what it calls has its scope.

The events, shortcuts and Web API methods are read from the code under bot/slack (its syntax
tree), and each client method is resolved to the Web API methods it really calls by reading the
installed slack_sdk and slack_bolt source, so a new call cannot slip past a hand-kept list.
"""

import ast
import importlib
import inspect
import re
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from slack_sdk import WebClient

from tests.doubles.constants import PROJECT_ROOT

SLACK_CODE = PROJECT_ROOT / "bot" / "slack"

# Bot-token scopes each Web API method needs, from Slack's method reference pages. A method the
# code calls that is missing here fails the test: look its scopes up and add them.
METHOD_SCOPES: dict[str, set[str]] = {
    "auth.test": set(),
    "views.publish": set(),
    "chat.postMessage": {"chat:write"},
    "chat.postEphemeral": {"chat:write"},
    "chat.update": {"chat:write"},
    "chat.delete": {"chat:write"},
    "chat.startStream": {"chat:write"},
    "chat.appendStream": {"chat:write"},
    "chat.stopStream": {"chat:write"},
    "assistant.threads.setStatus": {"assistant:write"},
    "assistant.threads.setSuggestedPrompts": {"assistant:write"},
    "assistant.threads.setTitle": {"assistant:write"},
    # the bot reads threads wherever it can be asked: channels, private channels, DMs, group DMs
    "conversations.replies": {"channels:history", "groups:history", "im:history", "mpim:history"},
}
# Scopes each Events API subscription needs (Slack's event reference pages).
EVENT_SCOPES: dict[str, set[str]] = {
    "app_home_opened": set(),
    "app_mention": {"app_mentions:read"},
    "message.im": {"im:history"},
    "message.channels": {"channels:history"},
    "message.groups": {"groups:history"},
    "message.mpim": {"mpim:history"},
}
# Which subscription delivers a "message" event of each channel type.
MESSAGE_EVENTS = {
    "im": "message.im",
    "channel": "message.channels",
    "group": "message.groups",
    "mpim": "message.mpim",
}
# Scopes that no single method needs but a surface does.
SURFACE_SCOPES = {
    "chat:write.public": "posting a shared answer into a public channel the bot has not joined",
}
_BOLT_HELPERS = ("say", "say_stream", "set_status", "set_suggested_prompts", "set_title")


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    """The manifest a workspace admin pastes."""
    loaded: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "manifest.yml").read_text())
    return loaded


@pytest.fixture(scope="module")
def code() -> list[ast.Module]:
    """The syntax trees of the Slack adapter's modules."""
    return [ast.parse(path.read_text(), str(path)) for path in sorted(SLACK_CODE.glob("*.py"))]


def _calls(trees: list[ast.Module]) -> Iterator[ast.Call]:
    for tree in trees:
        yield from (node for node in ast.walk(tree) if isinstance(node, ast.Call))


def _constants(trees: list[ast.Module]) -> dict[str, Any]:
    """Module-level string (and tuple of strings) constants, to resolve names used as arguments."""
    found: dict[str, Any] = {}
    for tree in trees:
        for node in tree.body:
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
            ):
                try:
                    found[node.targets[0].id] = ast.literal_eval(node.value)
                except ValueError:
                    continue
    return found


def _registered(trees: list[ast.Module], kind: str) -> set[str]:
    """The names passed to ``app.<kind>(...)`` (event types, shortcut callback ids)."""
    constants = _constants(trees)
    names = set()
    for call in _calls(trees):
        if isinstance(call.func, ast.Attribute) and call.func.attr == kind and call.args:
            arg = call.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                names.add(arg.value)
            elif isinstance(arg, ast.Name) and isinstance(constants.get(arg.id), str):
                names.add(constants[arg.id])
    return names


def _message_channel_types(trees: list[ast.Module]) -> set[str]:
    """Channel types the code compares ``event.get("channel_type")`` with."""
    constants = _constants(trees)
    found: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Compare) and "channel_type" in ast.unparse(node.left)):
                continue
            for right in node.comparators:
                value = constants.get(right.id) if isinstance(right, ast.Name) else ast.literal_eval(right)
                found |= {value} if isinstance(value, str) else set(value or ())
    return found


def _without_docstrings(source: str) -> str:
    tree = ast.parse(textwrap.dedent(source))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            body.pop(0)  # type: ignore[union-attr]
    return ast.unparse(tree)


def _is_client_method(name: str) -> bool:
    return not name.startswith("_") and name != "api_call" and callable(getattr(WebClient, name, None))


def _api_methods_in(source: str, module: Any, seen: set[str]) -> set[str]:
    """Web API methods a piece of slack_sdk/slack_bolt source calls, following client methods and classes."""
    code = _without_docstrings(source)
    found = set(re.findall(r"api_call\(\s*['\"]([\w.]+)['\"]", code))
    for called in set(re.findall(r"\b(\w+)\(", code)):
        if called in seen:
            continue
        seen.add(called)
        if _is_client_method(called):
            method = getattr(WebClient, called)
            found |= _api_methods_in(inspect.getsource(method), inspect.getmodule(method), seen)
        helper = getattr(module, called, None)
        if inspect.isclass(helper) and helper.__module__.startswith(("slack_sdk", "slack_bolt")):
            found |= _api_methods_in(inspect.getsource(helper), inspect.getmodule(helper), seen)
    return found


def _bolt_helper_source(name: str) -> tuple[str, Any]:
    module = importlib.import_module(f"slack_bolt.context.{name}.{name}")
    return inspect.getsource(module), module


def web_api_methods(trees: list[ast.Module]) -> set[str]:
    """Every Web API method the Slack adapter can call, directly or through Bolt's helpers."""
    found: set[str] = set()
    for call in _calls(trees):
        name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
        if _is_client_method(name):
            method = getattr(WebClient, name)
            found |= _api_methods_in(inspect.getsource(method), inspect.getmodule(method), {name})
        elif name in _BOLT_HELPERS:
            found |= _api_methods_in(*_bolt_helper_source(name), {name})
    return found


def subscribed_for_code(trees: list[ast.Module]) -> set[str]:
    """The event subscriptions the listeners in the code need."""
    events = _registered(trees, "event")
    needed = events - {"message"}
    if "message" in events:
        needed |= {MESSAGE_EVENTS[kind] for kind in _message_channel_types(trees)}
    return needed


def _scopes(manifest: dict[str, Any]) -> set[str]:
    return set(manifest["oauth_config"]["scopes"]["bot"])


def test_manifest_uses_the_agent_view(manifest: dict[str, Any]) -> None:
    features = manifest["features"]
    assert "assistant_view" not in features
    assert features["agent_view"]["agent_description"].strip()
    assert features["app_home"]["messages_tab_enabled"] is True
    assert features["app_home"]["messages_tab_read_only_enabled"] is False


def test_manifest_enables_the_home_tab_the_code_publishes(
    manifest: dict[str, Any], code: list[ast.Module]
) -> None:
    assert "views.publish" in web_api_methods(code)  # the Home tab is published...
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True  # ...so Slack must show it


def test_manifest_subscribes_exactly_the_events_the_code_listens_to(
    manifest: dict[str, Any], code: list[ast.Module]
) -> None:
    needed = subscribed_for_code(code)
    assert "message.im" in needed  # the derivation itself works
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == needed


def test_manifest_has_a_scope_for_every_call_and_event(
    manifest: dict[str, Any], code: list[ast.Module]
) -> None:
    methods = web_api_methods(code)
    assert {"chat.postMessage", "chat.startStream", "chat.stopStream"} <= methods  # resolution works
    unknown = methods - METHOD_SCOPES.keys()
    assert not unknown, f"look up the scopes of {sorted(unknown)} and add them to METHOD_SCOPES"
    granted = _scopes(manifest)
    for method in methods:
        assert METHOD_SCOPES[method] <= granted, f"{method} needs {METHOD_SCOPES[method] - granted}"
    for event in subscribed_for_code(code):
        assert event in EVENT_SCOPES, f"look up the scopes of the {event} event and add them to EVENT_SCOPES"
        assert EVENT_SCOPES[event] <= granted, f"{event} needs {EVENT_SCOPES[event] - granted}"


def test_manifest_asks_for_no_scope_the_code_does_not_use(
    manifest: dict[str, Any], code: list[ast.Module]
) -> None:
    used = set().union(*(METHOD_SCOPES[m] for m in web_api_methods(code)))
    used |= set().union(*(EVENT_SCOPES.get(e, set()) for e in subscribed_for_code(code)))
    if (
        _registered(code, "command")
        or _registered(code, "shortcut")
        or any(isinstance(c.func, ast.Attribute) and c.func.attr == "command" for c in _calls(code))
    ):
        used.add("commands")
    assert _scopes(manifest) - used - SURFACE_SCOPES.keys() == set()


def test_manifest_declares_the_code_s_shortcuts_and_a_command(
    manifest: dict[str, Any], code: list[ast.Module]
) -> None:
    declared = {s["callback_id"] for s in manifest["features"].get("shortcuts", [])}
    assert declared == _registered(code, "shortcut")
    assert manifest["features"]["slash_commands"]


def test_manifest_sends_everything_to_the_one_endpoint(manifest: dict[str, Any]) -> None:
    settings, features = manifest["settings"], manifest["features"]
    urls = [settings["event_subscriptions"]["request_url"], settings["interactivity"]["request_url"]]
    urls += [c["url"] for c in features["slash_commands"]]
    assert all(url.endswith("/slack/events") for url in urls)
    assert settings["interactivity"]["is_enabled"] is True


def test_manifest_scan_sees_helpers_and_streams() -> None:
    """The resolution follows Bolt's helpers and the chat stream class to the methods they call."""
    sample = ast.parse("set_suggested_prompts(prompts=[])\nclient.chat_stream(channel='C', thread_ts='1')")
    assert web_api_methods([sample]) == {
        "assistant.threads.setSuggestedPrompts",
        "chat.startStream",
        "chat.appendStream",
        "chat.stopStream",
    }
