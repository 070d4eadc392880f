"""Settings: read once from the environment into one object that is passed around."""

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, SecretStr

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseModel):
    """Everything configurable, validated. Secrets are SecretStr so they never print."""

    model_config = ConfigDict(frozen=True)

    knowledge_dir: Path = PROJECT_ROOT / "knowledge"
    prompts_dir: Path = PROJECT_ROOT / "prompts"
    history_file: Path | None = None
    anthropic_api_key: SecretStr | None = None

    @property
    def model_configured(self) -> bool:
        """True when a model key is set."""
        return self.anthropic_api_key is not None


def _blank_to_none(value: str | None) -> str | None:
    """Treat an empty variable like an unset one."""
    return value if value and value.strip() else None


def settings_from(environ: Mapping[str, str]) -> Settings:
    """Build settings from an environment mapping (``os.environ`` in production)."""
    values: dict[str, object] = {}
    if knowledge := _blank_to_none(environ.get("ADVISOR_KNOWLEDGE_DIR")):
        values["knowledge_dir"] = Path(knowledge)
    if prompts := _blank_to_none(environ.get("ADVISOR_PROMPTS_DIR")):
        values["prompts_dir"] = Path(prompts)
    history = _blank_to_none(environ.get("ADVISOR_HISTORY_FILE"))
    values["history_file"] = (
        Path(history) if history else Path.home() / ".framework-advisor-history"
    )
    if key := _blank_to_none(environ.get("ANTHROPIC_API_KEY")):
        values["anthropic_api_key"] = SecretStr(key)
    return Settings.model_validate(values)


def load_settings() -> Settings:
    """Settings from this process's environment; the only place that reads it."""
    return settings_from(os.environ)
