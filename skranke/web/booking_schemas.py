"""Public request and response shapes of the booking API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from skranke.queue.slots import Slot
from skranke.web.inputs import Moment, Text
from skranke.web.schemas import ErrorOut, In, Language


class SlotOut(BaseModel):
    start: datetime
    end: datetime
    seats_left: int

    @classmethod
    def of(cls, slot: Slot) -> SlotOut:
        return cls(start=slot.start, end=slot.end, seats_left=slot.seats_left)


class SlotsOut(BaseModel):
    branch: str
    service: str
    slot_minutes: int
    capacity: int
    slots: list[SlotOut]


class BookingIn(In):
    service: Text = Field(min_length=1, max_length=40, description="Service key, e.g. 'pas'")
    branch: Text | None = Field(
        default=None, max_length=40, description="Branch key; needed where several offer it"
    )
    start: Moment = Field(description="A free slot's start, with its UTC offset")
    name: Text = Field(min_length=1, max_length=120)
    email: Text | None = Field(default=None, max_length=200)
    phone: Text | None = Field(default=None, max_length=30)
    language: Literal["da", "en"] = "da"


class BookingOut(BaseModel):
    code: str
    start: datetime
    end: datetime
    cancel_url: str
    ics_url: str


class SlotTakenOut(ErrorOut):
    """409 when the slot went to someone else: the free slots nearest to it."""

    nearest: list[SlotOut]


class TooEarlyOut(ErrorOut):
    """409 at a check-in long before the booking."""

    come_back_at: str = Field(json_schema_extra={"format": "date-time"})


class TooLateOut(ErrorOut):
    """409 at a check-in after the booking's window: a drop-in ticket can be taken instead."""

    dropin: Literal[True] = True


class CancelledOut(BaseModel):
    code: str
    state: str


class CheckinIn(In):
    code: Text = Field(min_length=4, max_length=20, description="The booking code, e.g. 'K7FQ3X'")
    dropin: bool = Field(
        default=False, description="Too late for the booking: take a drop-in ticket instead"
    )
    language: Language | None = Field(
        default=None, description="The kiosk screen's language, for the ticket (else the booking's)"
    )


class DayBookingOut(BaseModel):
    code: str
    service: str
    name: dict[str, str]
    citizen: str = Field(description="The citizen's name, for greeting at the counter")
    start: datetime
    end: datetime
    state: str
    ticket_id: int | None
    ticket_number: str | None
