"""A realistic demo municipality branch: Hovedbiblioteket with borgerservice and library."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.queue.accounts import create_token, create_user, upsert_device
from skranke.queue.states import Area, DeviceKind, Role
from skranke.queue.tables import branch_t, counter_service_t, counter_t, service_t, staff_user_t

BRANCH = "hovedbiblioteket"
B, L = Area.BORGERSERVICE, Area.LIBRARY
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
HOURS = {
    "dropin": {
        **{d: [["10:00", "17:00"]] for d in WEEKDAYS},
        "thu": [["10:00", "18:00"]],
        "sat": [["10:00", "14:00"]],
    },
    "booking": {d: [["09:00", "16:00"]] for d in WEEKDAYS},
}
# key, Danish, English, area, prefix, minutes, walk-in, simple (may overflow to the other area)
SERVICES = [
    ("pas", "Pas", "Passport", B, "P", 15, False, False),
    ("koerekort", "Kørekort", "Driving licence", B, "K", 15, False, False),
    ("mitid", "MitID og Digital Post", "MitID and Digital Post", B, "M", 15, True, True),
    ("flytning", "Flytning", "Change of address", B, "F", 10, True, True),
    ("sundhedskort", "Sundhedskort og lægeskift", "Health card and doctor", B, "S", 10, True, True),
    ("indrejse", "Indrejse", "Moving to Denmark", B, "I", 25, False, False),
    ("laan", "Lån og aflevering", "Loans and returns", L, "L", 5, True, True),
    ("digital", "Digital hjælp", "Digital help", L, "D", 20, True, False),
    ("print", "Print og scan", "Printing and scanning", L, "U", 5, True, True),
]
BORGERSERVICE = [s[0] for s in SERVICES if s[3] == B]
LIBRARY = [s[0] for s in SERVICES if s[3] == L]
# number, name, area, {service: priority}
COUNTERS = [
    (1, "Skranke 1", B, {**dict.fromkeys(BORGERSERVICE, 1.0), "pas": 2.0, "koerekort": 2.0}),
    (2, "Skranke 2", B, dict.fromkeys(BORGERSERVICE, 1.0)),
    (3, "Skranke 3", L, dict.fromkeys(LIBRARY, 1.0)),
    (4, "Skranke 4", L, {**dict.fromkeys(LIBRARY, 1.0), "digital": 2.0}),
    (5, "Skranke 5", B, {**dict.fromkeys(BORGERSERVICE, 1.0), **dict.fromkeys(LIBRARY, 0.5)}),
    (6, "Skranke 6", L, {**dict.fromkeys(LIBRARY, 1.0), **dict.fromkeys(BORGERSERVICE, 0.5)}),
]
USERS = [("admin", "demo-admin", Role.ADMIN), ("staff", "demo-staff", Role.STAFF)]


@dataclass(frozen=True)
class DemoCredentials:
    kiosk_token: str
    display_token: str
    staff_token: str
    admin_token: str


def load_demo(
    conn: Connection, now: datetime, printer_url: str | None = "network://127.0.0.1:9100"
) -> DemoCredentials:
    """Create the demo branch if missing; always hand out fresh device and staff tokens."""
    branch_id = conn.execute(sa.select(branch_t.c.id).where(branch_t.c.key == BRANCH)).scalar()
    if branch_id is None:
        branch_id = _create_branch(conn)
    for username, password, role in USERS:
        exists = conn.execute(
            sa.select(staff_user_t.c.id).where(staff_user_t.c.username == username)
        ).first()
        if exists is None:
            create_user(conn, username, password, role, [] if role == Role.ADMIN else [BRANCH])
    return DemoCredentials(
        kiosk_token=upsert_device(
            conn,
            "kiosk-1",
            DeviceKind.KIOSK,
            BRANCH,
            name="Kiosk ved indgangen",
            printer_url=printer_url,
        ),
        display_token=upsert_device(
            conn, "display-1", DeviceKind.DISPLAY, BRANCH, name="Skærm i forhallen"
        ),
        staff_token=create_token(conn, "staff", "demo", now),
        admin_token=create_token(conn, "admin", "demo", now),
    )


def _create_branch(conn: Connection) -> int:
    branch_id: int = conn.execute(
        sa.insert(branch_t)
        .values(
            key=BRANCH,
            name="Hovedbiblioteket",
            address="Krystalgade 15, 1172 København K",
            timezone="Europe/Copenhagen",
            hours=HOURS,
            ticket_footer="Borgerservice og Bibliotek · Velkommen",
        )
        .returning(branch_t.c.id)
    ).scalar_one()
    ids = {}
    for order, (key, da, en, area, prefix, minutes, walk_in, simple) in enumerate(SERVICES):
        ids[key] = conn.execute(
            sa.insert(service_t)
            .values(
                branch_id=branch_id,
                key=key,
                name_da=da,
                name_en=en,
                area=area.value,
                prefix=prefix,
                expected_minutes=minutes,
                walk_in=walk_in,
                simple=simple,
                active=True,
                sort_order=order,
            )
            .returning(service_t.c.id)
        ).scalar_one()
    for number, name, area, priorities in COUNTERS:
        counter_id = conn.execute(
            sa.insert(counter_t)
            .values(branch_id=branch_id, number=number, name=name, area=area.value, state="closed")
            .returning(counter_t.c.id)
        ).scalar_one()
        conn.execute(
            sa.insert(counter_service_t),
            [
                {"counter_id": counter_id, "service_id": ids[key], "priority": weight}
                for key, weight in priorities.items()
            ],
        )
    return branch_id
