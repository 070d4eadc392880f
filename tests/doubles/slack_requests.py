"""Slack requests as Slack sends them: payloads signed with the real signing scheme."""

import hashlib
import hmac
import itertools
import json
import time
from typing import Any
from urllib.parse import urlencode

from flask.testing import FlaskClient

SIGNING_SECRET = "test-signing-secret-never-logged-7f3a"
USER, CHANNEL, DM = "U0USER001", "C0CHAN001", "D0DIRECT1"
_ids = itertools.count(1)


def sign(body: bytes, secret: str = SIGNING_SECRET, timestamp: str | None = None) -> dict[str, str]:
    """Headers carrying a valid v0 signature of the body."""
    timestamp = timestamp or str(int(time.time()))
    base = b"v0:" + timestamp.encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={digest}"}


def slash_command(text: str, response_url: str, command: str = "/framework") -> tuple[bytes, str]:
    """A slash command body (form-encoded) and its content type."""
    fields = {
        "token": "deprecated",
        "team_id": "T0000001",
        "channel_id": CHANNEL,
        "user_id": USER,
        "user_name": "asker",
        "command": command,
        "text": text,
        "response_url": response_url,
        "trigger_id": f"trigger-{next(_ids)}",
        "api_app_id": "A0APP0001",
    }
    return urlencode(fields).encode(), "application/x-www-form-urlencoded"


def event(inner: dict[str, Any], event_id: str | None = None) -> tuple[bytes, str]:
    """An Events API callback (JSON) wrapping one event."""
    body = {
        "token": "deprecated",
        "team_id": "T0000001",
        "api_app_id": "A0APP0001",
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_ids):08d}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": "T0000001", "user_id": "UBOT0001", "is_bot": True}],
        "event": inner,
    }
    return json.dumps(body).encode(), "application/json"


def dm(
    text: str, ts: str = "1700000500.000001", thread_ts: str | None = None, **extra: Any
) -> dict[str, Any]:
    """A direct message event from a person."""
    message = {"type": "message", "channel": DM, "channel_type": "im", "user": USER, "text": text, "ts": ts}
    message |= {"client_msg_id": f"msg-{next(_ids)}", "team": "T0000001"}
    if thread_ts:
        message["thread_ts"] = thread_ts
    return message | extra


def mention(text: str, ts: str = "1700000600.000001", thread_ts: str | None = None) -> dict[str, Any]:
    """An app_mention event in a channel."""
    inner = {"type": "app_mention", "channel": CHANNEL, "user": USER, "text": f"<@UBOT0001> {text}", "ts": ts}
    return inner | ({"thread_ts": thread_ts} if thread_ts else {}) | {"team": "T0000001"}


def block_action(action_id: str, value: str, response_url: str, ephemeral: bool = True) -> tuple[bytes, str]:
    """An interactivity payload for one button click (form-encoded ``payload``)."""
    payload = {
        "type": "block_actions",
        "team": {"id": "T0000001"},
        "user": {"id": USER, "team_id": "T0000001"},
        "api_app_id": "A0APP0001",
        "trigger_id": f"trigger-{next(_ids)}",
        "container": {"type": "message", "is_ephemeral": ephemeral, "channel_id": CHANNEL},
        "channel": {"id": CHANNEL, "name": "general"},
        "response_url": response_url,
        "actions": [
            {"type": "button", "action_id": action_id, "block_id": "b1", "value": value, "action_ts": "1"}
        ],
    }
    return urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded"


def post(client: FlaskClient, payload: tuple[bytes, str], **headers: str) -> Any:
    """POST a signed Slack request to /slack/events."""
    body, kind = payload
    return client.post("/slack/events", data=body, headers={"Content-Type": kind, **sign(body), **headers})


def blocks_text(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks)


def streamed(args: dict[str, Any]) -> str:
    """The markdown text one chat.*Stream call carried (the SDK sends it as chunks)."""
    chunks = args.get("chunks") or []
    if isinstance(chunks, str):
        chunks = json.loads(chunks)
    return str(args.get("markdown_text", "")) + "".join(
        c["text"] for c in chunks if c.get("type") == "markdown_text"
    )


def visible(blocks: list[dict[str, Any]]) -> str:
    """Every text a person sees in the blocks (not button values, which Slack never shows)."""
    seen = []
    for block in blocks:
        if isinstance(block.get("text"), dict):
            seen.append(block["text"]["text"])
        elif isinstance(block.get("text"), str):
            seen.append(block["text"])
        seen += [e["text"] for e in block.get("elements", []) if isinstance(e.get("text"), str)]
    return "\n".join(seen)


def markdown(blocks: list[dict[str, Any]]) -> str:
    return "\n\n".join(b["text"] for b in blocks if b["type"] == "markdown")


def home_opened(tab: str = "home", user: str = USER) -> dict[str, Any]:
    """An app_home_opened event for one tab of the App Home."""
    return {
        "type": "app_home_opened",
        "user": user,
        "channel": DM,
        "tab": tab,
        "event_ts": "1700000800.000001",
    }


def view_action(action_id: str, value: str, action_ts: str = "1") -> tuple[bytes, str]:
    """A button click on a published view (the Home tab): no channel and no response_url."""
    payload = {
        "type": "block_actions",
        "team": {"id": "T0000001"},
        "user": {"id": USER, "team_id": "T0000001"},
        "api_app_id": "A0APP0001",
        "trigger_id": f"trigger-{next(_ids)}",
        "container": {"type": "view", "view_id": "V0HOME001"},
        "view": {"id": "V0HOME001", "type": "home", "blocks": []},
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b1",
                "value": value,
                "action_ts": action_ts,
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded"


def message_shortcut(
    text: str | None,
    response_url: str,
    ts: str = "1700001000.000001",
    thread_ts: str | None = None,
    channel: str = CHANNEL,
    callback_id: str = "ask_framework_advisor",
    author: dict[str, str] | None = None,
) -> tuple[bytes, str]:
    """A message shortcut used on someone's message (form-encoded ``payload``)."""
    message: dict[str, Any] = {"type": "message", "ts": ts} | (author or {"user": "U0TEAMMATE"})
    if text is not None:
        message["text"] = text
    if thread_ts:
        message["thread_ts"] = thread_ts
    payload = {
        "type": "message_action",
        "callback_id": callback_id,
        "trigger_id": f"trigger-{next(_ids)}",
        "message_ts": ts,
        "response_url": response_url,
        "team": {"id": "T0000001", "domain": "example"},
        "user": {"id": USER, "name": "asker", "team_id": "T0000001"},
        "channel": {"id": channel, "name": "general"},
        "message": message,
        "action_ts": "1700001000.5",
    }
    return urlencode({"payload": json.dumps(payload)}).encode(), "application/x-www-form-urlencoded"
