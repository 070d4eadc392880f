"""Properties of the checks before Bolt: any headers and any body get an answer, never an error."""

import json
from typing import Any
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.slack.request_checks import payload_problem, signature_problem
from tests.doubles.properties import examples
from tests.doubles.slack_requests import SIGNING_SECRET, sign
from tests.timebound import within
from tests.untrusted_text import ANY_CHARACTER, untrusted_text

SECONDS = 5
PROPERTY = settings(max_examples=examples(80), deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEADER = (
    st.none()
    | untrusted_text(100)
    | st.integers(-(10**20), 10**20).map(str)
    | st.text("0123456789²", max_size=5000)
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(ANY_CHARACTER, max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12) | st.sampled_from(["type", "event", "user", "team", "channel", "actions", "authorizations", "command", "response_url", "view", "callback_id"]), inner, max_size=5),
    max_leaves=25,
)  # fmt: skip


@PROPERTY
@given(body=st.binary(max_size=2000), timestamp=HEADER, signature=HEADER, now=st.floats(0, 2e10))
def test_request_checks_signature_problem_never_raises(
    body: bytes, timestamp: str | None, signature: str | None, now: float
) -> None:
    problem = within(SECONDS, lambda: signature_problem(body, timestamp, signature, SIGNING_SECRET, now))
    assert problem is None or isinstance(problem, str)


@PROPERTY
@given(body=st.binary(max_size=2000))
def test_request_checks_signature_problem_accepts_what_slack_signs(body: bytes) -> None:
    headers = sign(body)
    timestamp, signature = headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    assert signature_problem(body, timestamp, signature, SIGNING_SECRET, float(timestamp)) is None


def _bodies() -> st.SearchStrategy[tuple[bytes, str]]:
    """Raw bytes, JSON values, form fields and form payloads, under any content type."""
    kind = st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain", ""])
    as_json = JSON_VALUES.map(lambda v: json.dumps(v).encode())
    as_payload = JSON_VALUES.map(lambda v: urlencode({"payload": json.dumps(v)}).encode())
    as_form = st.dictionaries(st.text(max_size=10), st.text(max_size=30)).map(
        lambda fields: urlencode(fields, errors="surrogatepass").encode()
    )
    return st.tuples(st.one_of(st.binary(max_size=3000), as_json, as_payload, as_form), kind)


@PROPERTY
@given(request=_bodies(), query=st.binary(max_size=50))
def test_request_checks_payload_problem_never_raises(request: tuple[bytes, str], query: bytes) -> None:
    body, kind = request
    problem = within(SECONDS, lambda: payload_problem(body, kind, query))
    assert problem is None or (isinstance(problem, str) and "\n" not in problem)


def _event(**fields: Any) -> bytes:
    inner = {"type": "message", "channel": "D1", "channel_type": "im", "user": "U1", "ts": "1.1"} | fields
    return json.dumps({"type": "event_callback", "event_id": "Ev1", "event": inner}).encode()


@PROPERTY
@given(text=untrusted_text(2000).filter(lambda t: not any(0xD800 <= ord(c) <= 0xDFFF for c in t)))
def test_request_checks_accept_any_well_formed_text(text: str) -> None:
    assert payload_problem(_event(text=text), "application/json") is None
