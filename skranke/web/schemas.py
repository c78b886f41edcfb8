"""Public request and response shapes of the JSON API; table models never leave the server."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

from skranke.queue.views import ServiceQueue, TicketInfo
from skranke.web.inputs import Id, Text

Language = Literal["da", "en", "uk", "ar", "pl", "tr"]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class IssueTicketIn(In):
    service: Text = Field(min_length=1, max_length=40, description="Service key, e.g. 'pas'")
    language: Language = "da"


class CallTicketIn(In):
    ticket: Id | Annotated[Text, Field(min_length=1, max_length=20)] = Field(
        description="Ticket id, or its number such as 'K012'"
    )


class TransferIn(In):
    service: Text | None = Field(default=None, min_length=1, max_length=40)
    counter: Id | None = None


class CounterStateIn(In):
    state: Literal["open", "paused", "closed"]


class ErrorOut(BaseModel):
    error: str
    detail: str
    # Set where a page shows its own sentence: a stable word and the values it names.
    reason: str | None = None
    params: dict[str, Any] | None = None


class BranchOut(BaseModel):
    key: str
    name: str
    address: str
    timezone: str


class ServiceOut(BaseModel):
    key: str
    name: dict[str, str]
    area: str
    prefix: str
    expected_minutes: int
    walk_in: bool


class QueueOut(BaseModel):
    service: str
    name: dict[str, str]
    area: str
    waiting: int
    longest_wait_minutes: int
    estimated_wait_minutes: int
    # [low, high] minutes when the wait is uncertain; null when one figure will do.
    estimated_wait_range: tuple[int, int] | None = None
    open_counters: int

    @classmethod
    def of(cls, q: ServiceQueue) -> QueueOut:
        return cls(
            service=q.service_key,
            name={"da": q.name_da, "en": q.name_en},
            area=q.area.value,
            waiting=q.waiting,
            longest_wait_minutes=q.longest_wait_minutes,
            estimated_wait_minutes=q.estimated_wait_minutes,
            estimated_wait_range=q.estimated_wait_range,
            open_counters=q.open_counters,
        )


class CounterRef(BaseModel):
    id: int
    number: int
    name: str


class PrintOut(BaseModel):
    status: Literal["no_printer", "queued", "printed", "failed"]
    detail: str = ""


class TicketOut(BaseModel):
    id: int
    number: str
    state: str
    branch: str
    service: str
    service_name: dict[str, str]
    area: str
    language: str
    issued_at: datetime
    called_at: datetime | None
    counter: CounterRef | None
    position: int | None
    estimated_wait_minutes: int | None
    # [low, high] minutes when the wait is uncertain; null when one figure will do.
    estimated_wait_range: tuple[int, int] | None = None
    recall_count: int
    tracking_url: str
    # A checked-in booking's appointment time; null for walk-ins.
    booking_start: datetime | None = None

    @classmethod
    def of(cls, t: TicketInfo, public_url: str, **extra: Any) -> Self:
        counter = None
        if t.counter_id is not None and t.counter_number is not None:
            counter = CounterRef(
                id=t.counter_id, number=t.counter_number, name=t.counter_name or ""
            )
        return cls(
            id=t.id,
            number=t.number,
            state=t.state.value,
            branch=t.branch_key,
            service=t.service_key,
            # Every kiosk language's name (service.names, else Danish, else English).
            service_name=t.service_name_by_language(),
            area=t.area.value,
            language=t.language,
            issued_at=t.issued_at,
            called_at=t.called_at,
            counter=counter,
            position=t.position,
            estimated_wait_minutes=t.estimated_wait_minutes,
            estimated_wait_range=t.estimated_wait_range,
            recall_count=t.recall_count,
            tracking_url=f"{public_url}/t/{t.tracking}",
            booking_start=t.booking_start,
            **extra,
        )


class IssuedTicketOut(TicketOut):
    print: PrintOut


class CounterOut(BaseModel):
    id: int
    number: int
    name: str
    area: str
    state: str
    current_ticket_id: int | None
    services: dict[str, float] = Field(description="Service key -> priority weight")


class DeviceOut(BaseModel):
    key: str
    kind: Literal["kiosk", "display"]
    name: str
    last_contact: datetime | None = Field(
        description="When a print job of this kiosk was last made or printed: the server "
        "records no other contact, so a display, or a kiosk without a printer, has null"
    )
    printer: str | None = Field(
        description="'ok', or today's unsolved problem ('offline', 'paper_low', 'paper_out', "
        "...); null for a device without a printer"
    )
    printer_detail: str = Field(description="What the printer or spooler said about it")
