"""Checking in with the booking code at the kiosk, and the counter calling that ticket first."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from skranke.queue.accounts import create_token, create_user, upsert_device
from skranke.queue.branches import create_branch
from skranke.queue.calendar import COPENHAGEN
from skranke.queue.states import DeviceKind, Role
from skranke.store import Conn
from tests.bookings.conftest import TOWN, Town

START = datetime(2027, 1, 5, 10, 0, tzinfo=COPENHAGEN)


def booked(town: Town) -> str:
    response = town.book(START.isoformat())
    assert response.status_code == 201, response.text
    code: str = response.json()["code"]
    return code


def kiosk(town: Town) -> dict[str, str]:
    return {"Authorization": f"Bearer {town.tokens.kiosk_token}"}


def staff(town: Town) -> dict[str, str]:
    return {"Authorization": f"Bearer {town.tokens.staff_token}"}


def check_in(town: Town, code: str, **extra: object) -> object:
    return town.client.post(
        "/api/v1/branches/lilleby/checkins", json={"code": code, **extra}, headers=kiosk(town)
    )


def test_checked_in_booking_is_called_before_earlier_walk_ins(town: Town) -> None:
    code = booked(town)
    town.clock.now = START - timedelta(minutes=20)
    for _ in range(3):
        walk_in = town.client.post(
            "/api/v1/branches/lilleby/tickets", json={"service": "flytning"}, headers=kiosk(town)
        )
        assert walk_in.status_code == 201, walk_in.text
    counters = town.client.get("/api/v1/branches/lilleby/counters", headers=staff(town)).json()
    counter = next(c["id"] for c in counters if c["number"] == 1)
    town.client.post(
        f"/api/v1/counters/{counter}/state", json={"state": "open"}, headers=staff(town)
    )

    ticket = town.client.post(
        "/api/v1/branches/lilleby/checkins", json={"code": code.lower()}, headers=kiosk(town)
    )
    town.clock.now = START - timedelta(minutes=2)
    called = town.client.post(f"/api/v1/counters/{counter}/call-next", headers=staff(town))

    assert ticket.status_code == 201, ticket.text
    assert called.status_code == 200
    assert called.json()["number"] == ticket.json()["number"]
    day = town.client.get(
        "/api/v1/branches/lilleby/bookings", params={"date": "2027-01-05"}, headers=staff(town)
    ).json()
    assert [(b["code"], b["state"], b["ticket_number"]) for b in day] == [
        (code, "checked_in", ticket.json()["number"])
    ]


def test_too_early_says_when_to_come_back(town: Town) -> None:
    code = booked(town)
    town.clock.now = START - timedelta(hours=2)

    response = check_in(town, code)

    assert response.status_code == 409
    assert response.json()["error"] == "too_early"
    assert response.json()["come_back_at"] == (START - timedelta(minutes=30)).isoformat()


def test_too_late_offers_a_drop_in_ticket(town: Town) -> None:
    code = booked(town)
    town.clock.now = START + timedelta(minutes=40)

    refused = check_in(town, code)
    dropin = check_in(town, code, dropin=True)

    assert refused.status_code == 409
    assert (refused.json()["error"], refused.json()["dropin"]) == ("too_late", True)
    assert dropin.status_code == 201
    assert dropin.json()["number"].startswith("P")


def test_unknown_code_and_second_check_in_are_clear_errors(town: Town) -> None:
    code = booked(town)
    town.clock.now = START - timedelta(minutes=5)

    assert check_in(town, "ZZZZZZ").status_code == 404
    assert check_in(town, code).status_code == 201
    again = check_in(town, code)
    assert again.status_code == 409
    assert again.json()["error"] == "already_checked_in"
    assert "already checked in" in again.json()["detail"]


def test_a_repeated_checkin_with_the_same_idempotency_key_gets_the_same_ticket(
    town: Town,
) -> None:
    code = booked(town)
    town.clock.now = START - timedelta(minutes=5)
    headers = {**kiosk(town), "Idempotency-Key": "kiosk-retry-1"}

    first = town.client.post(
        "/api/v1/branches/lilleby/checkins", json={"code": code}, headers=headers
    )
    retry = town.client.post(
        "/api/v1/branches/lilleby/checkins", json={"code": code}, headers=headers
    )

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json()["number"] == first.json()["number"]


def test_checkin_needs_a_kiosk_or_staff_token(town: Town) -> None:
    response = town.client.post("/api/v1/branches/lilleby/checkins", json={"code": "ACDEFG"})

    assert response.status_code == 401


def test_cancel_link_frees_the_seat(town: Town) -> None:
    made = town.book(START.isoformat()).json()
    token = made["cancel_url"].rsplit("/", 1)[1]

    forged = town.client.delete(f"/api/v1/bookings/{made['code']}", params={"token": "x"})
    cancelled = town.client.delete(f"/api/v1/bookings/{made['code']}", params={"token": token})
    again = town.book(START.isoformat(), email="naeste@example.dk")

    assert forged.status_code == 403
    assert cancelled.json() == {"code": made["code"], "state": "cancelled"}
    assert again.status_code == 201


def test_contact_limit_and_missing_contact_are_refused(town: Town) -> None:
    for hour in (9, 10):
        start = START.replace(hour=hour).isoformat()
        assert town.book(start, email="samler@example.dk").status_code == 201

    third = town.book(START.replace(hour=11).isoformat(), email="SAMLER@example.dk")
    nobody = town.book(START.replace(hour=11).isoformat(), email=None)

    assert (third.status_code, third.json()["error"]) == (409, "booking_limit")
    assert (nobody.status_code, nobody.json()["error"]) == (422, "invalid_input")


def neighbour_tokens(conn: Conn) -> dict[str, str]:
    """A second branch with a kiosk and a staff member of its own."""
    create_branch(conn, replace(TOWN, key="storeby", name="Storeby Borgerservice"))
    create_user(conn, "nabo", "correct horse battery", Role.STAFF, ["storeby"])
    return {
        "kiosk": upsert_device(conn, "kiosk-storeby", DeviceKind.KIOSK, "storeby"),
        "staff": create_token(conn, "nabo", "test", datetime.now(UTC)),
    }


@pytest.mark.parametrize("who", ["kiosk", "staff"])
@pytest.mark.parametrize("minutes_before", [120, 5])
def test_another_branchs_kiosk_or_staff_learns_nothing_of_the_booking(
    town: Town, who: str, minutes_before: int
) -> None:
    code = booked(town)
    token = town.write(neighbour_tokens)[who]
    # Too early, and in time: neither answer may differ from an unknown code's.
    town.clock.now = START - timedelta(minutes=minutes_before)
    headers = {"Authorization": f"Bearer {token}"}

    known = town.client.post(
        "/api/v1/branches/lilleby/checkins", json={"code": code}, headers=headers
    )
    unknown = town.client.post(
        "/api/v1/branches/lilleby/checkins", json={"code": "ZZZZZZ"}, headers=headers
    )

    assert (known.status_code, unknown.status_code) == (403, 403)
    assert known.json() == unknown.json()
    assert "come_back_at" not in known.json() and code not in known.text
    day = town.client.get(
        "/api/v1/branches/lilleby/bookings", params={"date": "2027-01-05"}, headers=staff(town)
    ).json()
    assert [(b["code"], b["state"]) for b in day] == [(code, "booked")]
