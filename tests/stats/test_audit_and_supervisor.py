"""The audit trail filters and exports; the supervisor socket lets the right people in."""

from __future__ import annotations

import csv
import io

import pytest
from starlette.websockets import WebSocketDisconnect

from tests.stats.conftest import StatsSite

DAY = "from=2026-11-24&to=2026-11-24"


def trail(s: StatsSite, query: str) -> list[dict[str, str]]:
    response = s.site.client.get(f"/admin/audit.csv?{DAY}&{query}")
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.text)))


def test_the_trail_follows_one_ticket_a_counter_and_a_staff_member(stats_site: StatsSite) -> None:
    stats_site.site.log_in("admin", "demo-admin")
    f002 = trail(stats_site, "number=f002")
    counter3 = trail(stats_site, "counter=3&what=tickets")
    anna = trail(stats_site, "user=anna")
    page = stats_site.site.client.get(f"/admin/audit?{DAY}&number=F002")

    # Newest first: issued, called, recalled, serving, finished.
    assert [r["kind"] for r in f002] == [
        "ticket.finished",
        "ticket.serving",
        "ticket.recalled",
        "ticket.called",
        "ticket.issued",
    ]
    assert [r["at"][11:16] for r in f002] == ["09:30", "09:18", "09:17", "09:15", "09:02"]
    assert {r["user"] for r in f002[:4]} == {"anna"}
    assert {r["counter"] for r in counter3} == {"3"}
    assert "ticket.parked" in {r["kind"] for r in counter3}
    assert {r["user"] for r in anna} == {"anna"} and len(anna) > 10
    assert page.status_code == 200 and "Kaldt igen" in page.text


def test_administration_changes_are_in_the_trail(stats_site: StatsSite) -> None:
    from datetime import UTC, datetime

    from skranke.store import audit

    def change(conn: object) -> None:
        audit.record(
            conn,  # type: ignore[arg-type]
            at=datetime(2026, 11, 24, 7, 30, tzinfo=UTC),
            actor="admin",
            actor_id=1,
            branch_id=1,
            entity="service",
            entity_key="flytning",
            action="change",
            changes={"target_minutes": [15, 10]},
        )

    stats_site.site.write(change)
    stats_site.site.log_in("admin", "demo-admin")
    admin_rows = trail(stats_site, "what=admin&user=admin")
    everything = trail(stats_site, "")

    assert [(r["kind"], r["number"], r["user"]) for r in admin_rows] == [
        ("service.change", "flytning", "admin")
    ]
    assert admin_rows[0]["details"] == "target_minutes: 15 → 10"
    assert admin_rows[0]["at"] == "2026-11-24 08:30:00"
    assert {r["source"] for r in everything} == {"event", "admin"}


def test_the_trail_pages_and_refuses_bad_filters_in_words(stats_site: StatsSite) -> None:
    client = stats_site.site.client
    stats_site.site.log_in("admin", "demo-admin")
    first = client.get(f"/admin/audit?{DAY}")
    second = client.get(f"/admin/audit?{DAY}&page=2")
    bad = client.get("/admin/audit?counter=x&lang=en")

    assert first.status_code == 200 and "page=2" in first.text
    assert second.status_code == 200 and "Side 2" in second.text
    assert bad.status_code == 400 and "These filters cannot be used" in bad.text


def test_managers_and_staff_at_the_trail_and_the_supervisor(stats_site: StatsSite) -> None:
    site = stats_site.site
    client = site.client
    manager = site.auth(stats_site.tokens["manager"])
    staff = site.auth(stats_site.tokens["staff"])
    with client.websocket_connect("/ws/supervisor/hovedbiblioteket", headers=manager) as ws:
        snapshot = ws.receive_json()
    refused = {}
    for name, who, path in [
        ("staff", staff, "/ws/supervisor/hovedbiblioteket"),
        ("other", manager, "/ws/supervisor/filial"),
        ("nobody", {}, "/ws/supervisor/hovedbiblioteket"),
    ]:
        with (
            pytest.raises(WebSocketDisconnect) as closed,
            client.websocket_connect(path, headers=who) as ws,
        ):
            ws.receive_json()
        refused[name] = closed.value.code
    site.log_in("staff", "demo-staff")
    staff_pages = [client.get(p).status_code for p in ("/admin/audit", "/supervisor")]

    assert snapshot["type"] == "snapshot" and snapshot["kind"] == "supervisor"
    assert [c["number"] for c in snapshot["counters"]] == [1, 2, 3, 4, 5, 6]
    assert {s["service"] for s in snapshot["services"]} >= {"flytning", "laan"}
    assert refused == {"staff": 4403, "other": 4404, "nobody": 4401}
    assert staff_pages == [403, 403]


def test_a_wait_past_its_target_and_a_printer_problem_are_alerts(sqlite_db: str) -> None:
    from datetime import UTC, datetime, timedelta

    from skranke.displays.supervisor import supervisor_state
    from skranke.queue.issuing import PrinterProblem, alert
    from tests.site import in_process

    clock = {"now": datetime(2026, 12, 2, 9, 0, tzinfo=UTC)}
    with in_process(
        sqlite_db, public_url="http://testserver", state={"clock": lambda: clock["now"]}
    ) as site:
        site.issue("flytning")
        clock["now"] += timedelta(minutes=16)
        site.write(
            lambda conn: alert(conn, 1, "kiosk-1", PrinterProblem.PAPER_OUT, "", clock["now"])
        )
        state = site.read(supervisor_state, 1, clock["now"], site.app.state.policy)

    flytning = next(s for s in state["services"] if s["service"] == "flytning")
    assert (flytning["waiting"], flytning["longest_wait_minutes"], flytning["late"]) == (
        1,
        16,
        True,
    )
    assert {a["key"] for a in state["alerts"]} == {"wait:flytning", "printer:kiosk-1"}
    kiosk = next(d for d in state["devices"] if d["key"] == "kiosk-1")
    assert kiosk["printer"]["problem"] == "paper_out" and kiosk["last_contact"] is not None
