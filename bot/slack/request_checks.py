"""Checks on what arrives at ``/slack/events`` before Bolt sees it: signature, then shape.

Bolt parses the body as soon as it builds its request object, before verifying the signature,
and its parsing and context-building index into the payload without checking types. So the app
checks the signature here first (unsigned junk never reaches a parser), then parses the body
exactly as Bolt will and validates the parts Bolt and the listeners read.
"""

import hashlib
import hmac
import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from slack_bolt.request.internals import parse_body  # the very parser Bolt will use

MAX_CLOCK_SKEW = 5 * 60  # Slack's replay window
# Slack's payloads are a few kilobytes; the largest are button clicks, which carry the message
# (at most about 12,000 characters of Markdown, form-encoded, so up to 9 bytes a letter).
MAX_BODY_BYTES = 512 * 1024
_TIMESTAMP = re.compile(r"[0-9]{1,12}", re.ASCII)  # seconds; 12 digits reach the year 33658
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}", re.ASCII)
# Slack's payloads nest a dozen levels; deeper JSON makes the decoder raise RecursionError,
# which on Python 3.11 can leave the interpreter's recursion accounting broken.
MAX_NESTING = 64
# A string (an unterminated one runs to the end, so no position is scanned twice) or a bracket.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*+"?|[\[\]{}]', re.DOTALL)


def signature_problem(
    body: bytes, timestamp: str | None, signature: str | None, secret: str, now: float
) -> str | None:
    """Why a request is not verifiably from Slack, or None when it is; never raises."""
    if not timestamp or not signature:
        return "missing signature headers"
    if not _TIMESTAMP.fullmatch(timestamp):  # str.isdigit() accepts "²", which int() refuses
        return "timestamp is not a number"
    if abs(now - int(timestamp)) > MAX_CLOCK_SKEW:
        return "stale timestamp"
    if not _SIGNATURE.fullmatch(signature):  # compare_digest raises on non-ASCII text
        return "signature is malformed"
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return None if hmac.compare_digest(expected.encode(), signature.encode()) else "signature does not match"


class _Shape(BaseModel):
    """Types are checked strictly and nothing is converted; fields not named here pass."""

    model_config = ConfigDict(extra="allow", strict=True)

    @model_validator(mode="before")
    @classmethod
    def _no_null_where_read(cls, data: Any) -> Any:
        """Bolt reads these with ``.get(key, {})`` or ``key in body``: present means usable."""
        if isinstance(data, dict):
            nulls = sorted(key for key in _NEVER_NULL if key in data and data[key] is None)
            if nulls:
                raise ValueError(f"{', '.join(nulls)} may be absent but not null")
        return data


_PRINTABLE_URL = re.compile(r"[!-~]+", re.ASCII)
_NEVER_NULL = frozenset(
    {"event", "view", "command", "callback_id", "actions", "response_url", "response_urls"}
)


class _Ref(_Shape):
    """An object Slack refers to by id, such as ``{"id": "T123"}``."""

    id: str | None = None
    team_id: str | None = None


_IdOrRef = str | _Ref | None


class _View(_Shape):
    callback_id: str | None = None
    type: str | None = None
    team_id: str | None = None
    app_installed_team_id: str | None = None


class _Context(_Shape):
    """What Bolt's context building reads, at every level it looks into (it recurses)."""

    team: _IdOrRef = None
    team_id: str | None = None
    enterprise: _IdOrRef = None
    enterprise_id: str | None = None
    is_enterprise_install: bool | str | None = None
    is_ext_shared_channel: bool | None = None
    authorizations: list["_Context"] | None = None
    user: _IdOrRef = None
    user_id: str | None = None
    user_team: str | None = None
    channel: _IdOrRef = None
    channel_id: str | None = None
    thread_ts: str | None = None
    event: "_Event | None" = None
    message: "_Context | None" = None
    previous_message: "_Context | None" = None
    item: "_Context | None" = None
    assistant_thread: "_Context | None" = None
    view: _View | None = None
    function_execution_id: str | None = None
    function_data: dict[str, Any] | None = None
    bot_access_token: str | None = None
    response_url: str | None = Field(default=None, max_length=1000)
    response_urls: list[dict[str, Any]] | None = None

    @field_validator("response_url")
    @classmethod
    def _postable(cls, url: str | None) -> str | None:
        """Where answers are posted: an http(s) URL of printable ASCII with a host and valid port."""
        if url is None:
            return url
        parts = urlsplit(url) if _PRINTABLE_URL.fullmatch(url) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("response_url is not an http(s) URL")
        _ = parts.port  # raises ValueError for a port that is not a number in range
        return url


class _Event(_Context):
    type: str
    channel_type: str | None = None
    text: str | None = None
    ts: str | None = None
    subtype: str | None = None
    bot_id: str | None = None
    tab: str | None = None
    client_msg_id: str | None = None

    @model_validator(mode="after")
    def _placed(self) -> "_Event":
        """Messages and mentions are answered in their channel and thread, so need both."""
        if self.type in ("message", "app_mention") and not (isinstance(self.channel, str) and self.ts):
            raise ValueError(f"a {self.type} event needs a channel id and a ts")
        if self.type in ("message", "app_mention") and isinstance(self.user, _Ref):
            raise ValueError(f"a {self.type} event names its user by id")
        return self


class _Action(_Shape):
    action_id: str
    type: str | None = None
    block_id: str | None = None
    value: str | None = None


# Interactivity payloads: their user, channel and team are objects, and listeners read them so.
_INTERACTIVE = frozenset(
    {"block_actions", "message_action", "shortcut", "view_submission", "view_closed", "block_suggestion"}
)
_SHORTCUTS = frozenset({"message_action", "shortcut"})


class _Envelope(_Context):
    """Everything Bolt's request parsing and context building read, and the listeners after it."""

    type: str | None = None
    token: str | None = None
    command: str | None = None
    text: str | None = None
    trigger_id: str | None = None
    event_id: str | None = None
    callback_id: str | None = None
    actions: list[_Action] | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _complete(self) -> "_Envelope":
        """Kinds of request the app acts on carry what it acts on."""
        if self.type == "event_callback" and self.event is None:
            raise ValueError("an event callback needs an event")
        if self.type == "block_actions" and self.actions is None:
            raise ValueError("a button click needs actions")
        if self.type == "block_actions" and _on_a_message(self) and self.response_url is None:
            raise ValueError("a click on a message needs the response_url to answer on")
        if self.type in _SHORTCUTS and self.callback_id is None:
            raise ValueError("a shortcut needs a callback_id")
        if self.type in _INTERACTIVE and not isinstance(self.user, _Ref):
            raise ValueError(f"a {self.type} payload needs a user object")
        if self.type in _INTERACTIVE and (isinstance(self.channel, str) or isinstance(self.team, str)):
            raise ValueError(f"a {self.type} payload gives its channel and team as objects")
        if self.command is not None and not self.command.startswith("/"):
            raise ValueError("a command starts with /")
        if (self.command is not None or self.type in _SHORTCUTS) and self.response_url is None:
            raise ValueError("a command or shortcut needs a response_url to answer on")
        return self


def _on_a_message(envelope: _Envelope) -> bool:
    """Whether a click came from a message (App Home clicks come from a view, without response_url)."""
    container = (envelope.model_extra or {}).get("container")
    return isinstance(container, dict) and container.get("type") == "message"


def payload_problem(body: bytes, content_type: str | None, query: bytes = b"") -> str | None:
    """Why a signed body cannot be handled (one short line), or None when it can; never raises."""
    try:
        text = body.decode("utf-8")  # Bolt decodes body and query; bad bytes would change them
        query.decode("utf-8")
    except UnicodeDecodeError:
        return "body is not UTF-8"
    kind = (content_type or "").split(";")[0] or None
    if _nesting(_json_text(text, kind)) > MAX_NESTING:
        return "body is nested too deeply"
    try:
        parsed = parse_body(text, kind)
    except ValueError:  # json.JSONDecodeError is a ValueError
        return "body is not valid JSON"
    if not isinstance(parsed, dict):
        return f"body is a JSON {_json_kind(parsed)}, not an object"
    try:  # JSON can escape half a surrogate pair; no such text can be posted back to Slack
        json.dumps(parsed, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return "body has text with unpaired surrogates"
    try:
        _Envelope.model_validate(parsed)
    except ValidationError as error:
        return _first_problem(error)
    return None


def _json_text(text: str, kind: str | None) -> str:
    """The JSON that Bolt's parse_body will decode: the body, or its form field ``payload``."""
    if kind == "application/json" or text.startswith("{") or "payload" not in text:
        return text
    return dict(parse_qsl(text, keep_blank_values=True)).get("payload", "")


def _nesting(text: str) -> int:
    """How deeply JSON arrays and objects nest (brackets inside strings do not count)."""
    depth = deepest = 0
    for token in _JSON_TOKEN.finditer(text):
        bracket = token[0]
        if bracket in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif bracket in "]}":
            depth -= 1
    return deepest


def _json_kind(value: object) -> str:
    """The JSON name of a parsed value's type."""
    return {list: "array", str: "string", type(None): "null", bool: "boolean"}.get(type(value), "number")


def _first_problem(error: ValidationError) -> str:
    """The first validation problem as one line, with its place but never the value."""
    problem = error.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(part) for part in problem["loc"]) or "body"
    return f"{where}: {problem['msg']}"[:200]
