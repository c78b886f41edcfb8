"""The one way the suite starts the app: on a migrated database, with the demo branch or a
branch of its own, driven in process (TestClient) or through a real uvicorn server."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.testclient import TestClient

from skranke.config import Settings
from skranke.demo import BRANCH, load_demo
from skranke.store import Conn
from skranke.store.engine import Database
from skranke.store.tables import branch_t
from skranke.web.app import create_app
from tests.conftest import ServerThread, free_port, run_async


@dataclass(frozen=True)
class Credentials:
    kiosk_token: str
    staff_token: str
    display_token: str = ""
    admin_token: str = ""


# Runs in one write transaction before the tests use the site; hands out the tokens.
Setup = Callable[[Conn], Credentials]


def demo(printer_url: str | None = None) -> Setup:
    """The demo branch (skranke.demo), its users and devices."""

    def setup(conn: Conn) -> Credentials:
        creds = load_demo(conn, datetime.now(UTC), printer_url)
        return Credentials(
            creds.kiosk_token, creds.staff_token, creds.display_token, creds.admin_token
        )

    return setup


def load(database_url: str, setup: Setup | None = None) -> Credentials:
    """Runs `setup` (the demo by default) on a database no app has open."""
    if setup is None and (copied := _demo_copy(database_url)) is not None:
        return copied

    async def run() -> Credentials:
        return await with_database(database_url, setup or demo())

    creds: Credentials = run_async(run())
    return creds


# The demo, loaded once per test process into a fresh SQLite file that later fresh files are
# copied from: loading it (the whole kommune through the administration use cases) cost ~0.8 s
# per test, and hundreds of tests start from it.
_DEMO_TEMPLATE: dict[str, Any] = {}
_SQLITE_FILES = ("", "-wal", "-shm")


def _demo_copy(database_url: str) -> Credentials | None:
    if not database_url.startswith("sqlite:///"):
        return None
    target = Path(database_url.removeprefix("sqlite:///"))
    if not target.exists() or _has_branches(database_url):
        return None  # not a freshly migrated file: load the demo into it for real
    if not _DEMO_TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="skranke-demo-"))
        for suffix in _SQLITE_FILES:
            source = target.with_name(target.name + suffix)
            if source.exists():
                shutil.copyfile(source, folder / source.name)
        template_url = f"sqlite:///{folder / target.name}"
        creds: Credentials = run_async(with_database(template_url, demo()))
        _DEMO_TEMPLATE.update(path=folder / target.name, creds=creds)
    template: Path = _DEMO_TEMPLATE["path"]
    for suffix in _SQLITE_FILES:
        source = template.with_name(template.name + suffix)
        destination = target.with_name(target.name + suffix)
        if source.exists():
            shutil.copyfile(source, destination)
        else:
            destination.unlink(missing_ok=True)
    copied: Credentials = _DEMO_TEMPLATE["creds"]
    return copied


def _has_branches(database_url: str) -> bool:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(branch_t)).scalar_one() > 0
    finally:
        engine.dispose()


async def with_database(database_url: str, fn: Callable[..., Any], *args: Any) -> Any:
    db = Database(database_url)
    db.start()
    try:
        return await db.write(fn, *args)
    finally:
        await db.stop()


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None, "no CSRF field in the form"
    return found.group(1)


def tracking_of(ticket: Mapping[str, Any]) -> str:
    return str(ticket["tracking_url"]).rsplit("/", 1)[1]


@dataclass
class Site:
    """The app with its data and tokens, and the requests many tests make of it.

    `client` is the TestClient in process and an httpx client against the server otherwise.
    """

    app: Starlette
    client: httpx.Client
    creds: Credentials
    database_url: str
    branch: str = BRANCH
    server: ServerThread | None = field(default=None, repr=False)
    make_app: Callable[[], Starlette] | None = field(default=None, repr=False)
    port: int = 0

    @property
    def url(self) -> str:
        return str(self.client.base_url).rstrip("/")

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def auth(self, token: str) -> dict[str, str]:
        return auth(token)

    @property
    def kiosk(self) -> dict[str, str]:
        return auth(self.creds.kiosk_token)

    @property
    def staff(self) -> dict[str, str]:
        return auth(self.creds.staff_token)

    def post_ticket(
        self, service: str = "flytning", *, key: str | None = None, token: str | None = None
    ) -> httpx.Response:
        """The kiosk's request for a ticket, answered as it is (status, headers, body)."""
        headers = auth(token or self.creds.kiosk_token)
        if key is not None:
            headers["Idempotency-Key"] = key
        tickets = f"/api/v1/branches/{self.branch}/tickets"
        return self.client.post(tickets, json={"service": service}, headers=headers)

    def issue(self, service: str = "flytning") -> dict[str, Any]:
        response = self.post_ticket(service)
        assert response.status_code == 201, response.text
        ticket: dict[str, Any] = response.json()
        return ticket

    def call_next(self, counter: int = 2) -> dict[str, Any]:
        response = self.client.post(f"/api/v1/counters/{counter}/call-next", headers=self.staff)
        assert response.status_code == 200, response.text
        ticket: dict[str, Any] = response.json()
        return ticket

    def log_in(self, username: str = "staff", password: str = "demo-staff") -> str:
        """Logs the client in; returns the session's CSRF token."""
        form = self.client.get("/login")
        response = self.client.post(
            "/login",
            data={"csrf": csrf_of(form.text), "username": username, "password": password},
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        page = self.client.get("/counter?counter=2")
        token = re.search(r'"csrf": "([^"]+)"', page.text)
        assert token is not None
        return token.group(1)

    def write(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return self._run("write", fn, *args, **kwargs)

    def read(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return self._run("read", fn, *args, **kwargs)

    def _run(self, how: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if isinstance(self.client, TestClient):
            db = self.app.state.db
            return self.client.portal.call(lambda: getattr(db, how)(fn, *args, **kwargs))

        # The server's database lives on uvicorn's loop; a second one reads the same file.
        async def run() -> Any:
            db = Database(self.database_url)
            db.start()
            try:
                return await getattr(db, how)(fn, *args, **kwargs)
            finally:
                await db.stop()

        return run_async(run())

    def stop(self) -> None:
        if self.server is not None:
            self.server.__exit__(None, None, None)
            self.server = None

    def start(self) -> None:
        """A fresh app (new process state, same database) served on the same port."""
        assert self.make_app is not None, "only a served site can be restarted"
        self.app = self.make_app()
        self.server = ServerThread(self.app, self.port).__enter__()


def _app(settings: Settings, state: Mapping[str, Any]) -> Starlette:
    app = create_app(settings)
    for name, value in state.items():
        setattr(app.state, name, value)
    return app


@contextmanager
def in_process(
    database_url: str,
    setup: Setup | None = None,
    *,
    public_url: str = "https://skranke.example",
    base_url: str = "http://testserver",
    branch: str = BRANCH,
    state: Mapping[str, Any] | None = None,
    **settings: Any,
) -> Iterator[Site]:
    """The app under a TestClient; `setup` (the demo by default) runs once it has started.

    `state` goes on app.state before the start (a clock, live options); `settings` are
    further Settings fields.
    """
    settings.setdefault("kiosk_hours", _ANY_HOUR)
    copied = _demo_copy(database_url) if setup is None else None
    app = _app(Settings(database_url=database_url, public_url=public_url, **settings), state or {})
    with TestClient(app, base_url=base_url) as client:
        creds = copied or client.portal.call(app.state.db.write, setup or demo())  # type: ignore[union-attr]
        yield Site(app, client, creds, database_url, branch)


@contextmanager
def served(
    database_url: str,
    setup: Setup | None = None,
    *,
    public_url: str | None = "http://127.0.0.1",
    branch: str = BRANCH,
    state: Mapping[str, Any] | None = None,
    **settings: Any,
) -> Iterator[Site]:
    """The app behind a real uvicorn server on loopback; `setup` runs before it starts.

    public_url=None: the server's own address is the public one.
    """
    creds = load(database_url, setup)
    settings.setdefault("kiosk_hours", _ANY_HOUR)
    port = free_port() if public_url is None else 0
    config = Settings(
        database_url=database_url,
        public_url=public_url or f"http://127.0.0.1:{port}",
        **settings,
    )

    def make_app() -> Starlette:
        return _app(config, state or {})

    app = make_app()
    server = ServerThread(app, port).__enter__()
    client = httpx.Client(base_url=server.url, timeout=10, limits=_NO_KEEPALIVE)
    site = Site(app, client, creds, database_url, branch, server, make_app, server.port)
    try:
        yield site
    finally:
        site.stop()
        client.close()


# The suite runs at any hour on the real clock, while the demo's drop-in is 10-17: the kiosk
# issues at any time unless a test asks for opening hours (kiosk_hours=True, tests/hours/).
_ANY_HOUR = False
# A restarted server closes kept connections; each request opens its own, like a browser's.
_NO_KEEPALIVE = httpx.Limits(max_keepalive_connections=0)
