"""Creating a branch with its services and counters in one go (tests and benchmarks).

The administration (`/admin`, `skranke config apply`, the demo) goes through
`skranke.queue.administration` instead, which checks who may and writes the audit trail; this
is the short path for a test that needs a branch, with counters already open if it likes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from skranke.queue.states import Area, CounterState
from skranke.store import Conn
from skranke.store import branches as branch_store
from skranke.store import counters as counter_store


@dataclass(frozen=True)
class ServiceSpec:
    key: str
    name_da: str
    name_en: str
    area: Area
    prefix: str
    expected_minutes: int = 10
    walk_in: bool = True
    # Simple errands may overflow to counters of the other area.
    simple: bool = False


@dataclass(frozen=True)
class CounterSpec:
    number: int
    area: Area
    priorities: Mapping[str, float]  # service key -> weight
    name: str = ""
    state: CounterState = CounterState.CLOSED


@dataclass(frozen=True)
class BranchSpec:
    key: str
    name: str
    services: Sequence[ServiceSpec]
    counters: Sequence[CounterSpec]
    address: str = ""
    timezone: str = "Europe/Copenhagen"
    hours: Mapping[str, Any] = field(default_factory=dict)
    ticket_footer: str = ""


def create_branch(conn: Conn, spec: BranchSpec) -> int:
    branch_id = branch_store.insert(
        conn,
        {
            "key": spec.key,
            "name": spec.name,
            "address": spec.address,
            "timezone": spec.timezone,
            "hours": dict(spec.hours),
            "ticket_footer": spec.ticket_footer,
        },
    )
    ids: dict[str, int] = {}
    for order, s in enumerate(spec.services):
        ids[s.key] = branch_store.insert_service(
            conn,
            {
                "branch_id": branch_id,
                "key": s.key,
                "name_da": s.name_da,
                "name_en": s.name_en,
                "area": s.area.value,
                "prefix": s.prefix,
                "expected_minutes": s.expected_minutes,
                "walk_in": s.walk_in,
                "simple": s.simple,
                "active": True,
                "sort_order": order,
            },
        )
    for c in spec.counters:
        counter_store.insert(
            conn,
            {
                "branch_id": branch_id,
                "number": c.number,
                "name": c.name or f"Skranke {c.number}",
                "area": c.area.value,
                "state": c.state.value,
            },
            {ids[key]: weight for key, weight in c.priorities.items()},
        )
    return branch_id
