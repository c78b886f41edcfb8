"""Settings read from SKRANKE_* environment variables; nothing here opens anything."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

DEFAULT_DATABASE_URL = "sqlite:///skranke.db"


class ConfigError(ValueError):
    pass


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"Expected a whole number in {name}, but got {raw!r}") from None


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    # Signs session cookies and cancel links; the default is only fit for the demo.
    secret_key: str = "skranke-demo-secret-change-me"
    timezone: str = "Europe/Copenhagen"
    public_url: str = "http://127.0.0.1:8000"
    retention_days: int = 30
    # Checked-in bookings are called first from this many minutes before their start.
    booking_call_window_minutes: int = 5
    # Simple errands of the other area overflow to a counter once their longest wait passes this.
    overflow_threshold_minutes: int = 20
    recall_limit: int = 3
    # Handling time is learned from this many recently finished tickets of a service.
    estimate_history: int = 20

    @property
    def booking_call_window(self) -> timedelta:
        return timedelta(minutes=self.booking_call_window_minutes)

    @property
    def overflow_threshold(self) -> timedelta:
        return timedelta(minutes=self.overflow_threshold_minutes)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        defaults = cls()
        return cls(
            database_url=env.get("SKRANKE_DATABASE_URL") or defaults.database_url,
            secret_key=env.get("SKRANKE_SECRET_KEY") or defaults.secret_key,
            timezone=env.get("SKRANKE_TIMEZONE") or defaults.timezone,
            public_url=(env.get("SKRANKE_PUBLIC_URL") or defaults.public_url).rstrip("/"),
            retention_days=_int(env, "SKRANKE_RETENTION_DAYS", defaults.retention_days),
            booking_call_window_minutes=_int(
                env, "SKRANKE_BOOKING_CALL_WINDOW_MINUTES", defaults.booking_call_window_minutes
            ),
            overflow_threshold_minutes=_int(
                env, "SKRANKE_OVERFLOW_THRESHOLD_MINUTES", defaults.overflow_threshold_minutes
            ),
            recall_limit=_int(env, "SKRANKE_RECALL_LIMIT", defaults.recall_limit),
            estimate_history=_int(env, "SKRANKE_ESTIMATE_HISTORY", defaults.estimate_history),
        )
