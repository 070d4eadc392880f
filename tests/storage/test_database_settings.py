"""DATABASE_URL: PostgreSQL URLs only, and the value (with its password) never echoed."""

import pytest

from bot.settings import SettingsError, settings_from


@pytest.mark.parametrize(
    "url", ["postgres://u:p@db.example:5432/advisor", "postgresql://u@/advisor?host=/tmp"]
)
def test_database_settings_accept_postgres_urls(url: str) -> None:
    settings = settings_from({"DATABASE_URL": url, "ADVISOR_DB_POOL_SIZE": "8"})
    assert settings.database_url is not None
    assert settings.database_url.get_secret_value() == url
    assert settings.db_pool_size == 8
    assert "p@db" not in repr(settings)


@pytest.mark.parametrize("url", ["mysql://u:hunter2@db/advisor", "sqlite:///hunter2.db", "hunter2"])
def test_database_settings_refuse_other_urls_without_echoing_them(url: str) -> None:
    with pytest.raises(SettingsError) as error:
        settings_from({"DATABASE_URL": url})
    assert "DATABASE_URL: Value error, must start with postgres:// or postgresql://" in str(error.value)
    assert "hunter2" not in str(error.value)
