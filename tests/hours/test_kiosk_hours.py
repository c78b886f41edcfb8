"""A kiosk outside drop-in hours: 409 `closed` with `opens_at`; staff and check-in go on."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from skranke.store import Conn
from skranke.store.tables import ticket_t
from tests.hours.conftest import Hours, local, open_hours


def opens_at(response_json: dict[str, object]) -> datetime | None:
    value = response_json["opens_at"]
    return None if value is None else datetime.fromisoformat(str(value))


def ticket_count(conn: Conn) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(ticket_t)).scalar_one())


def test_tuesday_evening_the_kiosk_is_refused_with_when_it_opens(hours: Hours) -> None:
    response = hours.site.post_ticket("flytning")
    assert response.status_code == 409, response.text
    body = response.json()
    assert body["error"] == "closed"
    assert "closed" in body["detail"]
    assert opens_at(body) == local(2026, 12, 9, 10, 0)
    assert hours.site.read(ticket_count) == 0


def test_staff_still_issue_a_ticket_outside_drop_in_hours(hours: Hours) -> None:
    response = hours.site.client.post(
        f"/api/v1/branches/{hours.site.branch}/tickets",
        json={"service": "flytning"},
        headers=hours.site.staff,
    )
    assert response.status_code == 201, response.text
    assert response.json()["number"] == "F001"


def test_inside_drop_in_hours_the_kiosk_issues(hours: Hours) -> None:
    hours.at(local(2026, 12, 8, 11, 0))
    assert hours.site.issue("flytning")["number"] == "F001"


def test_the_branch_cut_off_stops_tickets_before_closing(database_url: str) -> None:
    with open_hours(database_url, local(2026, 12, 8, 16, 20), {"cutoff_minutes": 30}) as hours:
        assert hours.site.post_ticket("laan").status_code == 201
        hours.at(local(2026, 12, 8, 16, 31))
        refused = hours.site.post_ticket("laan")
        assert refused.status_code == 409
        assert "No more walk-in tickets today" in refused.json()["detail"]
        assert opens_at(refused.json()) == local(2026, 12, 9, 10, 0)


def test_the_server_wide_cut_off_applies_where_the_branch_sets_none(database_url: str) -> None:
    with open_hours(database_url, local(2026, 12, 8, 16, 50), ticket_cutoff_minutes=15) as hours:
        assert hours.site.post_ticket("laan").status_code == 409
        hours.at(local(2026, 12, 8, 16, 44))
        assert hours.site.post_ticket("laan").status_code == 201


def test_a_wait_running_past_closing_is_refused_and_leaves_no_ticket(database_url: str) -> None:
    # Ten minutes before closing, with no counter open: each citizen ahead adds a wait.
    with open_hours(database_url, local(2026, 12, 8, 16, 50)) as hours:
        statuses = [hours.site.post_ticket("digital").status_code for _ in range(6)]
        assert statuses[0] == 201
        assert 409 in statuses, statuses
        issued = statuses.count(201)
        refused = hours.site.post_ticket("digital")
        assert refused.status_code == 409
        body = refused.json()
        assert "we cannot serve you today" in body["detail"]
        assert opens_at(body) == local(2026, 12, 9, 10, 0)
        # The refused tickets were rolled back: no row, no number used up.
        assert hours.site.read(ticket_count) == issued
        staff = hours.site.client.post(
            f"/api/v1/branches/{hours.site.branch}/tickets",
            json={"service": "digital"},
            headers=hours.site.staff,
        )
        assert staff.json()["number"] == f"D{issued + 1:03d}"


def test_a_special_day_with_other_hours(database_url: str) -> None:
    special = {"2026-12-23": {"dropin": [["10:00", "12:00"]], "booking": []}}
    with open_hours(database_url, local(2026, 12, 23, 11, 0), {"special_hours": special}) as hours:
        assert hours.site.post_ticket("laan").status_code == 201
        hours.at(local(2026, 12, 23, 12, 5))
        refused = hours.site.post_ticket("laan")
        assert refused.status_code == 409
        # 24 December closed, 25-26 public holidays, 27 a Sunday.
        assert opens_at(refused.json()) == local(2026, 12, 28, 10, 0)


def test_a_closed_date_refuses_all_day(database_url: str) -> None:
    with open_hours(database_url, local(2026, 12, 8, 12, 0), {"closed_dates": ["2026-12-08"]}) as h:
        refused = h.site.post_ticket("laan")
        assert refused.status_code == 409
        assert opens_at(refused.json()) == local(2026, 12, 9, 10, 0)


def test_nothing_in_sixty_days_answers_opens_at_null(database_url: str) -> None:
    booking_only = {"dropin": {}, "booking": {"mon": [["09:00", "12:00"]]}}
    with open_hours(database_url, local(2026, 12, 8, 12, 0), {"hours": booking_only}) as hours:
        refused = hours.site.post_ticket("laan")
        assert refused.status_code == 409
        assert refused.json()["opens_at"] is None


def test_a_branch_without_any_hours_is_not_held_to_hours(database_url: str) -> None:
    with open_hours(database_url, local(2026, 12, 8, 3, 0), {"hours": {}}) as hours:
        assert hours.site.post_ticket("laan").status_code == 201


def test_the_kiosk_status_says_closed_and_when_it_opens(hours: Hours) -> None:
    status = hours.site.client.get("/api/v1/kiosks/kiosk-1/status", headers=hours.site.kiosk)
    assert status.status_code == 200, status.text
    body = status.json()
    assert body["state"] == "closed"
    assert datetime.fromisoformat(body["opens_at"]) == local(2026, 12, 9, 10, 0)
    assert body["changes_at"] == body["opens_at"]
    hours.at(local(2026, 12, 9, 10, 0) + timedelta(seconds=1))
    body = hours.site.client.get("/api/v1/kiosks/kiosk-1/status", headers=hours.site.kiosk).json()
    assert body["state"] == "open"
    assert datetime.fromisoformat(body["closes_at"]) == local(2026, 12, 9, 17, 0)


def test_the_kiosk_status_is_only_for_that_kiosk(hours: Hours) -> None:
    url = "/api/v1/kiosks/kiosk-1/status"
    assert hours.site.client.get(url).status_code == 401
    display = hours.site.auth(hours.site.creds.display_token)
    assert hours.site.client.get(url, headers=display).status_code == 403
    other = hours.site.client.get("/api/v1/kiosks/kiosk-2/status", headers=hours.site.kiosk)
    assert other.status_code == 403


def test_a_booking_is_checked_in_before_drop_in_opens(hours: Hours) -> None:
    hours.at(local(2026, 12, 8, 8, 30))
    booked = hours.site.client.post(
        "/api/v1/bookings",
        json={
            "service": "pas",
            "start": local(2026, 12, 8, 10, 0).isoformat(),
            "name": "Karen Blixen",
            "email": "karen@example.dk",
        },
    )
    assert booked.status_code == 201, booked.text
    # 9:40: booking hours have begun, drop-in opens at 10.
    hours.at(local(2026, 12, 8, 9, 40))
    assert hours.site.post_ticket("laan").status_code == 409
    checked_in = hours.site.client.post(
        f"/api/v1/branches/{hours.site.branch}/checkins",
        json={"code": booked.json()["code"]},
        headers=hours.site.kiosk,
    )
    assert checked_in.status_code == 201, checked_in.text
