"""Creating a branch with its services and counters (demo, tests, and later the admin)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.queue.states import Area, CounterState
from skranke.store.tables import branch_t, counter_service_t, counter_t, service_t


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


def create_branch(conn: Connection, spec: BranchSpec) -> int:
    branch_id: int = conn.execute(
        sa.insert(branch_t)
        .values(
            key=spec.key,
            name=spec.name,
            address=spec.address,
            timezone=spec.timezone,
            hours=dict(spec.hours),
            ticket_footer=spec.ticket_footer,
        )
        .returning(branch_t.c.id)
    ).scalar_one()
    ids: dict[str, int] = {}
    for order, s in enumerate(spec.services):
        ids[s.key] = conn.execute(
            sa.insert(service_t)
            .values(
                branch_id=branch_id,
                key=s.key,
                name_da=s.name_da,
                name_en=s.name_en,
                area=s.area.value,
                prefix=s.prefix,
                expected_minutes=s.expected_minutes,
                walk_in=s.walk_in,
                simple=s.simple,
                active=True,
                sort_order=order,
            )
            .returning(service_t.c.id)
        ).scalar_one()
    for c in spec.counters:
        counter_id = conn.execute(
            sa.insert(counter_t)
            .values(
                branch_id=branch_id,
                number=c.number,
                name=c.name or f"Skranke {c.number}",
                area=c.area.value,
                state=c.state.value,
            )
            .returning(counter_t.c.id)
        ).scalar_one()
        conn.execute(
            sa.insert(counter_service_t),
            [
                {"counter_id": counter_id, "service_id": ids[key], "priority": weight}
                for key, weight in c.priorities.items()
            ],
        )
    return branch_id
