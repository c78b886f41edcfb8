"""Settings read from SKRANKE_* environment variables; nothing here opens anything."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

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
    # Kiosks issue walk-in tickets only in drop-in hours (SKRANKE_KIOSK_HOURS=off: any time).
    kiosk_hours: bool = True
    # Walk-in tickets stop this many minutes before drop-in closes, where a branch sets none.
    ticket_cutoff_minutes: int = 0
    # Online booking and its notices (issue 5).
    smtp_host: str = ""  # empty: e-mails are only logged
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "skranke@localhost"
    sms_gateway_url: str = ""  # empty: SMS go to the log outbox (demo)
    reminder_hours_before: int = 24
    # A booking made closer to its start than this gets no reminder (only its confirmation).
    reminder_min_notice_hours: int = 36
    no_show_grace_minutes: int = 15
    checkin_early_minutes: int = 30
    checkin_late_minutes: int = 15
    max_bookings_per_contact: int = 2
    booking_ip_limit: str = "20/hour"
    jobs_enabled: bool = True
    jobs_interval_seconds: int = 60
    # When set, /metrics wants `Authorization: Bearer <this>`; empty: open (firewall it).
    metrics_token: str = ""
    # Addresses (IPs or CIDRs) whose X-Forwarded-For / -Proto are believed; none by default,
    # so a client cannot pick its own address and slip past the per-address login limits.
    trusted_proxies: tuple[str, ...] = ()

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
            trusted_proxies=_networks(env, "SKRANKE_TRUSTED_PROXIES"),
            **_booking_from_env(env, defaults),
        )


def _networks(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    found = []
    for part in (env.get(name) or "").split(","):
        if not part.strip():
            continue
        try:
            found.append(str(ipaddress.ip_network(part.strip(), strict=False)))
        except ValueError:
            # Checked here: a typo would otherwise trust nobody (or everybody) silently.
            raise ConfigError(
                f"Expected IP addresses or CIDRs in {name}, but got {part!r}"
            ) from None
    return tuple(found)


def _booking_from_env(env: Mapping[str, str], d: Settings) -> dict[str, Any]:
    def text(name: str, default: str) -> str:
        return env.get(f"SKRANKE_{name}") or default

    def number(name: str, default: int) -> int:
        return _int(env, f"SKRANKE_{name}", default)

    return {
        "smtp_host": text("SMTP_HOST", d.smtp_host),
        "smtp_port": number("SMTP_PORT", d.smtp_port),
        "smtp_user": text("SMTP_USER", d.smtp_user),
        "smtp_password": text("SMTP_PASSWORD", d.smtp_password),
        "smtp_from": text("SMTP_FROM", d.smtp_from),
        "sms_gateway_url": text("SMS_GATEWAY_URL", d.sms_gateway_url),
        "reminder_hours_before": number("REMINDER_HOURS_BEFORE", d.reminder_hours_before),
        "reminder_min_notice_hours": number(
            "REMINDER_MIN_NOTICE_HOURS", d.reminder_min_notice_hours
        ),
        "no_show_grace_minutes": number("NO_SHOW_GRACE_MINUTES", d.no_show_grace_minutes),
        "checkin_early_minutes": number("CHECKIN_EARLY_MINUTES", d.checkin_early_minutes),
        "checkin_late_minutes": number("CHECKIN_LATE_MINUTES", d.checkin_late_minutes),
        "max_bookings_per_contact": number("MAX_BOOKINGS_PER_CONTACT", d.max_bookings_per_contact),
        "booking_ip_limit": text("BOOKING_IP_LIMIT", d.booking_ip_limit),
        "jobs_enabled": text("JOBS", "on").lower() not in ("off", "0", "false", "no"),
        "jobs_interval_seconds": number("JOBS_INTERVAL_SECONDS", d.jobs_interval_seconds),
        "metrics_token": text("METRICS_TOKEN", d.metrics_token),
        "kiosk_hours": text("KIOSK_HOURS", "on").lower() not in ("off", "0", "false", "no"),
        "ticket_cutoff_minutes": number("TICKET_CUTOFF_MINUTES", d.ticket_cutoff_minutes),
    }
