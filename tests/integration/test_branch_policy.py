"""A branch's own policy (set in /admin or kommune.toml) steers calling at that branch."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from skranke.store.tables import branch_t, counter_t
from tests.site import Site, in_process


def set_policy(site: Site, **values: Any) -> None:
    def run(conn: Any) -> None:
        conn.execute(sa.update(branch_t).values(**values))

    site.write(run)


def recall(site: Site, ticket_id: int) -> dict[str, Any]:
    response = site.client.post(f"/api/v1/tickets/{ticket_id}/recall", headers=site.staff)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_a_branch_recall_limit_puts_a_ticket_back_sooner(database_url: str) -> None:
    with in_process(database_url) as site:
        set_policy(site, recall_limit=1)
        site.issue("flytning")
        called = site.call_next(counter=2)

        first = recall(site, called["id"])
        second = recall(site, called["id"])

    assert first["state"] == "called" and first["recall_count"] == 1
    assert second["state"] == "waiting"  # the server's default (3) would have called again


def test_a_branch_overflow_threshold_lets_the_library_help_sooner(database_url: str) -> None:
    # Counter 3 serves only the library; flytning is a simple borgerservice errand.
    with in_process(database_url) as site:
        site.issue("flytning")
        before = site.client.post("/api/v1/counters/3/call-next", headers=site.staff)
        set_policy(site, overflow_threshold_minutes=0)
        after = site.client.post("/api/v1/counters/3/call-next", headers=site.staff)

    assert before.status_code == 204  # nobody waited past the server's 20 minutes
    assert after.status_code == 200 and after.json()["number"] == "F001"


def test_a_counter_switched_off_calls_nobody(database_url: str) -> None:
    with in_process(database_url) as site:
        site.issue("flytning")

        def switch_off(conn: Any) -> None:
            conn.execute(sa.update(counter_t).where(counter_t.c.number == 2).values(active=False))

        site.write(switch_off)
        refused = site.client.post("/api/v1/counters/2/call-next", headers=site.staff)

    assert refused.status_code == 409 and refused.json()["reason"] == "counter_inactive"
