"""Shared fixtures: the real knowledge base, an advisor over it, and a scratch copy to break."""

import contextlib
import shutil
import sqlite3
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

from bot.advisor import Advisor
from bot.core.knowledge import Knowledge, load_knowledge
from bot.core.rules import RulesAdvisor
from tests.doubles.clock import Waits
from tests.doubles.constants import KNOWLEDGE_DIR, PROMPTS_DIR, SLACK_TOKEN, TEST_KEY
from tests.doubles.web_app import web_client

# No per-example deadline and no too_slow health check: two cores shared with other test runs make
# input generation and examples slow at times, which says nothing about the code under test.
# Everyday runs try a quarter of the examples; CI (.ci/run) passes --hypothesis-profile=ci for all
# of them. Explicit counts scale the same way through tests.doubles.properties.examples().
settings.register_profile("ci", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", settings.get_profile("ci"), max_examples=25)
settings.load_profile("dev")

if TYPE_CHECKING:
    from flask.testing import FlaskClient

    from bot.claude.model_interface import Model
    from bot.claude.prompts import Prompts
    from bot.slack.answer_pool import AnswerPool
    from bot.slack.web_api import RetryPacing
    from tests.doubles.anthropic_api import AnthropicDouble
    from tests.doubles.slack_api import SlackDouble


@pytest.fixture(autouse=True)
def _identity_ends_with_its_test(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Stop every Slack app's background auth.test when its test ends.

    A test can end before its app's auth.test got through; the thread would then retry against
    the stopped double for the rest of the run, logging into whichever test runs at the time.
    """
    from bot.slack.identity import BotIdentity

    started: list[tuple[BotIdentity, threading.Thread]] = []
    learn = BotIdentity.learn_in_background

    def tracked(identity: BotIdentity) -> threading.Thread:
        thread = learn(identity)
        started.append((identity, thread))
        return thread

    monkeypatch.setattr(BotIdentity, "learn_in_background", tracked)
    yield
    for identity, thread in started:
        identity.stop()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    """The project's knowledge base, loaded once."""
    return load_knowledge(KNOWLEDGE_DIR)


@pytest.fixture(scope="session")
def rules(knowledge: Knowledge) -> RulesAdvisor:
    """The rules advisor over the real knowledge."""
    return RulesAdvisor(knowledge)


@pytest.fixture(scope="session")
def advisor(knowledge: Knowledge, rules: RulesAdvisor) -> Advisor:
    """The advisor front ends use, offline."""
    return Advisor(knowledge, rules)


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A writable copy of the knowledge directory."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    return target


@pytest.fixture(scope="session")
def prompts() -> "Prompts":
    """The project's prompts."""
    from bot.claude.prompts import load_prompts

    return load_prompts(PROMPTS_DIR)


@pytest.fixture
def anthropic_api() -> Iterator["AnthropicDouble"]:
    """A loopback Anthropic Messages API, recording what it receives."""
    from tests.doubles.anthropic_api import AnthropicDouble

    with AnthropicDouble() as double:
        yield double


@pytest.fixture(scope="session")
def tls() -> ssl.SSLContext:
    """One TLS context for every Claude client (each would otherwise load a CA bundle: 30 ms)."""
    return ssl.create_default_context()


@pytest.fixture
def claude(anthropic_api: "AnthropicDouble", tls: ssl.SSLContext) -> Iterator["Model"]:
    """The real Claude adapter (real SDK) pointed at the double."""
    from bot.claude.client import ClaudeModel

    model = ClaudeModel(
        api_key=TEST_KEY,
        name="claude-haiku-5-5",
        base_url=anthropic_api.url,
        max_retries=1,
        timeout=10,  # per phase, like the advisor's deadline: far from any answer of the double
        tls=tls,
    )
    yield model
    model.close()


@pytest.fixture
def model_advisor(knowledge: Knowledge, rules: RulesAdvisor, claude: "Model", prompts: "Prompts") -> Advisor:
    """An advisor that asks Claude (the double) first."""
    from bot.advisor import ModelOptions
    from bot.claude.breaker import CircuitBreaker

    # A deadline the double's answers never come near, even with the machine's cores busy (a
    # 38,000-character stream once missed 2 s): these tests are about answers, and the tests of
    # the deadline use their own short one against a short delay (tests/test_advisor.py).
    options = ModelOptions(deadline_seconds=10.0)
    return Advisor(knowledge, rules, claude, prompts, CircuitBreaker(threshold=3, cooldown=60), options)


@pytest.fixture
def slack_api() -> Iterator["SlackDouble"]:
    """A loopback Slack Web API, recording every call."""
    from tests.doubles.slack_api import SlackDouble

    with SlackDouble() as double:
        yield double


@pytest.fixture(scope="session")
def upgraded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite database with the current schema, made once: creating one costs 20-30 ms of fsyncs."""
    from bot.storage.sqlite import SqliteStore

    path = tmp_path_factory.mktemp("template") / "advisor.sqlite3"
    SqliteStore(path).upgrade()
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the file we copy
    return path


@pytest.fixture
def slack_env(tmp_path: Path, slack_api: "SlackDouble", upgraded_db: Path) -> dict[str, str]:
    """Environment for the Slack app pointed at the doubles, its database a copy of an upgraded one."""
    from tests.doubles.slack_requests import SIGNING_SECRET

    database = tmp_path / "advisor.sqlite3"
    shutil.copyfile(upgraded_db, database)
    return {
        "SLACK_BOT_TOKEN": SLACK_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack_api.url,
        "ADVISOR_DB_PATH": str(database),
    }


@pytest.fixture
def pool() -> Iterator["AnswerPool"]:
    """The answer pool; ``pool.drain()`` waits for every answer job queued so far."""
    from bot.slack.answer_pool import AnswerPool

    answers = AnswerPool(threads=4)
    yield answers
    answers.drain()


@pytest.fixture
def waits() -> Waits:
    """What the Slack clients' retries asked to wait, in seconds (they never really wait)."""
    return Waits()


@pytest.fixture
def pacing(waits: Waits) -> "RetryPacing":
    """Slack retry pacing with no jitter, whose waits are recorded in ``waits``."""
    from bot.slack.web_api import RetryPacing

    return RetryPacing(jitter=0.0, sleep=waits)


@pytest.fixture
def web(
    slack_env: dict[str, str], advisor: Advisor, pool: "AnswerPool", pacing: "RetryPacing"
) -> "FlaskClient":
    """The Flask app with the rules-only advisor, answering on ``pool``."""
    return web_client(slack_env, advisor, pool, pacing=pacing)


@pytest.fixture
def model_web(
    slack_env: dict[str, str], model_advisor: Advisor, pool: "AnswerPool", pacing: "RetryPacing"
) -> "FlaskClient":
    """The Flask app with Claude (the Anthropic double) in front of the rules, answering on ``pool``."""
    return web_client(slack_env, model_advisor, pool, pacing=pacing)
