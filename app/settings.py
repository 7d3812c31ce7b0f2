"""One settings class, read from the environment and `.env`.

Every field is documented in README.md ("Settings"); tests/test_settings.py checks that.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-insecure-secret-change-me"
SEED_DIR = Path(__file__).resolve().parents[1] / "seed_data"


class UnsafeSettings(ValueError):
    """Production settings that must not run; each problem is one Russian line naming its variable."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("небезопасные настройки production: " + "; ".join(problems))
        self.problems = problems


def settings_problems(exc: ValidationError) -> list[str]:
    """What is wrong with the settings, one Russian line each, naming the variable."""
    from app.validation import russian_message

    out: list[str] = []
    for err in exc.errors():
        error = (err.get("ctx") or {}).get("error")
        if isinstance(error, UnsafeSettings):
            out += error.problems
        elif err["loc"]:
            out.append(f"{str(err['loc'][0]).upper()}: {russian_message(err)}")
        else:
            out.append(russian_message(err))
    return out


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: Literal["development", "test", "production"] = Field(
        "development", description="development, test or production; production refuses unsafe defaults"
    )
    data_dir: Path = Field(Path("var"), description="every file the embedded default writes lives here")
    database_url: str = Field("", description="SQLAlchemy URL; empty means SQLite at DATA_DIR/practices.db")
    search_backend: Literal["local", "meilisearch"] = Field("local", description="search engine")
    meili_url: str = Field("http://127.0.0.1:7700", description="Meilisearch address")
    meili_api_key: str = Field("", description="Meilisearch key (master or admin key)")
    meili_index: str = Field("practices", description="Meilisearch index name (an alias swapped on reindex)")
    thesaurus_file: Path = Field(
        SEED_DIR / "thesaurus.csv", description="the search thesaurus (CSV); `practices reindex` applies edits"
    )
    sync_inline: bool = Field(
        True, description="apply the search outbox and send queued mail in process (turn off when a sync worker runs)"
    )
    sync_interval: float = Field(
        15.0, gt=0, le=3600,
        description="with SYNC_INLINE: seconds between catch-up rounds of the search outbox (one also runs at start)",
    )
    outbox_max_age: int = Field(
        300, ge=1, description="/readyz answers 503 when a search outbox row has waited longer than this (seconds)"
    )
    smtp_url: str = Field(
        "", description="smtp://user:pass@host:port (smtp+starttls://, smtps:// for TLS); empty: .eml files under DATA_DIR/mail/"
    )
    mail_from: str = Field(
        "Каталог муниципальных практик <noreply@localhost>", description="sender of the mail to submitters and contacts"
    )
    smtp_timeout: float = Field(30.0, gt=0, le=600, description="seconds an SMTP connection or command may take")
    edit_link_days: int = Field(14, ge=1, le=365, description="days a submitter's private edit link stays valid")
    secret_key: str = Field(DEV_SECRET, description="signs private links and hashes client addresses; required in production")
    session_idle_timeout: int = Field(
        2 * 3600, ge=60, description="seconds a moderator's session stays open without a request"
    )
    session_max_age: int = Field(
        12 * 3600, ge=60, description="seconds a moderator's session lasts at most, however busy"
    )
    host: str = Field("127.0.0.1", description="address `practices serve` binds")
    port: int = Field(8000, ge=1, le=65535, description="port `practices serve` binds")
    workers: int = Field(
        default_factory=lambda: len(os.sched_getaffinity(0)), ge=1, le=64,
        description="uvicorn worker processes for `practices serve`; default: one per CPU this process may use",
    )
    base_url: str = Field(
        "", description="public address for absolute links (API, feeds, mail, sitemaps); required in production; "
        "empty: relative links"
    )
    debug: bool = Field(False, description="debug mode (tracebacks; edited templates are read again); refused in production")
    submit_rate_limit: int = Field(
        5, ge=0, description="submissions allowed per address per window (0 disables the limit)"
    )
    submit_rate_window: int = Field(3600, ge=1, description="rate-limit window in seconds")
    log_level: str = Field("INFO", description="logging level")
    metrics_token: str = Field(
        "", description="/metrics needs `Authorization: Bearer <token>`; empty: open, except in production (404)"
    )
    opendata_id: str = Field(
        "municipal-practices", pattern=r"^[0-9A-Za-z][0-9A-Za-z-]{0,99}$",
        description="identifier of the open data set (the Russian convention prefixes the owner's INN: 7700000000-practices)",
    )
    opendata_publisher: str = Field(
        "Каталог лучших муниципальных практик", description="owner of the data set, in meta.csv and catalog.jsonld"
    )
    opendata_contact_name: str = Field("", description="person responsible for the data set (meta.csv: publishername)")
    opendata_contact_email: str = Field("", description="their e-mail (meta.csv: publishermbox; DCAT contactPoint)")
    opendata_contact_phone: str = Field("", description="their phone (meta.csv: publisherphone)")
    opendata_license: str = Field(
        "https://creativecommons.org/licenses/by/4.0/", description="licence of the data set (a URL), in meta.csv and DCAT"
    )

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.environment != "production":
            return self
        problems = []
        if self.secret_key == DEV_SECRET or len(self.secret_key) < 32:
            problems.append("SECRET_KEY: задайте случайное значение не короче 32 символов "
                            "(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')")
        if self.debug:
            problems.append("DEBUG: в production отладка должна быть выключена (DEBUG=false)")
        if self.search_backend == "meilisearch" and len(self.meili_api_key.encode()) < 16:
            problems.append("MEILI_API_KEY: нужен ключ Meilisearch не короче 16 байт")
        if not self.database_url:
            problems.append("DATABASE_URL: укажите адрес PostgreSQL (postgresql+psycopg://…)")
        if not self.base_url.startswith(("https://", "http://")):
            problems.append("BASE_URL: укажите публичный адрес сайта (https://practices.example.ru): "
                            "из него строятся ссылки в API, лентах, письмах и картах сайта")
        if problems:
            raise UnsafeSettings(problems)
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'practices.db').as_posix()}"

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    @property
    def local_index_path(self) -> Path:
        return self.data_dir / "search.db"

    def ensure_data_dir(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)


@lru_cache
def get_settings() -> Settings:
    return Settings()
