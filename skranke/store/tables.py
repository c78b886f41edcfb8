"""Database tables (SQLModel). Service code queries them with SQLAlchemy Core."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel

from skranke.queue.states import (
    Area,
    BookingState,
    CounterState,
    DeviceKind,
    Role,
    TicketSource,
    TicketState,
)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no zone of its own)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"Expected an aware datetime, but got naive {value!r}")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    # On SQLite the value is text in SQLAlchemy's layout ("2026-11-22 09:30:00.000000"). The
    # generic path formats and parses it through Python code (3.5 µs a value, several per
    # ticket); `isoformat`/`fromisoformat` write and read the same text in C.
    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def to_text(value: datetime | None) -> str | None:
            if value is None:
                return None
            if value.tzinfo is None:
                raise ValueError(f"Expected an aware datetime, but got naive {value!r}")
            return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

        return to_text

    def result_processor(self, dialect: Dialect, coltype: Any) -> Callable[[Any], Any] | None:
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)

        def from_text(value: str | None) -> datetime | None:
            return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)

        return from_text


def _ts(nullable: bool = True) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable)


def _enum(enum: type[Any]) -> Any:
    # Plain strings in the database: adding a state later needs no ALTER TYPE on PostgreSQL.
    return sa.String(20)


class Branch(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=120)
    address: str = Field(default="", max_length=200)
    timezone: str = Field(default="Europe/Copenhagen", max_length=60)
    # Weekly hours JSON: {"dropin": {"mon": [["09:00","17:00"]]}, "booking": {...}}.
    hours: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    ticket_footer: str = Field(default="", max_length=200)
    # Extra closed days as ISO dates ("2026-12-28"); public holidays are closed anyway.
    closed_dates: list[str] = Field(default_factory=list, sa_type=sa.JSON)
    # Days with other hours than the week's: {"2026-12-23": {"dropin": [["10:00","14:00"]],
    # "booking": []}}; a closed day belongs in closed_dates.
    special_hours: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    active: bool = True
    # The accessibility statement and the pages name the municipality and how to reach it.
    municipality: str = Field(default="", max_length=120)
    contact_email: str = Field(default="", max_length=200)
    contact_phone: str = Field(default="", max_length=40)
    contact_url: str = Field(default="", max_length=200)
    logo: bytes | None = Field(default=None, sa_type=sa.LargeBinary)
    logo_type: str = Field(default="", max_length=40)
    # Per-branch policy; None falls back to the server's SKRANKE_* setting.
    overflow_threshold_minutes: int | None = None
    recall_limit: int | None = None
    booking_call_window_minutes: int | None = None
    # New walk-in tickets stop this many minutes before drop-in hours end.
    cutoff_minutes: int | None = None


class Service(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("branch_id", "key"),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    key: str = Field(max_length=40)
    name_da: str = Field(max_length=120)
    name_en: str = Field(max_length=120)
    area: Area = Field(sa_type=_enum(Area))
    prefix: str = Field(max_length=2)
    expected_minutes: int = 10
    walk_in: bool = True
    # Simple errands may overflow to counters of the other area when its queue grows long.
    simple: bool = False
    active: bool = True
    sort_order: int = 0
    # Online booking (DESIGN §5): capacity is parallel counters, or seats on a course.
    bookable: bool = False
    slot_minutes: int = 15
    capacity: int = 1
    advance_days: int = 60
    lead_minutes: int = 60
    what_to_bring_da: str = Field(default="", max_length=500)
    what_to_bring_en: str = Field(default="", max_length=500)
    # Names and what to bring in the other kiosk languages: {"uk": "...", "ar": "..."}.
    names: dict[str, str] = Field(default_factory=dict, sa_type=sa.JSON)
    what_to_bring: dict[str, str] = Field(default_factory=dict, sa_type=sa.JSON)
    # Statistics and the supervisor count the share of citizens called within this.
    target_minutes: int = 15
    # Open bookings one e-mail or phone may hold; None falls back to the server's setting.
    contact_limit: int | None = None


class Counter(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("branch_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    number: int
    name: str = Field(max_length=60)
    area: Area = Field(sa_type=_enum(Area))
    state: CounterState = Field(default=CounterState.CLOSED, sa_type=_enum(CounterState))
    # No foreign key: ticket.counter_id already points the other way, and a cycle of keys
    # complicates creating and dropping the tables.
    current_ticket_id: int | None = None
    # Counters in use are deactivated, never deleted, so history and statistics stay.
    active: bool = True


class CounterService(SQLModel, table=True):
    __tablename__ = "counter_service"
    counter_id: int = Field(foreign_key="counter.id", primary_key=True)
    service_id: int = Field(foreign_key="service.id", primary_key=True)
    priority: float = 1.0


class TicketCounter(SQLModel, table=True):
    """The last number given per branch, prefix and local day; bumped atomically."""

    __tablename__ = "ticket_counter"
    branch_id: int = Field(foreign_key="branch.id", primary_key=True)
    day: date = Field(primary_key=True)
    prefix: str = Field(max_length=2, primary_key=True)
    last: int = 0


class Ticket(SQLModel, table=True):
    __table_args__ = (
        # A transfer re-queues the same number; only the original must be unique.
        sa.Index(
            "uq_ticket_number",
            "branch_id",
            "day",
            "number",
            unique=True,
            sqlite_where=sa.text("transferred_from_id IS NULL"),
            postgresql_where=sa.text("transferred_from_id IS NULL"),
        ),
        # The head of a service's walk-in queue is one index probe, however long the queue.
        sa.Index("ix_ticket_head", "service_id", "state", "lane", "issued_at", "id"),
        # Booked and transferred tickets of a branch, found without scanning the walk-ins.
        sa.Index("ix_ticket_lane", "branch_id", "state", "lane"),
        sa.Index("ix_ticket_finished", "service_id", "finished_at"),
        # Statistics: a branch's tickets of a date range (docs/statistics.md).
        sa.Index("ix_ticket_branch_day", "branch_id", "day"),
    )
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    service_id: int = Field(foreign_key="service.id")
    day: date
    number: str = Field(max_length=8)
    state: TicketState = Field(default=TicketState.WAITING, sa_type=_enum(TicketState))
    source: TicketSource = Field(default=TicketSource.KIOSK, sa_type=_enum(TicketSource))
    language: str = Field(default="da", max_length=5)
    tracking: str = Field(max_length=40, index=True)
    # Which queue the ticket stands in (see states.Lane); fixed when the ticket is made.
    lane: int = 0
    booking_start: datetime | None = _ts()
    transferred_from_id: int | None = Field(default=None, foreign_key="ticket.id")
    target_counter_id: int | None = Field(default=None, foreign_key="counter.id")
    counter_id: int | None = Field(default=None, foreign_key="counter.id")
    recall_count: int = 0
    issued_at: datetime = _ts(nullable=False)
    called_at: datetime | None = _ts()
    served_at: datetime | None = _ts()
    finished_at: datetime | None = _ts()
    # Statistics (docs/statistics.md): waiting ends at the first call, which `called_at`
    # forgets when a recall or a resumption calls again; and the staff member who called last.
    first_called_at: datetime | None = _ts()
    called_by_user_id: int | None = None


class Event(SQLModel, table=True):
    """Append-only record of every state change; statistics, audit and resync read it."""

    # Statistics: the calls and counter states of a time range, without the table.
    __table_args__ = (sa.Index("ix_event_kind_at", "kind", "at"),)
    seq: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(nullable=False)
    kind: str = Field(max_length=40)
    branch_id: int | None = Field(default=None, index=True)
    ticket_id: int | None = None
    counter_id: int | None = None
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)


class StaffUser(SQLModel, table=True):
    __tablename__ = "staff_user"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=60, unique=True)
    password_hash: str = Field(max_length=200)
    role: Role = Field(default=Role.STAFF, sa_type=_enum(Role))
    # Branch ids the user may work at; empty means every branch.
    branch_ids: list[int] = Field(default_factory=list, sa_type=sa.JSON)
    active: bool = True


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="staff_user.id", index=True)
    name: str = Field(default="", max_length=60)
    # SHA-256 of the token: tokens are long random strings, so a fast hash is enough.
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = _ts(nullable=False)


class Device(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=40, unique=True)
    kind: DeviceKind = Field(sa_type=_enum(DeviceKind))
    branch_id: int = Field(foreign_key="branch.id", index=True)
    name: str = Field(default="", max_length=60)
    token_hash: str = Field(max_length=64, unique=True)
    printer_url: str | None = Field(default=None, max_length=200)
    # A display can be limited to one area; None shows both.
    area: Area | None = Field(default=None, sa_type=_enum(Area))
    language: str = Field(default="da", max_length=5)
    # A deactivated device's token is refused; rotating gives a new token instead.
    active: bool = True
    last_contact_at: datetime | None = _ts()


class Booking(SQLModel, table=True):
    """An appointment. Never a CPR number: the code identifies it at the kiosk."""

    __table_args__ = (
        # Seats taken per slot are one index range scan.
        sa.Index("ix_booking_slot", "service_id", "start", "state"),
        sa.Index("ix_booking_branch_start", "branch_id", "start"),
        sa.Index("ix_booking_state_start", "state", "start"),
    )
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=12, unique=True)
    branch_id: int = Field(foreign_key="branch.id")
    service_id: int = Field(foreign_key="service.id")
    start: datetime = _ts(nullable=False)
    end: datetime = _ts(nullable=False)
    # Personal data, erased by the retention purge; empty strings and NULLs afterwards.
    name: str = Field(default="", max_length=120)
    email: str | None = Field(default=None, max_length=200, index=True)
    phone: str | None = Field(default=None, max_length=20, index=True)
    language: str = Field(default="da", max_length=5)
    state: BookingState = Field(default=BookingState.BOOKED, sa_type=_enum(BookingState))
    reminder_sent_at: datetime | None = _ts()
    created_at: datetime = _ts(nullable=False)
    checked_in_at: datetime | None = _ts()
    cancelled_at: datetime | None = _ts()
    purged_at: datetime | None = _ts()
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    # Staff booking on a citizen's behalf (phone, desk); None when booked online.
    created_by_user_id: int | None = None


class OutboxMessage(SQLModel, table=True):
    """A notice to send (e-mail or SMS). It holds no address or text: both are read from the
    booking (or the ticket's contact) when it is sent, so erasing them there is enough."""

    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_due", "state", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    # A notice is of a booking, or of a walk-in ticket (its "you are third" SMS): one is set.
    booking_id: int | None = Field(default=None, foreign_key="booking.id", index=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    channel: str = Field(max_length=10)  # email | sms
    template: str = Field(max_length=20)  # confirmation | reminder | cancellation
    state: str = Field(default="pending", max_length=10)  # pending | sent | failed | dropped
    attempts: int = 0
    next_attempt_at: datetime = _ts(nullable=False)
    last_error: str | None = Field(default=None, max_length=300)
    created_at: datetime = _ts(nullable=False)
    sent_at: datetime | None = _ts()


class TicketContact(SQLModel, table=True):
    """The phone number a walk-in gave on the phone page to be texted when third in line.

    Personal data for the ticket's life only: the row goes when the ticket ends (and at the
    end-of-day close at the latest); withdrawing empties `phone` but keeps `notified_at`, so
    asking again never texts twice.
    """

    __tablename__ = "ticket_contact"
    ticket_id: int = Field(foreign_key="ticket.id", primary_key=True)
    phone: str | None = Field(default=None, max_length=20)
    # The language of the page the citizen asked on: the SMS is written in it.
    language: str = Field(default="da", max_length=5)
    asked_at: datetime = _ts(nullable=False)
    notified_at: datetime | None = _ts()


class IdempotencyKey(SQLModel, table=True):
    """A request's `Idempotency-Key` and the answer it got, kept a day for retries."""

    __tablename__ = "idempotency_key"
    __table_args__ = (
        sa.UniqueConstraint("caller", "key", name="uq_idempotency_key_caller_key"),
        sa.Index("ix_idempotency_key_created_at", "created_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    caller: str = Field(max_length=120)
    key: str = Field(max_length=100)
    # SHA-256 of method, path and body: the same key with another request is refused.
    fingerprint: str = Field(max_length=64)
    # 0 while the first request's transaction is still running.
    status: int = 0
    body: bytes = Field(default=b"", sa_type=sa.LargeBinary)
    created_at: datetime = _ts(nullable=False)


class Audit(SQLModel, table=True):
    """Who changed the administration, when, and what (old -> new per field)."""

    __table_args__ = (
        sa.Index("ix_audit_at", "at"),
        sa.Index("ix_audit_branch_at", "branch_id", "at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(nullable=False)
    actor: str = Field(max_length=60)
    actor_id: int | None = None
    branch_id: int | None = None
    entity: str = Field(max_length=20)  # branch | service | counter | device | staff
    entity_key: str = Field(max_length=80)
    action: str = Field(max_length=20)  # create | change | deactivate | rotate | ...
    # {field: [old, new]}; secrets (passwords, tokens) are never written here.
    changes: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)


def table(model: type[SQLModel]) -> sa.Table:
    return cast(sa.Table, model.__table__)  # type: ignore[attr-defined]


branch_t = table(Branch)
service_t = table(Service)
counter_t = table(Counter)
counter_service_t = table(CounterService)
ticket_counter_t = table(TicketCounter)
ticket_t = table(Ticket)
event_t = table(Event)
staff_user_t = table(StaffUser)
api_token_t = table(ApiToken)
device_t = table(Device)
booking_t = table(Booking)
outbox_t = table(OutboxMessage)
ticket_contact_t = table(TicketContact)
idempotency_key_t = table(IdempotencyKey)
audit_t = table(Audit)
metadata = SQLModel.metadata
