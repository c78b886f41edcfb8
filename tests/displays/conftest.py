from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.site import Site, in_process


@pytest.fixture
def site(sqlite_db: str) -> Iterator[Site]:
    with in_process(sqlite_db, public_url="http://testserver") as site:
        yield site
