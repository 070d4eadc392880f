"""Builds the advisor, its model and the store from settings: the one place that picks implementations."""

from typing import TYPE_CHECKING

from bot.advisor import Advisor, ModelOptions
from bot.claude.breaker import CircuitBreaker
from bot.claude.limits import LocalCounter, UsageCounter, UserLimiter
from bot.claude.model_interface import Model
from bot.claude.prompts import Budgets, load_prompts
from bot.core.knowledge import Knowledge, load_knowledge
from bot.core.rules import RulesAdvisor
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.storage.resilient import ResilientStore
    from bot.storage.store import Store

LEASE_MARGIN_SECONDS = 60.0  # a lease outlives the answer's deadline, then expires if its process died


def build_model(settings: Settings) -> Model:
    """Claude as configured; importing the SDK only here keeps the offline path fast."""
    from bot.claude.client import ClaudeModel  # deliberately lazy

    assert settings.anthropic_api_key is not None
    return ClaudeModel(
        api_key=settings.anthropic_api_key.get_secret_value(),
        name=settings.anthropic_model,
        base_url=settings.anthropic_base_url,
        max_retries=settings.model_retries,
        timeout=settings.deadline_seconds,
    )


def open_backend(settings: Settings, read_only: bool = False) -> "Store":
    """PostgreSQL when DATABASE_URL is set, else the SQLite file (read_only: reports); not yet connected."""
    lease_seconds = settings.deadline_seconds + LEASE_MARGIN_SECONDS
    if settings.database_url is not None:
        from bot.storage.postgres import PostgresStore  # psycopg is loaded only when configured

        url = settings.database_url.get_secret_value()
        return PostgresStore(url, pool_size=settings.db_pool_size, lease_seconds=lease_seconds)
    from bot.storage.sqlite import SqliteStore  # storage stays off the offline console's path

    return SqliteStore(settings.db_path, lease_seconds=lease_seconds, read_only=read_only)


def build_store(settings: Settings) -> "ResilientStore":
    """The configured store, schema checked (SchemaError if newer), degraded if PostgreSQL is away."""
    from bot.storage.resilient import ResilientStore

    store = ResilientStore(open_backend(settings), fallback=LocalCounter())
    store.start(must_connect=settings.database_url is None)
    return store


def build_advisor(
    settings: Settings,
    knowledge: Knowledge | None = None,
    offline: bool = False,
    counter: UsageCounter | None = None,
) -> Advisor:
    """The advisor: with Claude when a key is set (and not offline), else rules only.

    ``counter`` shares the per-user limits (the store); without it they hold per process.
    """
    knowledge = knowledge or load_knowledge(settings.knowledge_dir)
    rules = RulesAdvisor(knowledge)
    if offline or not settings.model_configured:
        return Advisor(knowledge, rules)
    budgets = Budgets(
        max_tokens=settings.max_output_tokens,
        history_tokens=settings.history_tokens,
        knowledge_tokens=settings.knowledge_tokens,
    )
    return Advisor(
        knowledge,
        rules,
        model=build_model(settings),
        prompts=load_prompts(settings.prompts_dir),
        breaker=CircuitBreaker(settings.breaker_failures, settings.breaker_cooldown_seconds),
        options=ModelOptions(deadline_seconds=settings.deadline_seconds, budgets=budgets),
        limiter=UserLimiter(
            settings.user_answers_per_minute, settings.user_concurrent_answers, counter=counter
        ),
    )
