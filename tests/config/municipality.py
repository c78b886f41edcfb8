"""A five-branch municipality for the configuration tests: every kind of field set somewhere."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from skranke.queue.configuration import (
    BookingRules,
    BranchSetup,
    CounterSetup,
    DeviceSetup,
    Municipality,
    Policy,
    ServiceSetup,
    StaffSetup,
)
from skranke.queue.states import Area, DeviceKind, Role
from skranke.store import Conn
from skranke.store.engine import Database
from skranke.store.tables import audit_t
from tests.site import run_async

B, L = Area.BORGERSERVICE, Area.LIBRARY
TOWNS = {
    "centrum": "Centralbiblioteket",
    "nord": "Filial Nord",
    "syd": "Filial Syd",
    "oest": "Filial Øst",
    "vest": "Filial Vest",
}
HOURS = {
    "dropin": {d: [["10:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    "booking": {d: [["09:00", "12:00"], ["13:00", "16:00"]] for d in ("mon", "wed")},
}


def services(town: str) -> tuple[ServiceSetup, ...]:
    name = TOWNS[town]
    return (
        ServiceSetup(
            "pas",
            f"Pas ({name})",
            "Passport",
            B,
            "P",
            expected_minutes=15,
            walk_in=False,
            sort_order=0,
            names={"uk": "Паспорт", "ar": "جواز السفر", "pl": "Paszport", "tr": "Pasaport"},
            what_to_bring_da="Pasfoto med fotokode",
            what_to_bring_en="Passport photo with photo code",
            what_to_bring={"uk": "Фото на паспорт"},
            booking=BookingRules(slot_minutes=15, capacity=2, lead_minutes=120, contact_limit=2),
        ),
        ServiceSetup(
            "flytning", f"Flytning ({name})", "Change of address", B, "F", simple=True, sort_order=1
        ),
        ServiceSetup("laan", f"Lån ({name})", "Loans", L, "L", expected_minutes=5, sort_order=2),
        ServiceSetup("digital", f"Digital hjælp ({name})", "Digital help", L, "D", sort_order=3),
    )


def counters(town: str) -> tuple[CounterSetup, ...]:
    return (
        CounterSetup(1, B, {"pas": 2.0, "flytning": 1.0}, name=f"{TOWNS[town]} skranke 1"),
        CounterSetup(2, B, {"pas": 1.0, "flytning": 1.0, "laan": 0.5}),
        CounterSetup(3, L, {"laan": 1.0, "digital": 1.0}, name=f"{TOWNS[town]} skranke 3"),
    )


def branch(town: str) -> BranchSetup:
    extra: dict[str, Any] = {}
    if town == "centrum":
        extra = {
            "municipality": "Eksempel Kommune",
            "contact_email": "borgerservice@eksempel.dk",
            "contact_phone": "+45 70 10 20 30",
            "contact_url": "https://eksempel.dk/tilgaengelighed",
            "closed_dates": ("2026-12-28", "2026-12-29"),
            "special_hours": {"2026-12-23": {"dropin": [["10:00", "14:00"]], "booking": []}},
            "policy": Policy(
                overflow_threshold_minutes=20,
                recall_limit=2,
                booking_call_window_minutes=5,
                cutoff_minutes=15,
            ),
        }
    return BranchSetup(
        key=town,
        name=TOWNS[town],
        address=f"{TOWNS[town]}vej 1, 8000 Aarhus C",
        ticket_footer=f"Velkommen i {TOWNS[town]}",
        hours=HOURS,
        services=services(town),
        counters=counters(town),
        devices=(
            DeviceSetup(f"kiosk-{town}", DeviceKind.KIOSK, "Kiosk", "network://10.0.0.5:9100"),
            DeviceSetup(f"display-{town}", DeviceKind.DISPLAY, "Skærm", area=L, language="en"),
        ),
        **extra,
    )


def five_branches() -> Municipality:
    return Municipality(
        branches=tuple(branch(town) for town in TOWNS),
        staff=(
            StaffSetup("kommune-admin", Role.ADMIN),
            StaffSetup("leder-nord", Role.MANAGER, ("nord",)),
            StaffSetup("anne", Role.STAFF, ("nord", "syd")),
        ),
    )


def on_db(database_url: str, fn: Callable[..., Any], *args: Any) -> Any:
    """`fn(conn, *args)` in one write transaction of a database no app has open."""

    async def run() -> Any:
        db = Database(database_url)
        db.start()
        try:
            return await db.write(fn, *args)
        finally:
            await db.stop()

    return run_async(run())


def audit_rows(
    conn: Conn,
    *,
    entity: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    limit: int = 500,
) -> list[Any]:
    """The audit table, newest first, as a test reads it (the pages read it through
    `skranke.queue.audit_trail`)."""
    query = sa.select(audit_t).order_by(audit_t.c.id.desc()).limit(limit)
    if entity is not None:
        query = query.where(audit_t.c.entity == entity)
    if actor is not None:
        query = query.where(audit_t.c.actor == actor)
    if since is not None:
        query = query.where(audit_t.c.at >= since)
    return list(conn.execute(query))
