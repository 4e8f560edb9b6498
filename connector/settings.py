"""Runtime settings from `LEADSCORE_*` environment variables and an optional `.env` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from connector.scoring.config import DEFAULT_CONFIG_PATH


class Settings(BaseSettings):
    """Every knob of the service; secrets are `SecretStr` so they never print."""

    model_config = SettingsConfigDict(
        env_prefix="LEADSCORE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    data_dir: Path = Field(Path("./leadscore-data"), description="Where state and models live.")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL; default is a SQLite file in data_dir."
    )
    scoring_config: Path = Field(DEFAULT_CONFIG_PATH, description="Scoring rules file.")

    # HubSpot endpoints: the sandbox stands in by pointing these at it.
    hubspot_api_url: str = "https://api.hubapi.com"
    hubspot_app_url: str = Field(
        "https://app.hubspot.com", description="Base of the OAuth authorize page."
    )
    client_id: str = ""
    client_secret: SecretStr = SecretStr("")
    app_id: str = ""
    public_url: str = Field(
        "http://127.0.0.1:8080",
        description="The URL HubSpot reaches this service at (redirects, webhook signatures).",
    )
    token_encryption_key: SecretStr = Field(
        SecretStr(""), description="Fernet key encrypting tokens at rest; generated if empty."
    )
    dashboard_token: SecretStr = SecretStr("")

    host: str = "127.0.0.1"
    port: int = 8080
    sync_interval_minutes: int = 15
    rescore_hour_utc: int = 3
    train_cron_day_of_week: str = "sun"
    sync_chunk_size: int = Field(
        1000, ge=100, le=10_000, description="Contacts a pass confirms at once (cursor step)."
    )
    sync_overlap_seconds: int = Field(
        120, ge=0, description="How far each incremental window reaches back before the last pass."
    )
    log_level: str = "INFO"
    challenger_config: str = Field(
        "", description="Second scoring file for a live A/B test of new leads; empty = none."
    )
    challenger_share: float = Field(
        0.2, ge=0.0, le=1.0, description="Share of new leads the challenger scores."
    )
    experiment_salt: str = Field(
        "leadscore-ab", min_length=1, description="Names the experiment; a new salt starts anew."
    )

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file inside `data_dir`."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'leadscore.db').resolve()}"

    @property
    def redirect_uri(self) -> str:
        """The OAuth redirect URI registered with the HubSpot app."""
        return self.public_url.rstrip("/") + "/oauth/callback"

    @property
    def webhook_url(self) -> str:
        """The public webhook target; v3 signatures are computed over this, not the Host header."""
        return self.public_url.rstrip("/") + "/webhooks/hubspot"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
