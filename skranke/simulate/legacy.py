"""The first estimator, exactly as it was, so a simulated day can show both side by side.

Tickets ahead in the one service x the mean of its recent handling times (served to
finished) / the open counters that may serve it: as if those counters did nothing else and
were free now. Issue 14 measured it at 78-80 % of the mean wait, always too optimistic.
"""

from __future__ import annotations

from collections.abc import Sequence

from skranke.queue.estimates import naive_wait_minutes
from skranke.queue.states import TicketState
from skranke.store import Conn
from skranke.store import branches as branch_store
from skranke.store import counters as counter_store
from skranke.store import forecast as forecast_store
from skranke.store import tickets as ticket_store

HISTORY = 20
# The old estimator counted only finished tickets, from service to finish.
DONE = (TicketState.DONE.value,)


def old_handling(recent: Sequence[float], default: float) -> float:
    usable = [d for d in recent if 0 < d <= 6 * max(default, 1.0)]
    return sum(usable) / len(usable) if usable else default


def service_waits(conn: Conn, branch_id: int) -> dict[str, int]:
    """service key -> what the old kiosk button showed."""
    services = branch_store.active_services(conn, branch_id)
    ids = [s.id for s in services]
    waiting = ticket_store.waiting_by_service(conn, branch_id)
    handling = forecast_store.held_minutes(conn, ids, HISTORY, start="served_at", states=DONE)
    counters = counter_store.open_by_service(conn, ids)
    return {
        s.key: naive_wait_minutes(
            waiting.get(s.id, (0, None))[0],
            old_handling(handling[s.id], float(s.expected_minutes)),
            counters.get(s.id, 0),
        )
        for s in services
    }


def ticket_wait(conn: Conn, ticket_id: int, expected_minutes: float) -> int:
    """What the old phone page showed for a waiting ticket."""
    row = ticket_store.row(conn, ticket_id)
    facts = ticket_store.queue_facts(conn, row.service_id, row.issued_at, row.id)
    recent = forecast_store.held_minutes(
        conn, [row.service_id], HISTORY, start="served_at", states=DONE
    )[row.service_id]
    return naive_wait_minutes(facts.ahead, old_handling(recent, expected_minutes), facts.counters)
