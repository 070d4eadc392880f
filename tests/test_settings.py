"""Reading settings from an environment mapping."""

from pathlib import Path

import pytest

from bot.settings import settings_from
from tests.doubles.constants import PROJECT_ROOT


def test_config_defaults_need_no_variables() -> None:
    settings = settings_from({"HOME": "/home/someone"})
    assert settings.knowledge_dir == PROJECT_ROOT / "knowledge"
    assert not settings.model_configured


def test_config_reads_overrides_and_hides_secrets() -> None:
    settings = settings_from(
        {
            "ADVISOR_KNOWLEDGE_DIR": "/k",
            "ADVISOR_HISTORY_FILE": "/h",
            "ANTHROPIC_API_KEY": "sk-secret-1",
        }
    )
    assert settings.knowledge_dir == Path("/k")
    assert settings.history_file == Path("/h")
    assert settings.model_configured
    assert "sk-secret-1" not in repr(settings)
    assert "sk-secret-1" not in str(settings.model_dump())


def test_config_blank_key_counts_as_unset() -> None:
    assert not settings_from({"ANTHROPIC_API_KEY": "  "}).model_configured


def test_config_names_every_bad_variable() -> None:
    from bot.settings import SettingsError

    with pytest.raises(SettingsError) as raised:
        settings_from(
            {"ADVISOR_DEADLINE_SECONDS": "-1", "ADVISOR_MODEL_RETRIES": "3", "ANTHROPIC_API_KEY": "sk-hidden"}
        )
    message = str(raised.value)
    assert "ADVISOR_DEADLINE_SECONDS" in message
    assert "ADVISOR_MODEL_RETRIES" in message
    assert "sk-hidden" not in message


def test_config_every_variable_maps_to_a_field() -> None:
    from bot.settings import ENVIRONMENT, Settings

    assert set(ENVIRONMENT.values()) == set(Settings.model_fields)
