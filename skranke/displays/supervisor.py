"""What the supervisor page shows, read as one unit of work: the room right now.

Each counter's state, who works there and its ticket since when; each service's queue, its
longest wait and today's share within target; the branch's kiosks and displays with their
last contact and printer problems; and the alerts (a printer in trouble, a wait past its
target). Plain JSON-ready data: the hub serialises it once per push.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from skranke.displays.snapshots import iso, printer_alerts, start_of_day
from skranke.queue import statistics
from skranke.queue.errors import NotFound
from skranke.queue.views import QueuePolicy
from skranke.store import Conn
from skranke.store import statistics as stats_store
from skranke.store import supervision as queries

# A warning only: tickets still print (the counter page shows it the same way).
WARNINGS = frozenset({"paper_low"})


def supervisor_branch(conn: Conn, key: str) -> tuple[int, str] | None:
    row = queries.branch_by_key(conn, key)
    return None if row is None else (row.id, row.key)


def _today_within(conn: Conn, branch_id: int, timezone: str, now: datetime) -> dict[int, Any]:
    today = start_of_day(now, timezone).date()
    scope = statistics.scope((branch_id,), today, today, timezone, now)
    return {
        r.service_id: r for r in stats_store.service_counts(conn, stats_store.legs(conn, scope))
    }


def _service(row: Any, today: Any, now: datetime) -> dict[str, Any]:
    longest = 0 if row.oldest is None else max(int((now - row.oldest).total_seconds() // 60), 0)
    called, within = (int(today.called), int(today.within)) if today else (0, 0)
    return {
        "service": row.key,
        "name": {"da": row.name_da, "en": row.name_en},
        "area": row.area,
        "waiting": int(row.waiting),
        "oldest": iso(row.oldest),
        "longest_wait_minutes": longest,
        "target_minutes": row.target_minutes,
        "late": row.waiting > 0 and longest > row.target_minutes,
        "today": {"called": called, "within": within, "share": statistics.share(within, called)},
    }


def _device(row: Any, problems: dict[str, dict[str, Any]]) -> dict[str, Any]:
    contacts = [t for t in (row.last_contact_at, row.last_job) if t is not None]
    return {
        "key": row.key,
        "name": row.name,
        "kind": row.kind,
        "has_printer": bool(row.has_printer),
        "last_contact": iso(max(contacts)) if contacts else None,
        "last_printed": iso(row.last_printed),
        "printer": problems.get(row.key),
    }


def supervisor_state(
    conn: Conn, branch_id: int, now: datetime, policy: QueuePolicy
) -> dict[str, Any]:
    branch = queries.branch_by_id(conn, branch_id)
    if branch is None:
        raise NotFound(f"Unknown branch {branch_id}")
    since = start_of_day(now, branch.timezone)
    people = queries.counter_people(conn, branch_id, since)
    today = _today_within(conn, branch_id, branch.timezone, now)
    services = [_service(r, today.get(r.id), now) for r in queries.queues(conn, branch_id)]
    problems = {p["device"]: p for p in printer_alerts(conn, branch_id, since)}
    devices = [_device(r, problems) for r in queries.devices(conn, branch_id)]
    alerts = [
        {"kind": "printer", "key": f"printer:{p['device']}", **p}
        for p in problems.values()
        if p["problem"] not in WARNINGS
    ] + [
        {"kind": "wait", "key": f"wait:{s['service']}", "service": s["service"], "name": s["name"]}
        for s in services
        if s["late"]
    ]
    return {
        "now": now.isoformat(),
        "branch": {"key": branch.key, "name": branch.name, "timezone": branch.timezone},
        "counters": [
            {
                "number": c.number,
                "name": c.name,
                "area": c.area,
                "state": c.state,
                "who": people.get(c.id) if c.state != "closed" else None,
                "ticket": None
                if c.ticket is None
                else {
                    "number": c.ticket,
                    "state": c.ticket_state,
                    "service": c.ticket_service,
                    "since": iso(c.ticket_since),
                },
            }
            for c in queries.counters(conn, branch_id)
        ],
        "services": services,
        "devices": devices,
        "alerts": alerts,
    }
