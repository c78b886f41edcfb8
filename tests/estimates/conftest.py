from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from skranke.queue import waits
from skranke.queue.branches import BranchSpec, CounterSpec, ServiceSpec
from skranke.queue.states import Area
from skranke.store.engine import Database
from tests.conftest import database_with

B, L = Area.BORGERSERVICE, Area.LIBRARY
# Two borgerservice counters sharing two services, and a library counter.
TOWN = BranchSpec(
    key="lilleby",
    name="Lilleby Bibliotek og Borgerservice",
    services=[
        ServiceSpec("mitid", "MitID", "MitID", B, "M", 10, simple=True),
        ServiceSpec("flytning", "Flytning", "Change of address", B, "F", 10, simple=True),
        ServiceSpec("laan", "Lån og aflevering", "Loans", L, "L", 5, simple=True),
    ],
    counters=[
        CounterSpec(1, B, {"mitid": 1.0, "flytning": 1.0}),
        CounterSpec(2, B, {"mitid": 1.0, "flytning": 1.0}),
        CounterSpec(3, L, {"laan": 1.0}),
    ],
)


@pytest.fixture(autouse=True)
def fresh_forecasts() -> Iterator[None]:
    # Forecasts are kept per database in the process; a test must not see another's.
    waits.forget()
    yield
    waits.forget()


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    async with database_with(database_url, TOWN) as database:
        yield database
