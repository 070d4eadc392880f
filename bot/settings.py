"""Settings: read once from the environment into one object that is passed around."""

import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator


def packaged(package: str) -> Path:
    """Where an installed data package's files are (the checkout's folder in a dev install)."""
    return Path(str(resources.files(package)))


DEFAULT_MODEL = "claude-haiku-5-5"


class SettingsError(ValueError):
    """One or more environment variables are missing or invalid; names each of them."""


class Settings(BaseModel):
    """Everything configurable, validated. Secrets are SecretStr so they never print."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    knowledge_dir: Path = Field(default_factory=lambda: packaged("bot._knowledge"))
    prompts_dir: Path = Field(default_factory=lambda: packaged("bot._prompts"))
    history_file: Path | None = None
    log_file: Path | None = None
    log_level: str = Field(default="WARNING", pattern=r"^(DEBUG|INFO|WARNING|ERROR)$")
    library_log_level: str = Field(default="WARNING", pattern=r"^(DEBUG|INFO|WARNING|ERROR)$")
    anthropic_api_key: SecretStr | None = None
    anthropic_model: str = Field(default=DEFAULT_MODEL, min_length=1)
    anthropic_base_url: str | None = Field(default=None, pattern=r"^https?://")
    deadline_seconds: float = Field(default=20.0, gt=0, le=300)
    model_retries: int = Field(default=1, ge=0, le=1)
    max_output_tokens: int = Field(default=1024, ge=64, le=8192)
    history_tokens: int = Field(default=2000, ge=0, le=50_000)
    knowledge_tokens: int = Field(default=30_000, ge=500, le=200_000)
    breaker_failures: int = Field(default=5, ge=1, le=1000)
    breaker_cooldown_seconds: float = Field(default=30.0, gt=0, le=3600)
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str | None = Field(default=None, pattern=r"^https?://")
    db_path: Path = Path("framework-advisor.sqlite3")
    database_url: SecretStr | None = None
    db_pool_size: int = Field(default=4, ge=1, le=100)
    listener_threads: int = Field(default=64, ge=1, le=512)
    user_answers_per_minute: int = Field(default=10, ge=1, le=10_000)
    user_concurrent_answers: int = Field(default=2, ge=1, le=100)
    thread_follow_ups: bool = True

    @field_validator("database_url")
    @classmethod
    def _postgres_url(cls, value: SecretStr | None) -> SecretStr | None:
        """Only PostgreSQL URLs (as Heroku-style hosts set them); the value is never echoed."""
        if value is not None and not value.get_secret_value().startswith(("postgres://", "postgresql://")):
            raise ValueError("must start with postgres:// or postgresql://")
        return value

    @property
    def model_configured(self) -> bool:
        """True when a model key is set."""
        return self.anthropic_api_key is not None


# Environment variable -> settings field. This table is the whole configuration surface.
ENVIRONMENT: dict[str, str] = {
    "ADVISOR_KNOWLEDGE_DIR": "knowledge_dir",
    "ADVISOR_PROMPTS_DIR": "prompts_dir",
    "ADVISOR_HISTORY_FILE": "history_file",
    "ADVISOR_LOG_FILE": "log_file",
    "ADVISOR_LOG_LEVEL": "log_level",
    "ADVISOR_LIBRARY_LOG_LEVEL": "library_log_level",
    "ANTHROPIC_API_KEY": "anthropic_api_key",
    "ANTHROPIC_MODEL": "anthropic_model",
    "ANTHROPIC_BASE_URL": "anthropic_base_url",
    "ADVISOR_DEADLINE_SECONDS": "deadline_seconds",
    "ADVISOR_MODEL_RETRIES": "model_retries",
    "ADVISOR_MAX_OUTPUT_TOKENS": "max_output_tokens",
    "ADVISOR_HISTORY_TOKENS": "history_tokens",
    "ADVISOR_KNOWLEDGE_TOKENS": "knowledge_tokens",
    "ADVISOR_BREAKER_FAILURES": "breaker_failures",
    "ADVISOR_BREAKER_COOLDOWN_SECONDS": "breaker_cooldown_seconds",
    "SLACK_BOT_TOKEN": "slack_bot_token",
    "SLACK_SIGNING_SECRET": "slack_signing_secret",
    "SLACK_APP_TOKEN": "slack_app_token",
    "SLACK_API_URL": "slack_api_url",
    "ADVISOR_DB_PATH": "db_path",
    "DATABASE_URL": "database_url",
    "ADVISOR_DB_POOL_SIZE": "db_pool_size",
    "ADVISOR_LISTENER_THREADS": "listener_threads",
    "ADVISOR_USER_ANSWERS_PER_MINUTE": "user_answers_per_minute",
    "ADVISOR_USER_CONCURRENT_ANSWERS": "user_concurrent_answers",
    "ADVISOR_THREAD_FOLLOW_UPS": "thread_follow_ups",
}
_VARIABLE = {field: variable for variable, field in ENVIRONMENT.items()}


def settings_from(environ: Mapping[str, str]) -> Settings:
    """Build settings from an environment mapping (``os.environ`` in production)."""
    values: dict[str, object] = {}
    for variable, field in ENVIRONMENT.items():
        value = environ.get(variable, "").strip()
        if value:
            values[field] = value.upper() if field in ("log_level", "library_log_level") else value
    if "history_file" not in values and environ.get("HOME"):
        values["history_file"] = Path(environ["HOME"]) / ".framework-advisor-history"
    try:
        return Settings.model_validate(values)
    except ValidationError as error:
        raise SettingsError(_describe(error)) from None


def _describe(error: ValidationError) -> str:
    """One line per invalid variable, named as the user set it (values never shown)."""
    lines = []
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem["loc"] else ""
        lines.append(f"{_VARIABLE.get(field, field)}: {problem['msg']}")
    return "invalid settings:\n  " + "\n  ".join(lines)


def require_slack(settings: Settings, socket_mode: bool = False) -> None:
    """Fail fast, naming every Slack variable the chosen mode needs and lacks."""
    needed = ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"] + (["SLACK_APP_TOKEN"] if socket_mode else [])
    missing = [v for v in needed if getattr(settings, ENVIRONMENT[v]) is None]
    if missing:
        raise SettingsError("missing settings for Slack: " + ", ".join(missing))


def load_settings() -> Settings:
    """Settings from this process's environment; the only place that reads it."""
    return settings_from(os.environ)
