"""Reading settings from an environment mapping."""

from pathlib import Path

from bot.config import PROJECT_ROOT, settings_from


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
