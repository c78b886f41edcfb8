"""Plain read models handed from the service functions to the web layer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from skranke.queue.routing import RoutingPolicy
from skranke.queue.states import LANGUAGES, Area, TicketState


def local_name(lang: str, name_da: str, name_en: str, names: Mapping[str, str]) -> str:
    """An errand's name in `lang`: its own (the `names` set in /admin and kommune.toml for the
    kiosk languages), else Danish (the signs in the building), else English."""
    if lang == "en":
        return name_en or name_da
    own = names.get(lang) if lang != "da" else None
    return own or name_da or name_en


@dataclass(frozen=True)
class QueuePolicy:
    routing: RoutingPolicy = field(default_factory=RoutingPolicy)
    # After this many recalls a called ticket goes back to the queue.
    recall_limit: int = 3
    estimate_history: int = 20
    # Kiosk tickets only in drop-in hours (queue.opening); the app turns it on from settings.
    opening_hours: bool = False
    # Walk-in tickets stop this many minutes before drop-in closes (branch.cutoff_minutes wins).
    ticket_cutoff_minutes: int = 0


@dataclass(frozen=True)
class TicketInfo:
    id: int
    number: str
    state: TicketState
    branch_key: str
    service_key: str
    service_name_da: str
    service_name_en: str
    area: Area
    tracking: str
    language: str
    issued_at: datetime
    called_at: datetime | None
    counter_id: int | None
    counter_number: int | None
    counter_name: str | None
    recall_count: int
    # Only for a waiting ticket: place in its queue (1 = next) and the expected wait.
    position: int | None = None
    estimated_wait_minutes: int | None = None
    # [low, high] minutes where the wait is uncertain; None when one figure will do.
    estimated_wait_range: tuple[int, int] | None = None
    # The errand's names in the other kiosk languages (service.names), and a booking's time.
    service_names: Mapping[str, str] = field(default_factory=dict, hash=False)
    booking_start: datetime | None = None

    def service_name(self, lang: str) -> str:
        return local_name(lang, self.service_name_da, self.service_name_en, self.service_names)

    def service_name_by_language(self) -> dict[str, str]:
        """{"da": ..., "en": ..., "uk": ...}: every page language's name, fallbacks filled."""
        return {lang: self.service_name(lang) for lang in LANGUAGES}


@dataclass(frozen=True)
class ServiceQueue:
    service_key: str
    name_da: str
    name_en: str
    area: Area
    prefix: str
    walk_in: bool
    waiting: int
    longest_wait_minutes: int
    # Expected wait for a ticket taken now.
    estimated_wait_minutes: int
    open_counters: int
    # [low, high] minutes where the wait is uncertain; None when one figure will do.
    estimated_wait_range: tuple[int, int] | None = None
    names: Mapping[str, str] = field(default_factory=dict, hash=False)

    def name(self, lang: str) -> str:
        return local_name(lang, self.name_da, self.name_en, self.names)
