from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.site import Site, in_process


@pytest.fixture
def demo(sqlite_db: str) -> Iterator[Site]:
    # An API client's view, public at skranke.example.
    with in_process(sqlite_db) as site:
        yield site


@pytest.fixture
def site(sqlite_db: str) -> Iterator[Site]:
    # A logged-in browser's view (login, sessions, CSRF), public at the test client's address.
    with in_process(sqlite_db, public_url="http://testserver") as site:
        yield site
