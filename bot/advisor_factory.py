"""Builds the advisor and its model from settings: the one place that picks implementations."""

from bot.advisor import Advisor, ModelOptions
from bot.claude.breaker import CircuitBreaker
from bot.claude.limits import UserLimiter
from bot.claude.model_interface import Model
from bot.claude.prompts import Budgets, load_prompts
from bot.core.knowledge import Knowledge, load_knowledge
from bot.core.rules import RulesAdvisor
from bot.settings import Settings


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


def build_advisor(settings: Settings, knowledge: Knowledge | None = None, offline: bool = False) -> Advisor:
    """The advisor: with Claude when a key is set (and not offline), else rules only."""
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
        limiter=UserLimiter(settings.user_answers_per_minute, settings.user_concurrent_answers),
    )
