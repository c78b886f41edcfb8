from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from skranke.migrate import upgrade
from skranke.queue.branches import BranchSpec, create_branch
from skranke.store.engine import Database

PG_ADMIN_URL = os.environ.get("SKRANKE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def pytest_configure(config: pytest.Config) -> None:
    # Hypothesis keeps its example database in the working tree otherwise.
    os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", "/tmp/skranke-hypothesis")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Browser tests last: while Playwright runs, the main thread has a running event loop.
    items.sort(key=lambda item: "/e2e/" in str(item.path))


def postgres_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


def _admin(sql: str) -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(PG_ADMIN_URL)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'skranke.db'}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Migrating costs about a second; each test gets a copy of one migrated file instead.
    folder = tmp_path_factory.mktemp("template")
    upgrade(sqlite_url(folder))
    return folder / "skranke.db"


def migrated_sqlite(tmp_path: Path, template: Path) -> str:
    """A freshly migrated SQLite database in `tmp_path`, copied from the session's template."""
    for suffix in ("", "-wal", "-shm"):
        source = template.with_name(template.name + suffix)
        if source.exists():
            shutil.copyfile(source, tmp_path / (source.name))
    return sqlite_url(tmp_path)


@pytest.fixture
def sqlite_db(tmp_path: Path, sqlite_template: Path) -> str:
    return migrated_sqlite(tmp_path, sqlite_template)


def _require_postgres() -> None:
    if not postgres_reachable():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is required in CI but 127.0.0.1:5432 is not reachable")
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")


def _pg_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A migrated database that each PostgreSQL test's database is created from."""
    _require_postgres()
    name = f"skranke_tpl_{secrets.token_hex(6)}"
    _admin(f"CREATE DATABASE {name}")
    try:
        upgrade(_pg_url(name))
        yield name
    finally:
        _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def postgres_db(postgres_template: str) -> Iterator[str]:
    name = f"skranke_t_{secrets.token_hex(6)}"
    _admin(f"CREATE DATABASE {name} TEMPLATE {postgres_template}")
    try:
        yield _pg_url(name)
    finally:
        _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    fixture = "sqlite_db" if request.param == "sqlite" else "postgres_db"
    url: str = request.getfixturevalue(fixture)
    return url


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def unreachable_postgres_url() -> str:
    """A PostgreSQL URL nothing listens on: the database is "down"."""
    return f"postgresql://postgres@127.0.0.1:{free_port()}/skranke"


class ServerThread:
    """A real uvicorn server in a thread, on a loopback port the OS picked or a chosen one.

    A chosen port lets a restarted server come back where open pages expect it.
    """

    def __init__(self, app: Any, port: int = 0) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.port: int = self.sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", ws="websockets-sansio", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.sock.close()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def run_async(coro: Any) -> Any:
    """asyncio.run in a fresh thread: Playwright's sync API keeps a loop on this one."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


@asynccontextmanager
async def database_with(database_url: str, branch: BranchSpec) -> AsyncIterator[Database]:
    """A started database holding `branch`, stopped afterwards (tests' own small towns)."""
    database = Database(database_url)
    database.start()
    await database.write(create_branch, branch)
    try:
        yield database
    finally:
        await database.stop()
