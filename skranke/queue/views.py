"""Plain read models handed from the service functions to the web layer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from skranke.queue.routing import RoutingPolicy
from skranke.queue.states import Area, TicketState


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
