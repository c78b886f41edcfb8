"""A site holding the hand-built day, with an administrator, a manager and a second branch."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from skranke.queue.accounts import create_token, create_user
from skranke.queue.states import Role
from skranke.store import Conn
from skranke.store.tables import branch_t
from tests.site import Credentials, Site, auth, in_process
from tests.stats.day import at, build_day

LATER = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DAY_QUERY = "branch=hovedbiblioteket&from=2026-11-24&to=2026-11-24"


@dataclass
class StatsSite:
    site: Site
    tokens: dict[str, str]

    def get(self, path: str, who: str = "admin") -> object:
        return self.site.client.get(path, headers=auth(self.tokens[who]))


def setup_day(tokens: dict[str, str]) -> object:
    def setup(conn: Conn) -> Credentials:
        build_day(conn)
        conn.execute(sa.insert(branch_t).values(key="filial", name="Filialen", hours={}))
        create_user(conn, "manager", "demo-manager", Role.MANAGER, ["hovedbiblioteket"])
        for user in ("admin", "manager", "staff"):
            tokens[user] = create_token(conn, user, "tests", at(8, 0))
        return Credentials("", tokens["staff"], "", tokens["admin"])

    return setup


@pytest.fixture
def stats_site(database_url: str) -> Iterator[StatsSite]:
    tokens: dict[str, str] = {}
    with in_process(
        database_url,
        setup_day(tokens),
        public_url="http://testserver",
        state={"clock": lambda: LATER},
        jobs_enabled=False,
    ) as site:
        yield StatsSite(site, tokens)
