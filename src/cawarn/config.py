"""Typed settings of a node: the config file in the node home, overridden by CAWARN_* variables.

Nothing here runs at import time; call :func:`load_settings`.
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from cawarn.domain import ConfigError

CONFIG_FILE = "cawarn.toml"
DEFAULT_HOME = Path("cawarn-home")
DEFAULT_REGION = ("AFG", "KAZ", "KGZ", "TJK", "TKM", "UZB")
_ISO3 = re.compile(r"^[A-Z]{3}$")
#: The node's tasks in the order 'cawarn run' runs them, and their default intervals in minutes.
DEFAULT_SCHEDULE = {
    "ingest": 15.0,
    "panel": 1440.0,
    "forecast": 1440.0,
    "scan": 60.0,
    "sync": 15.0,
}


def check_schedule(value: dict[str, float]) -> dict[str, float]:
    """Task intervals name known tasks and are above zero minutes."""
    unknown = sorted(set(value) - set(DEFAULT_SCHEDULE))
    if unknown:
        raise ValueError(
            f"{', '.join(map(repr, unknown))} are not tasks; use {', '.join(DEFAULT_SCHEDULE)}"
        )
    if any(v <= 0 for v in value.values()):
        raise ValueError("every interval must be above 0 minutes")
    return value


class FileConfig(BaseModel):
    """What the config file may hold; unknown keys are mistakes, not silently ignored."""

    model_config = ConfigDict(extra="forbid")

    organisation: str = Field(default="local", min_length=1, max_length=100)
    region: list[str] = Field(default_factory=lambda: list(DEFAULT_REGION), min_length=1)
    database_url: str | None = None
    database_schema: str | None = None
    snap_tolerance_km: float = Field(default=10.0, ge=0, le=100)
    geoboundaries_api: str = "https://www.geoboundaries.org"
    geonames_url: str = "https://download.geonames.org/export/dump"
    ucdp_api: str = "https://ucdp.uu.se"
    secret_key: str | None = None
    demo: bool = False
    alert_rules: str | None = None
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_sender: str = "cawarn@localhost"
    smtp_recipients: dict[str, list[str]] = Field(default_factory=dict)
    webhook_url: str | None = None
    webhook_secret: str | None = None
    notify_max_attempts: int = Field(default=6, ge=1, le=50)
    alert_false_alarm_rate: float = Field(default=1.0, gt=0, le=100)
    alert_risk_level: float = Field(default=0.5, gt=0, lt=1)
    watch_folder: str | None = None
    peer_ca_file: str | None = None
    schedule_minutes: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_SCHEDULE))
    schedule_models: list[str] = Field(default_factory=list)

    @field_validator("schedule_minutes")
    @classmethod
    def _tasks(cls, value: dict[str, float]) -> dict[str, float]:
        return check_schedule(value)

    @field_validator("region")
    @classmethod
    def _iso3_codes(cls, value: list[str]) -> list[str]:
        bad = [code for code in value if not _ISO3.match(code)]
        if bad:
            raise ValueError(
                f"{', '.join(map(repr, bad))} are not ISO 3166-1 alpha-3 codes such as 'AFG'"
            )
        return value


class Settings(BaseSettings):
    """The settings a node runs with."""

    model_config = SettingsConfigDict(env_prefix="CAWARN_", extra="forbid")

    home: Path = DEFAULT_HOME
    organisation: str = "local"
    region: list[str] = Field(default_factory=lambda: list(DEFAULT_REGION))
    database_url: str | None = None
    database_schema: str | None = None
    snap_tolerance_km: float = 10.0
    geoboundaries_api: str = "https://www.geoboundaries.org"
    geonames_url: str = "https://download.geonames.org/export/dump"
    ucdp_api: str = "https://ucdp.uu.se"
    ucdp_token: str | None = None
    secret_key: str | None = None
    demo: bool = False
    alert_rules: Path | None = None
    # Alert notifications: e-mail over SMTP to functional mailboxes (a duty desk, never a
    # person's own address) per severity, and a webhook signed with HMAC-SHA256.
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_sender: str = "cawarn@localhost"
    smtp_recipients: dict[str, list[str]] = Field(default_factory=dict)
    webhook_url: str | None = None
    webhook_secret: str | None = None
    notify_max_attempts: int = 6
    # 'alerts scan': the CUSUM's target alerts per 100 unit-months, the risk detector's level.
    alert_false_alarm_rate: float = 1.0
    alert_risk_level: float = 0.5
    # 'cawarn run': the folder watched for new GED files, each task's interval, the models.
    watch_folder: Path | None = None
    # 'cawarn sync': the CA certificates (PEM) that sign the peers' TLS certificates, when they
    # are not in the system's store (a closed network's own CA).
    peer_ca_file: Path | None = None
    schedule_minutes: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_SCHEDULE))
    schedule_models: list[str] = Field(default_factory=list)

    @field_validator("schedule_minutes")
    @classmethod
    def _tasks(cls, value: dict[str, float]) -> dict[str, float]:
        return check_schedule(value)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment wins over the file values passed in by load_settings.
        return (env_settings, init_settings)

    @property
    def config_path(self) -> Path:
        """Where the node's config file lives."""
        return self.home / CONFIG_FILE

    @property
    def alert_rules_path(self) -> Path:
        """The flash rules file: the ``alert_rules`` setting, else alert-rules.toml in the home."""
        if self.alert_rules is None:
            return self.home / "alert-rules.toml"
        return self.alert_rules if self.alert_rules.is_absolute() else self.home / self.alert_rules

    @property
    def watch_path(self) -> Path:
        """The folder 'cawarn run' ingests new files from: ``watch_folder``, else HOME/incoming."""
        if self.watch_folder is None:
            return self.home / "incoming"
        return (
            self.watch_folder if self.watch_folder.is_absolute() else self.home / self.watch_folder
        )

    @property
    def peer_ca_path(self) -> Path | None:
        """The peers' CA certificates file (relative paths from the home), if one is set."""
        if self.peer_ca_file is None:
            return None
        return (
            self.peer_ca_file if self.peer_ca_file.is_absolute() else self.home / self.peer_ca_file
        )

    @property
    def cache_dir(self) -> Path:
        """Downloads are kept here so a rerun does not fetch them again."""
        return self.home / "cache"

    @property
    def resolved_database_url(self) -> str:
        """The database URL; SQLite in the node home unless one is configured."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'cawarn.db').resolve()}"


def resolve_home(home: Path | None) -> Path:
    """The node home: the --home option, else CAWARN_HOME, else ./cawarn-home."""
    if home is not None:
        return home
    env = os.environ.get("CAWARN_HOME")
    return Path(env) if env else DEFAULT_HOME


def read_config_file(path: Path) -> FileConfig:
    """Read and validate a config file, raising ConfigError with one sentence per mistake."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"There is no config file at {path}; run 'cawarn init' to create the node home."
        ) from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"Cannot read the config file {path}: {err}.") from None
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path} is not valid TOML: {err}.") from None
    try:
        return FileConfig.model_validate(data)
    except ValidationError as err:
        raise ConfigError(describe_validation_error(path, err)) from None


def describe_validation_error(path: Path, err: ValidationError) -> str:
    """One sentence per mistake, naming the key and what is expected."""
    lines = []
    for problem in err.errors():
        key = ".".join(str(part) for part in problem["loc"]) or "(file)"
        if problem["type"] == "extra_forbidden":
            known = ", ".join(FileConfig.model_fields)
            lines.append(f"{path}: unknown key '{key}' (known keys: {known}).")
        else:
            message = str(problem["msg"]).removeprefix("Value error, ")
            lines.append(f"{path}: '{key}': {message}.")
    return "\n".join(lines)


def load_settings(home: Path | None = None) -> Settings:
    """Settings for the node at ``home``: its config file, then CAWARN_* variables."""
    home = resolve_home(home)
    values: dict[str, Any] = {"home": home}
    path = home / CONFIG_FILE
    if path.exists():
        values.update(read_config_file(path).model_dump(exclude_none=True))
    try:
        return Settings(**values)
    except ValidationError as err:
        raise ConfigError(describe_validation_error(Path("environment"), err)) from None


def render_config(config: FileConfig) -> str:
    """The text of a new config file, with comments a node operator can follow."""
    region = ", ".join(f'"{code}"' for code in config.region)
    lines = [
        "# cawarn node configuration. Every key may be overridden by a CAWARN_<KEY> variable.",
        "# Check it with: cawarn config validate",
        "",
        "# The organisation that runs this node; it owns what the node creates.",
        f'organisation = "{config.organisation}"',
        "",
        "# Countries (ISO 3166-1 alpha-3) whose events this node stores; others are counted only.",
        f"region = [{region}]",
        "",
        "# A point outside every admin-1 unit of its country snaps to the nearest one within",
        "# this distance (boundary simplification leaves small gaps along borders and coasts).",
        f"snap_tolerance_km = {config.snap_tolerance_km}",
        "",
        "# Where 'cawarn geo fetch', 'cawarn geo gazetteer download' and",
        "# 'cawarn ingest ucdp-ged --version' download from.",
        f'geoboundaries_api = "{config.geoboundaries_api}"',
        f'geonames_url = "{config.geonames_url}"',
        f'ucdp_api = "{config.ucdp_api}"',
        "",
        "# The event store; SQLite in the node home when unset. For PostgreSQL:",
        '# database_url = "postgresql+psycopg://user@host:5432/cawarn"',
    ]
    if config.database_url:
        lines.append(f'database_url = "{config.database_url}"')
    lines += [
        "",
        "# The key that signs web sessions; 'cawarn serve' refuses to start without one (at",
        "# least 32 random characters). Better kept out of this file: set CAWARN_SECRET_KEY.",
        '# secret_key = "..."',
    ]
    if config.demo:
        lines += [
            "",
            "# A demo node: its events are simulated, and the server may start without a",
            "# secret key (sessions then end when it stops). Never set this on a real node.",
            "demo = true",
        ]
    return "\n".join(lines) + "\n"
