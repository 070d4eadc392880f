"""HTTP and Socket Mode at parity: every surface, sent both ways, makes the same Slack calls.

The Socket Mode side goes through Bolt's own Socket Mode adapter function (``run_bolt_app``),
exactly as ``framework-advisor slack --socket`` receives requests, minus the WebSocket.
"""

import json
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from flask.testing import FlaskClient
from slack_bolt import App
from slack_bolt.adapter.socket_mode.internals import run_bolt_app
from slack_sdk.socket_mode.request import SocketModeRequest

from bot.advisor import Advisor
from bot.settings import settings_from
from bot.slack.bolt_app import build_slack_app
from bot.slack.home import HOME_ASK_ACTION
from tests.doubles.slack_api import SlackDouble
from tests.doubles.slack_requests import (
    SIGNING_SECRET,
    dm,
    event,
    home_opened,
    mention,
    message_shortcut,
    post,
    slash_command,
    view_action,
)
from tests.slack.test_follow_ups import ROOT, reply

Payload = tuple[bytes, str]
# One step: the request to send (built for a given double), then the call to wait for and its count.
Step = tuple[Callable[[SlackDouble], Payload], str, int]

SURFACES: dict[str, list[Step]] = {
    "dm open": [(lambda _: event(home_opened(tab="messages")), "assistant.threads.setSuggestedPrompts", 1)],
    "dm message": [(lambda _: event(dm("Django or Flask for a blog?")), "chat.postMessage", 1)],
    "mention": [(lambda _: event(mention("Django or Flask for a blog?")), "chat.postMessage", 1)],
    "thread follow-up": [
        (
            lambda _: event(mention("We are building an API with heavy traffic", ts=ROOT)),
            "chat.postMessage",
            1,
        ),
        (lambda _: event(reply("and an admin panel?", ts="1700002001.000001")), "chat.postMessage", 2),
    ],
    "shortcut": [
        (lambda d: message_shortcut("Django or Flask for a blog?", d.response_url()), "chat.postMessage", 2)
    ],
    "home tab": [(lambda _: event(home_opened()), "views.publish", 1)],
    "home button": [(lambda _: view_action(HOME_ASK_ACTION, "0"), "chat.postMessage", 2)],
    "slash command": [
        (lambda d: slash_command("Django or Flask?", d.response_url()), "response_url/response/cmd", 1)
    ],
}


@pytest.fixture
def socket_api() -> Iterator[SlackDouble]:
    """A second Slack double, for the Socket Mode app."""
    with SlackDouble() as double:
        yield double


def socket_body(payload: Payload) -> dict[str, Any]:
    """What Slack sends over the socket for a request: the same payload, already parsed."""
    body, kind = payload
    if kind == "application/json":
        parsed: dict[str, Any] = json.loads(body)
        return parsed
    fields = dict(parse_qsl(body.decode()))
    return json.loads(fields["payload"]) if "payload" in fields else dict(fields)


def calls(double: SlackDouble) -> Counter[tuple[str, str, str]]:
    """The calls a double saw, by method, channel and thread (order aside: answers run in parallel)."""
    seen: Counter[tuple[str, str, str]] = Counter()
    for call in double.calls:
        channel = str(
            call.args.get("channel") or call.args.get("channel_id") or call.args.get("user_id") or ""
        )
        seen[(call.method, channel, str(call.args.get("thread_ts") or ""))] += 1
    return seen


@pytest.mark.parametrize("surface", SURFACES)
def test_socket_mode_matches_http(
    surface: str,
    web: FlaskClient,
    slack_api: SlackDouble,
    socket_api: SlackDouble,
    advisor: Advisor,
    tmp_path: Path,
) -> None:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-socket-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_APP_TOKEN": "xapp-socket-test",
        "SLACK_API_URL": socket_api.url,
        "ADVISOR_DB_PATH": str(tmp_path / "socket.sqlite3"),
    }
    bolt: App = build_slack_app(settings_from(env), advisor).bolt
    for build, method, count in SURFACES[surface]:
        assert post(web, build(slack_api)).status_code == 200
        slack_api.wait_for(method, count)
        request = SocketModeRequest(
            type="events_api", envelope_id="e1", payload=socket_body(build(socket_api))
        )
        assert run_bolt_app(bolt, request).status == 200
        socket_api.wait_for(method, count)
    for double in (slack_api, socket_api):  # each app learns who it is once, in the background
        double.wait_for("auth.test")
    assert calls(socket_api) == calls(slack_api)
