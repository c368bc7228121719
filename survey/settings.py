"""Every setting, read once from `SURVEY_*` environment variables; each carries the help text the README shows."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """The service's configuration. A test fails when a field is missing from the README."""

    # An empty variable (`SURVEY_CACHE_DIR=`) means "not set": the default, not a path "" (the working directory).
    model_config = SettingsConfigDict(env_prefix="SURVEY_", extra="ignore", frozen=True, env_ignore_empty=True)

    database_url: str = Field(
        "sqlite:///survey.db",
        description="SQLAlchemy URL of the database. The default is a SQLite file in the working directory; "
        "use `postgresql+psycopg://user@host/db` for PostgreSQL.",
    )
    host: str = Field("127.0.0.1", description="Address `survey serve` listens on (`0.0.0.0` in Docker).")
    port: int = Field(8000, description="Port `survey serve` listens on.")
    questionnaires_dir: Path = Field(
        Path("questionnaires"), description="Folder of questionnaire files that `survey serve` loads at start."
    )
    secret_key: str = Field(
        "",
        description="Key that signs forms in progress and CSRF tokens. Empty: a random key is made once and "
        "kept in the database, so forms survive restarts.",
    )
    secure_cookies: bool = Field(
        False, description="Send cookies only over HTTPS. Set to `true` whenever the service is behind HTTPS."
    )
    session_hours: int = Field(8, description="Hours a staff login stays valid without activity.")
    login_account_attempts: int = Field(
        5, ge=1, description="Failed logins in a row on one e-mail address before it is locked (whether or not an "
        "account has it).",
    )
    login_address_attempts: int = Field(
        50, ge=1, description="Failed logins in a row from one client address before it is locked, whatever the "
        "e-mails tried.",
    )
    login_lock_minutes: int = Field(
        1, ge=1, description="Minutes of the first lock; each further failure doubles it.",
    )
    login_lock_max_minutes: int = Field(60, ge=1, description="Longest lock, in minutes.")
    form_days: int = Field(
        30, ge=1, description="Days a form in progress is kept after its last saved page: its resume link works "
        "until then; after it the form has expired and its answers are dropped (`survey purge-forms`).",
    )
    close_grace_minutes: int = Field(
        120, ge=0, description="Minutes after a questionnaire closes (by hand, at its closing date or at its "
        "mission's end) during which a form started before it closed can still be sent.",
    )
    retention_check_minutes: int = Field(
        60, ge=1, le=10_080, description="Minutes between two checks by `survey serve` for responses and forms in "
        "progress past their mission's `retention_days`, which it then deletes (as `survey purge` does).",
    )
    timezone: str = Field(
        "Europe/Paris", description="Time zone of opening and closing dates and of missions' first and last days "
        "(an IANA name).",
    )
    access_log: bool = Field(
        False, description="Print one line per request. Off by default: such lines hold IP addresses."
    )
    log_level: str = Field("info", description="Server log level: `debug`, `info`, `warning` or `error`.")
    job_queue: Literal["thread", "procrastinate"] = Field(
        "thread",
        description="Where exports and PDF summaries run: `thread` (a worker thread inside `survey serve`, "
        "one process) or `procrastinate` (a queue in PostgreSQL, run by `survey worker`; for several web processes).",
    )
    export_dir: Path = Field(
        Path("exports"),
        description="Folder where finished exports and PDF summaries wait to be downloaded; web processes and "
        "workers must share it.",
    )
    cache_dir: Path | None = Field(
        None,
        description="Folder where each questionnaire's coded table is kept as Parquet files, so that a restarted "
        "or another process extends it instead of rebuilding it from every stored response. Unset: kept in "
        "memory only.",
    )
    export_hours: int = Field(24, description="Hours a finished export or PDF can be downloaded before it is deleted.")
    max_body_bytes: int = Field(
        4_000_000,
        gt=0,
        description="Largest request body accepted, in bytes; a larger one gets a polite 413 page instead of being "
        "read. The default is far above a page of answers at their default lengths, the form's state included.",
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value[:40]!r} — use an IANA name such as Europe/Paris") from None
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The time zone of dates (`timezone`)."""
        return ZoneInfo(self.timezone)

    public_url: str = Field(
        "",
        description="The service's address as respondents reach it (`https://enquetes.ville.example`): personal "
        "invitation links are built from it. Empty: `survey invite` and the invitations page refuse to make links.",
    )
    smtp_host: str = Field("", description="Mail server that sends invitations and reminders. Empty: no e-mail is "
                           "sent (`survey invite` still prints the links).")
    smtp_port: int = Field(587, gt=0, lt=65536, description="Port of the mail server (587 for STARTTLS, 465 for "
                           "TLS from the start, 25 without encryption).")
    smtp_user: str = Field("", description="Login on the mail server. Empty: no login.")
    smtp_password: str = Field("", description="Password of `SURVEY_SMTP_USER`.")
    smtp_tls: Literal["starttls", "tls", "none"] = Field(
        "starttls", description="How the connection to the mail server is encrypted: `starttls` (upgraded after "
        "connecting), `tls` (from the start) or `none` (a local relay only).",
    )
    smtp_from: str = Field("", description="Sender of invitations and reminders, e.g. `Ville de Saint-Aubin "
                           "<enquetes@ville.example>`; needed when `SURVEY_SMTP_HOST` is set.")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (tests, CLI options) on top."""
    return Settings(**overrides)  # type: ignore[arg-type]
