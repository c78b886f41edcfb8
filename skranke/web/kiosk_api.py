"""What the kiosk asks beside tickets: is drop-in open (and is my token still good)?

`GET /api/v1/kiosks/{device}/status` with the kiosk's token answers the branch's drop-in
state; the kiosk page asks on load, every minute and when the state is due to change, and
shows its closed screen, or its out-of-order screen on 401/403 (a revoked or rotated token).
It also serves as the kiosk's heartbeat for `device.last_contact_at` (web/contacts.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response

from skranke.queue import opening
from skranke.web.auth import KIOSK, caller
from skranke.web.endpoints import Endpoint, ctx, json
from skranke.web.errors import ApiError
from skranke.web.schemas import ErrorOut

DateTime = Field(default=None, json_schema_extra={"format": "date-time"})


class ClosedOut(ErrorOut):
    """409 for a kiosk outside drop-in hours, past the cut-off, or with a wait past closing."""

    error: Literal["closed"] = "closed"
    # When walk-in tickets can be taken again; null when not within the next 60 days.
    opens_at: str | None = DateTime


class KioskStatusOut(BaseModel):
    state: Literal["open", "closed", "cutoff"]
    opens_at: str | None = DateTime
    closes_at: str | None = DateTime
    last_ticket_at: str | None = DateTime
    # When this state ends by itself: the kiosk looks again then.
    changes_at: str | None = DateTime

    @classmethod
    def of(cls, found: opening.DropInState) -> KioskStatusOut:
        return cls(
            state=found.state.value,  # type: ignore[arg-type]
            opens_at=_iso(found.opens_at),
            closes_at=_iso(found.closes_at),
            last_ticket_at=_iso(found.last_ticket_at),
            changes_at=_iso(found.changes_at),
        )


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


async def kiosk_status(request: Request) -> Response:
    who = caller(request)
    device: str = request.path_params["device"]
    if who.name != device:
        raise ApiError(403, "forbidden", f"Expected the token of kiosk {device!r}, but got another")
    db, policy, now = ctx(request)
    found = opening.DropInState(opening.DropIn.OPEN)
    if policy.opening_hours:
        cutoff = policy.ticket_cutoff_minutes
        found = await db.read(opening.kiosk_dropin, device, now, cutoff)
    return json(KioskStatusOut.of(found))


KIOSK_ENDPOINTS = [
    Endpoint(
        "GET",
        "/api/v1/kiosks/{device}/status",
        kiosk_status,
        "A kiosk's drop-in state: open, closed (opens_at), or past the cut-off",
        KIOSK,
        None,
        KioskStatusOut,
        errors=(401, 403, 404),
    ),
]
