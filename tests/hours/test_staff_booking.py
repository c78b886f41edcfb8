"""Staff book a time for a citizen from the counter page: same slots, rules and notices."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import sqlalchemy as sa

from skranke.queue import bookings
from skranke.queue.accounts import staff_principal
from skranke.queue.errors import Forbidden
from skranke.queue.states import Role
from skranke.store import Conn
from skranke.store.tables import booking_t, outbox_t, staff_user_t
from tests.hours.conftest import Hours, local, open_hours
from tests.site import csrf_of

DESK = "/counter/book"


@pytest.fixture
def desk(database_url: str) -> Iterator[Hours]:
    # Tuesday morning; the demo's passport bookings: 15-minute slots, two seats each.
    with open_hours(
        database_url, local(2026, 12, 8, 9, 0), public_url="http://testserver"
    ) as hours:
        hours.site.log_in()
        yield hours


def counter_id(hours: Hours) -> int:
    found = re.search(r'href="/counter\?counter=(\d+)"', hours.site.client.get("/counter").text)
    assert found is not None
    return int(found.group(1))


def offered_times(html: str) -> list[str]:
    return re.findall(r'name="start" value="([^"]+)"', html)


def public_slots(hours: Hours) -> list[datetime]:
    response = hours.site.client.get("/api/v1/services/pas/slots")
    assert response.status_code == 200, response.text
    return [datetime.fromisoformat(s["start"]) for s in response.json()["slots"]]


def book(hours: Hours, start: str, **fields: str) -> Any:
    page = hours.site.client.get(f"{DESK}?counter={counter_id(hours)}&service=pas")
    form = {
        "csrf": csrf_of(page.text),
        "counter": str(counter_id(hours)),
        "service": "pas",
        "day": start[:10],
        "start": start,
        "name": "Karen Blixen",
        "email": "karen@example.dk",
        "language": "da",
        **fields,
    }
    return hours.site.client.post(DESK, data=form)


def stored_booking(conn: Conn, code: str) -> Any:
    return conn.execute(sa.select(booking_t).where(booking_t.c.code == code)).one()


def notices(conn: Conn, booking_id: int) -> list[tuple[str, str, str]]:
    rows = conn.execute(
        sa.select(outbox_t.c.channel, outbox_t.c.template, outbox_t.c.state).where(
            outbox_t.c.booking_id == booking_id
        )
    )
    return sorted(tuple(r) for r in rows)


def user_id(conn: Conn, name: str) -> int:
    query = sa.select(staff_user_t.c.id).where(staff_user_t.c.username == name)
    return int(conn.execute(query).scalar_one())


def test_the_counter_page_links_to_booking_for_a_citizen(desk: Hours) -> None:
    page = desk.site.client.get(f"/counter?counter={counter_id(desk)}")
    assert f'href="/counter/book?counter={counter_id(desk)}"' in page.text
    assert "Bestil tid for en borger" in page.text


def test_the_desk_offers_the_public_free_times(desk: Hours) -> None:
    page = desk.site.client.get(f"{DESK}?counter={counter_id(desk)}&service=pas")
    assert page.status_code == 200
    offered = [datetime.fromisoformat(t) for t in offered_times(page.text)]
    assert offered, "no free passport times on the first day"
    # The lead time applies as online: Tuesday 9:00 offers times from 10:00.
    assert min(offered) == local(2026, 12, 8, 10, 0)
    assert set(offered) <= set(public_slots(desk))


def test_a_booking_for_a_citizen_records_who_made_it_and_queues_the_confirmation(
    desk: Hours,
) -> None:
    start = local(2026, 12, 8, 10, 0).isoformat()
    done = book(desk, start, phone="12 34 56 78")
    assert done.status_code == 201, done.text
    code = re.search(r'class="book-code" dir="ltr">([A-Z0-9]+)<', done.text)
    assert code is not None
    assert "karen@example.dk, +4512345678" in done.text
    row = desk.site.read(stored_booking, code.group(1))
    assert row.created_by_user_id == desk.site.read(user_id, "staff")
    assert row.start == local(2026, 12, 8, 10, 0)
    assert desk.site.read(notices, row.id) == [
        ("email", "confirmation", "pending"),
        ("sms", "confirmation", "pending"),
    ]


def test_the_slot_is_taken_from_the_public_slot_list(desk: Hours) -> None:
    start = local(2026, 12, 8, 10, 15)
    assert start in public_slots(desk)
    assert book(desk, start.isoformat(), email="a@example.dk").status_code == 201
    # Two seats: one left, then none.
    assert start in public_slots(desk)
    assert book(desk, start.isoformat(), email="b@example.dk").status_code == 201
    assert start not in public_slots(desk)
    taken = book(desk, start.isoformat(), email="c@example.dk")
    assert taken.status_code == 409
    assert "Tiden blev taget af en anden" in taken.text


def test_the_limit_per_contact_still_applies(desk: Hours) -> None:
    for minute in (0, 15):
        assert book(desk, local(2026, 12, 9, 10, minute).isoformat()).status_code == 201
    third = book(desk, local(2026, 12, 9, 10, 30).isoformat())
    assert third.status_code == 409
    assert "højeste antal kommende tider" in third.text


def test_every_problem_with_the_form_is_shown_at_once(desk: Hours) -> None:
    refused = book(desk, "not-a-time", name="", email="")
    assert refused.status_code == 422
    for message in ("Vælg en af de ledige tider.", "Skriv dit navn.", "Skriv en e-mail"):
        assert message in refused.text
    assert refused.text.count('aria-invalid="true"') >= 3


def test_without_the_csrf_token_nothing_is_booked(desk: Hours) -> None:
    refused = book(desk, local(2026, 12, 8, 10, 0).isoformat(), csrf="forged")
    assert refused.status_code == 403
    assert local(2026, 12, 8, 10, 0) in public_slots(desk)


def test_without_logging_in_the_desk_leads_to_the_login(database_url: str) -> None:
    with open_hours(database_url, local(2026, 12, 8, 9, 0)) as hours:
        response = hours.site.client.get(f"{DESK}?counter=1", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")


def test_staff_of_another_branch_cannot_book_here(desk: Hours) -> None:
    elsewhere = staff_principal(desk.site.read(user_id, "staff"), "staff", Role.STAFF, [9999])
    who = bookings.contact("Karen Blixen", "karen@example.dk", None)
    with pytest.raises(Forbidden):
        desk.site.write(
            bookings.book_for_citizen,
            elsewhere,
            desk.site.branch,
            "pas",
            local(2026, 12, 8, 10, 0),
            who,
            local(2026, 12, 8, 9, 0),
        )
    # Working at another branch only, their desk knows no counter here.
    here = counter_id(desk)
    desk.site.write(move_staff_elsewhere)
    client = desk.site.client
    client.post("/logout", data={"csrf": csrf_of(client.get("/counter").text)})
    form = {"csrf": csrf_of(client.get("/login").text), "username": "staff"}
    logged_in = client.post("/login", data={**form, "password": "demo-staff"})
    assert logged_in.status_code in (200, 303)
    page = client.get(f"{DESK}?counter={here}&service=pas")
    assert page.status_code == 404


def move_staff_elsewhere(conn: Conn) -> None:
    conn.execute(
        sa.update(staff_user_t).where(staff_user_t.c.username == "staff").values(branch_ids=[9999])
    )
