"""A realistic demo municipality branch: Hovedbiblioteket with borgerservice and library."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from skranke.queue.accounts import create_token, create_user, upsert_device
from skranke.queue.booking_slots import BookingSpec, make_bookable
from skranke.queue.branches import BranchSpec, CounterSpec, ServiceSpec, create_branch
from skranke.queue.errors import NotFound
from skranke.queue.states import Area, DeviceKind, Role
from skranke.store import Conn, branches
from skranke.store.accounts import user_id

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
S = ServiceSpec
SERVICES = [
    S("pas", "Pas", "Passport", B, "P", 15, False, False),
    S("koerekort", "Kørekort", "Driving licence", B, "K", 15, False, False),
    S("mitid", "MitID og Digital Post", "MitID and Digital Post", B, "M", 15, True, True),
    S("flytning", "Flytning", "Change of address", B, "F", 10, True, True),
    S(
        "sundhedskort",
        "Sundhedskort og lægeskift",
        "Health card and doctor",
        B,
        "S",
        10,
        True,
        True,
    ),
    S("indrejse", "Indrejse", "Moving to Denmark", B, "I", 25, False, False),
    S("laan", "Lån og aflevering", "Loans and returns", L, "L", 5, True, True),
    S("digital", "Digital hjælp", "Digital help", L, "D", 20, True, False),
    S("print", "Print og scan", "Printing and scanning", L, "U", 5, True, True),
    # Bookable only (issue 5): the kinds of driving-licence errand, and a group IT course.
    S(
        "koerekort-fornyelse",
        "Kørekort – fornyelse",
        "Driving licence – renewal",
        B,
        "K",
        15,
        False,
    ),
    S(
        "koerekort-foerste",
        "Kørekort – første kørekort",
        "Driving licence – first",
        B,
        "K",
        20,
        False,
    ),
    S(
        "koerekort-erstatning",
        "Kørekort – erstatning",
        "Driving licence – replacement",
        B,
        "K",
        15,
        False,
    ),
    S("it-kursus", "IT-kursus: MitID og Digital Post", "IT course: MitID", L, "C", 120, False),
]
PHOTO_DA = "Nyt pasfoto fra en godkendt fotograf (fotokode), gyldigt billed-ID"
PHOTO_EN = "A new passport photo from an approved photographer (photo code), valid photo ID"
BOOKABLE = [
    BookingSpec(
        "pas",
        15,
        2,
        bring_da=f"{PHOTO_DA}, dit gamle pas.",
        bring_en=f"{PHOTO_EN}, your old passport.",
    ),
    BookingSpec(
        "koerekort-fornyelse",
        15,
        2,
        bring_da=f"{PHOTO_DA}, dit kørekort, evt. lægeattest.",
        bring_en=f"{PHOTO_EN}, your licence, a medical certificate if asked.",
    ),
    BookingSpec(
        "koerekort-foerste",
        20,
        1,
        bring_da=f"{PHOTO_DA}, lægeattest, bevis for førstehjælpskursus.",
        bring_en=f"{PHOTO_EN}, medical certificate, first-aid course certificate.",
    ),
    BookingSpec(
        "koerekort-erstatning",
        15,
        1,
        bring_da=f"{PHOTO_DA}. Har du mistet kørekortet, så meld det til politiet først.",
        bring_en=f"{PHOTO_EN}. If the licence was lost, report it to the police first.",
    ),
    BookingSpec(
        "flytning",
        10,
        1,
        bring_da="Din nye adresse, og gerne lejekontrakt eller skøde.",
        bring_en="Your new address, and your lease or deed if you have it.",
    ),
    BookingSpec(
        "indrejse",
        30,
        1,
        bring_da="Pas, opholdsbevis, dokumentation for adresse.",
        bring_en="Passport, residence document, proof of address.",
    ),
    BookingSpec(
        "it-kursus",
        120,
        8,
        lead_minutes=24 * 60,
        bring_da="Din egen telefon eller tablet, hvis du har en.",
        bring_en="Your own phone or tablet, if you have one.",
    ),
]
BORGERSERVICE = [s.key for s in SERVICES if s.area == B]
LIBRARY = [s.key for s in SERVICES if s.area == L]
C = CounterSpec
COUNTERS = [
    C(1, B, {**dict.fromkeys(BORGERSERVICE, 1.0), "pas": 2.0, "koerekort": 2.0}),
    C(2, B, dict.fromkeys(BORGERSERVICE, 1.0)),
    C(3, L, dict.fromkeys(LIBRARY, 1.0)),
    C(4, L, {**dict.fromkeys(LIBRARY, 1.0), "digital": 2.0}),
    C(5, B, {**dict.fromkeys(BORGERSERVICE, 1.0), **dict.fromkeys(LIBRARY, 0.5)}),
    C(6, L, {**dict.fromkeys(LIBRARY, 1.0), **dict.fromkeys(BORGERSERVICE, 0.5)}),
]
DEMO = BranchSpec(
    key=BRANCH,
    name="Hovedbiblioteket",
    address="Krystalgade 15, 1172 København K",
    services=SERVICES,
    counters=COUNTERS,
    hours=HOURS,
    ticket_footer="Borgerservice og Bibliotek · Velkommen",
)
USERS = [("admin", "demo-admin", Role.ADMIN), ("staff", "demo-staff", Role.STAFF)]


@dataclass(frozen=True)
class DemoCredentials:
    kiosk_token: str
    display_token: str
    staff_token: str
    admin_token: str


def load_demo(
    conn: Conn, now: datetime, printer_url: str | None = "network://127.0.0.1:9100"
) -> DemoCredentials:
    """Create the demo branch if missing; always hand out fresh device and staff tokens."""
    try:
        branches.row(conn, BRANCH)
    except NotFound:
        create_branch(conn, DEMO)
        for spec in BOOKABLE:
            make_bookable(conn, BRANCH, spec)
    for username, password, role in USERS:
        if user_id(conn, username) is None:
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
