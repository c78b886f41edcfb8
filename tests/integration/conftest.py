from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from skranke.queue.branches import BranchSpec, CounterSpec, ServiceSpec
from skranke.queue.states import Area
from skranke.store.engine import Database
from tests.conftest import database_with

B, L = Area.BORGERSERVICE, Area.LIBRARY
MONDAY_MORNING = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

TOWN = BranchSpec(
    key="lilleby",
    name="Lilleby Bibliotek og Borgerservice",
    services=[
        ServiceSpec("pas", "Pas", "Passport", B, "P", 15, walk_in=False),
        ServiceSpec("flytning", "Flytning", "Change of address", B, "F", 10, simple=True),
        ServiceSpec("laan", "Lån og aflevering", "Loans", L, "L", 5, simple=True),
    ],
    counters=[
        CounterSpec(1, B, {"pas": 1.0, "flytning": 1.0}),
        CounterSpec(2, B, {"pas": 1.0, "flytning": 1.0}),
        CounterSpec(3, L, {"laan": 1.0}),
    ],
)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    async with database_with(database_url, TOWN) as database:
        yield database
