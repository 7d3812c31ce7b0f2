"""One settings class, read from the environment and `.env`.

Every field is documented in README.md ("Settings"); tests/test_settings.py checks that.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET = "dev-insecure-secret-change-me"
SEED_DIR = Path(__file__).resolve().parents[1] / "seed_data"


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
    smtp_url: str = Field(
        "", description="smtp://user:pass@host:port (smtp+starttls://, smtps:// for TLS); empty: .eml files under DATA_DIR/mail/"
    )
    mail_from: str = Field(
        "Каталог муниципальных практик <noreply@localhost>", description="sender of the mail to submitters and contacts"
    )
    smtp_timeout: float = Field(30.0, gt=0, le=600, description="seconds an SMTP connection or command may take")
    edit_link_days: int = Field(14, ge=1, le=365, description="days a submitter's private edit link stays valid")
    secret_key: str = Field(DEV_SECRET, description="signs session cookies; required in production")
    host: str = Field("127.0.0.1", description="address `practices serve` binds")
    port: int = Field(8000, ge=1, le=65535, description="port `practices serve` binds")
    workers: int = Field(1, ge=1, le=64, description="uvicorn worker processes for `practices serve`")
    base_url: str = Field("", description="public address used in feeds and links; empty: from the request")
    debug: bool = Field(False, description="debug mode (tracebacks); refused in production")
    submit_rate_limit: int = Field(
        5, ge=0, description="submissions allowed per address per window (0 disables the limit)"
    )
    submit_rate_window: int = Field(3600, ge=1, description="rate-limit window in seconds")
    log_level: str = Field("INFO", description="logging level")

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.environment != "production":
            return self
        problems = []
        if self.secret_key == DEV_SECRET or len(self.secret_key) < 32:
            problems.append("SECRET_KEY must be set to a random value of at least 32 characters")
        if self.debug:
            problems.append("DEBUG must be off")
        if self.search_backend == "meilisearch" and len(self.meili_api_key.encode()) < 16:
            problems.append("MEILI_API_KEY must be at least 16 bytes")
        if not self.database_url:
            problems.append("DATABASE_URL must point to PostgreSQL")
        if problems:
            raise ValueError("unsafe production settings: " + "; ".join(problems))
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
