"""Settings per part of Portal Desk, on pydantic-settings: each part is a model of its own
variables, each value checked by ``config_checks`` (one sentence naming the variable).

``load_settings`` merges ``.env``, the environment and what the process started itself into one
mapping; the parts read that mapping (``_Merged``) rather than ``os.environ``, so a test or a
caller can hand in exactly the variables it means."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from . import config_checks as check
from .errors import ConfigError
from .mailer import SmtpSettings, parse_smtp_url

_VALUES: ContextVar[Mapping[str, str]] = ContextVar("settings_values")


@dataclass(frozen=True)
class Check:
    """How a field's variable is read: ``read(variable_name, value_as_typed)``."""

    read: Callable[[str, str], Any]


class _Merged(EnvSettingsSource):
    """The environment as ``load_settings`` merged it, instead of ``os.environ``."""

    def _load_env_vars(self) -> Mapping[str, str | None]:
        # Matched without case so env_prefix + field name finds DASHBOARD_RELAY_PORT; only the
        # upper-case spelling is a setting, as in the environment itself.
        return {key.lower(): value for key, value in _VALUES.get().items() if key.isupper()}


class Part(BaseSettings):
    model_config = SettingsConfigDict(
        frozen=True, extra="ignore", case_sensitive=False, validate_default=False
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (_Merged(settings_cls),)

    @classmethod
    def variable(cls, field: str) -> str:
        alias = cls.model_fields[field].validation_alias
        return alias if isinstance(alias, str) else cls.model_config.get("env_prefix", "") + field.upper()

    @field_validator("*", mode="before")
    @classmethod
    def _checked(cls, raw: object, info: ValidationInfo) -> object:
        """Every value goes through its field's check, which names the variable when it fails."""
        name = info.field_name or ""
        for meta in cls.model_fields[name].metadata:
            if isinstance(meta, Check) and isinstance(raw, str):
                return meta.read(cls.variable(name), raw)
        return raw


P = TypeVar("P", bound=Part)


@contextmanager
def reading(values: Mapping[str, str]) -> Iterator[None]:
    """The parts made inside read ``values`` (stripped; an empty variable is an unset one)."""
    token = _VALUES.set({key: value.strip() for key, value in values.items() if value.strip()})
    try:
        yield
    finally:
        _VALUES.reset(token)


def read(part: type[P]) -> P:
    """``part`` from the merged variables. Our checks raise their own sentences; a refusal
    pydantic makes itself (a value no check of ours saw) becomes one naming the variable."""
    try:
        return part()
    except ValidationError as error:
        first = error.errors(include_url=False, include_input=False)[0]
        field = str(first["loc"][0]) if first["loc"] else ""
        name = part.variable(field) if field in part.model_fields else field or part.__name__
        raise ConfigError(f"{name} cannot be read: {first['msg'].rstrip('.')}.") from None


def _is(func: Callable[..., Any], **bounds: Any) -> Check:
    return Check(lambda key, raw: func(key, raw, **bounds))


Switch = Annotated[bool, Check(check.switch)]


class ScalekitPart(Part):
    """Which Scalekit environment, and how the SDK reaches it (all three credentials or none)."""

    model_config = SettingsConfigDict(env_prefix="SCALEKIT_")
    environment_url: Annotated[str | None, Check(check.environment_url)] = None
    client_id: str | None = None
    client_secret: str | None = Field(default=None, repr=False)
    ca_bundle: str | None = None  # read only in a live environment: see live_ca_bundle
    call_timeout: Annotated[
        float, _is(check.amount, unit="seconds", high=check.MAX_CALL_TIMEOUT_S, zero=False)
    ] = 10.0

    def live_ca_bundle(self) -> str | None:
        return (
            check.readable_file(self.variable("ca_bundle"), self.ca_bundle) if self.environment_url else None
        )


class PagesPart(Part):
    """Who uses the pages and how they sign in."""

    model_config = SettingsConfigDict(env_prefix="DASHBOARD_")
    operator: str | None = None
    operator_role: Annotated[str, Check(check.role)] = "admin"
    sign_in: Switch = True
    preview_org: str | None = None


class HistoryPart(Part):
    model_config = SettingsConfigDict(env_prefix="DASHBOARD_")
    # Checked deeply by the history, which owns it (its sentences name the driver, the server).
    database_url: str = "sqlite:///data/issuance.db"
    demo_history: Switch = True


class RelayPart(Part):
    model_config = SettingsConfigDict(env_prefix="DASHBOARD_RELAY_")
    url: Annotated[str | None, Check(check.relay_url)] = None  # https only when live: see load_settings
    host: Annotated[str, Check(check.listen_host)] = "0.0.0.0"
    port: Annotated[int, _is(check.whole, low=1, high=check.MAX_PORT)] = 8502
    trusted_proxies: Annotated[str, Check(check.trusted_proxies)] = "127.0.0.1"
    brand: str = "Admin portal"
    support_contact: str = Field(default="your account team", validation_alias="DASHBOARD_SUPPORT_CONTACT")


class SmtpPart(Part):
    model_config = SettingsConfigDict(env_prefix="DASHBOARD_SMTP_")
    url: str | None = Field(default=None, repr=False)  # may carry a password
    sender: str | None = Field(default=None, validation_alias="DASHBOARD_SMTP_FROM")
    ca_file: str | None = None

    def settings(self) -> SmtpSettings | None:
        """None: invitations are sent from the rep's own mail client."""
        if self.url is None:
            return None
        try:
            smtp = parse_smtp_url(self.url, self.sender, self.ca_file)
        except ValueError as exc:  # urlsplit's own refusals (a broken [IPv6] host); never quote the URL
            raise ConfigError(
                "DASHBOARD_SMTP_URL must look like smtp://user:password@host:587 (STARTTLS), "
                "smtps://…:465 (TLS) or smtp+insecure://host:25."
            ) from exc
        check.readable_file(self.variable("ca_file"), smtp.ca_file)
        return smtp


class NotificationsPart(Part):
    model_config = SettingsConfigDict(env_prefix="DASHBOARD_NOTIFY_")
    # Apprise URLs, separated by spaces or commas; they may hold webhook secrets.
    urls: Annotated[tuple[str, ...], NoDecode, Check(check.words)] = Field(default=(), repr=False)


class EmulatorPart(Part):
    model_config = SettingsConfigDict(env_prefix="DASHBOARD_EMULATOR_")
    env_file: str | None = None
    orgs: Annotated[int, _is(check.whole, low=1, high=check.MAX_EMULATOR_ORGS)] = 40
    seed: Annotated[int, _is(check.whole, low=0)] = 7
    portal_session_ttl: Annotated[
        float, _is(check.amount, unit="seconds", high=check.MAX_PORTAL_SESSION_S, zero=False)
    ] = 6 * 3600
    latency_ms: Annotated[
        float, _is(check.amount, unit="milliseconds", high=check.MAX_LATENCY_MS, zero=True)
    ] = 0.0
    readings: Annotated[tuple[str, ...], NoDecode, Check(lambda key, raw: tuple(raw.split()))] = ()


class WorkerPart(Part):
    """Whether make run starts a worker, and its job intervals (DASHBOARD_WORKER_<JOB>_S, named
    by the jobs themselves, so read from the variables rather than declared here)."""

    model_config = SettingsConfigDict(env_prefix="DASHBOARD_")
    worker: Switch = True

    @staticmethod
    def intervals() -> tuple[tuple[str, float], ...]:
        values = _VALUES.get()
        return tuple(
            (
                key[len("DASHBOARD_WORKER_") : -2].lower(),
                check.amount(key, values[key], "seconds", check.MAX_INTERVAL_S, zero=False),
            )
            for key in sorted(values)
            if key.startswith("DASHBOARD_WORKER_") and key.endswith("_S")
        )
