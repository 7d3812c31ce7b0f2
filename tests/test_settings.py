"""Settings: documented, and refusing unsafe production values."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.settings import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_setting_is_documented_in_readme() -> None:
    text = README.read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", text, re.MULTILINE))
    fields = {name.upper() for name in Settings.model_fields}
    assert fields - documented == set(), "settings missing from README"
    assert documented - fields == set(), "README documents settings that do not exist"


def test_database_defaults_to_sqlite_under_data_dir(tmp_path: Path) -> None:
    s = Settings(_env_file=None, data_dir=tmp_path / "d")  # type: ignore[call-arg]
    assert s.resolved_database_url == f"sqlite:///{(tmp_path / 'd' / 'practices.db').as_posix()}"
    assert s.local_index_path == tmp_path / "d" / "search.db"


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.setenv("SEARCH_BACKEND", "meilisearch")
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (s.port, s.search_backend) == (8123, "meilisearch")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({}, "SECRET_KEY"),
        ({"secret_key": "x" * 40, "debug": True}, "DEBUG"),
        ({"secret_key": "x" * 40, "search_backend": "meilisearch", "meili_api_key": "short"}, "MEILI_API_KEY"),
        ({"secret_key": "x" * 40, "database_url": ""}, "DATABASE_URL"),
        # Without it links would come from the request's Host (a poisoned cache) or be relative.
        ({"secret_key": "x" * 40, "base_url": ""}, "BASE_URL: укажите публичный адрес сайта"),
        ({"secret_key": "x" * 40, "base_url": "practices.example.ru"}, "BASE_URL"),
    ],
)
def test_production_refuses_unsafe_defaults(overrides: dict, message: str) -> None:
    values = {"environment": "production", "database_url": "postgresql+psycopg://u@h/db",
              "base_url": "https://practices.example.ru"} | overrides
    with pytest.raises(ValidationError, match=message):
        Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_production_accepts_safe_values() -> None:
    s = Settings(  # type: ignore[call-arg]
        _env_file=None,
        environment="production",
        secret_key="k" * 40,
        database_url="postgresql+psycopg://u@h/db",
        base_url="https://practices.example.ru",
        search_backend="meilisearch",
        meili_api_key="m" * 24,
    )
    assert s.environment == "production"
