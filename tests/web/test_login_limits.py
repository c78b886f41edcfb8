"""Login limits across user names and addresses, and whose word decides the address."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from limits import RateLimitItemPerSecond

from skranke.cli import server_options
from skranke.config import ConfigError, Settings
from skranke.web.app import create_app
from skranke.web.login import LoginLimiter, LoginLimits
from tests.conftest import ServerThread
from tests.site import Site, csrf_of, in_process, load

NAMES = ["staff", "admin", "anna", "bo", "carl", "dorte", "erik", "frida"]


def post_login(
    client: httpx.Client, username: str, password: str, **headers: str
) -> httpx.Response:
    token = csrf_of(client.get("/login").text)
    data = {"username": username, "password": password, "csrf": token}
    return client.post("/login", data=data, headers=headers, follow_redirects=False)


def guess_everywhere(client: httpx.Client, **headers: str) -> list[int]:
    """4 wrong passwords for each of 8 user names, name after name, as a guesser would."""
    return [
        post_login(client, name, f"guess-{n}", **headers).status_code
        for n in range(4)
        for name in NAMES
    ]


def test_guesses_spread_over_user_names_are_stopped_per_address(site: Site) -> None:
    statuses = guess_everywhere(site.client)

    blocked = post_login(site.client, "staff", "demo-staff")
    limiter: LoginLimiter = site.app.state.login_limiter

    # No name had 5 failures; the address had 20 and was refused after them.
    assert statuses == [401] * 20 + [429] * 12
    assert blocked.status_code == 429
    assert "For mange mislykkede forsøg. Vent 15 minutter" in blocked.text
    assert limiter.wait_minutes("staff", "10.9.8.7") == 0


def test_a_correct_login_works_again_after_the_window(sqlite_db: str) -> None:
    short = LoginLimits(per_address=RateLimitItemPerSecond(4, 2))
    state = {"login_limiter": LoginLimiter(short)}
    with in_process(sqlite_db, public_url="http://testserver", state=state) as site:
        for name in NAMES[:4]:
            assert post_login(site.client, name, "guess").status_code == 401
        assert post_login(site.client, "staff", "demo-staff").status_code == 429

        time.sleep(2.1)

        assert post_login(site.client, "staff", "demo-staff").status_code == 303


def test_many_failures_at_once_slow_every_failed_answer_and_say_so(sqlite_db: str) -> None:
    busy = LoginLimits(busy_per_minute=3, delay_step=0.2, delay_cap=0.3)
    state = {"login_limiter": LoginLimiter(busy)}
    with in_process(sqlite_db, public_url="http://testserver", state=state) as site:
        quiet = [post_login(site.client, name, "guess") for name in NAMES[1:4]]
        started = time.monotonic()
        slowed = post_login(site.client, NAMES[4], "guess")
        took = time.monotonic() - started
        delays = [site.app.state.login_limiter.failed("x", f"10.0.0.{n}") for n in range(3)]
        ok = post_login(site.client, "staff", "demo-staff")

    assert all("Forkert brugernavn eller adgangskode." in r.text for r in quiet)
    assert "mislykkede login-forsøg lige nu" not in quiet[-1].text
    assert slowed.status_code == 401 and took >= 0.2
    assert "mislykkede login-forsøg lige nu, så svaret er forsinket. Vent lidt" in slowed.text
    # Growing by a step per failure, never past the cap; a right password is not delayed.
    assert delays == [0.3, 0.3, 0.3]
    assert ok.status_code == 303


def test_the_delay_grows_per_failure_up_to_the_cap() -> None:
    limiter = LoginLimiter(LoginLimits(busy_per_minute=2, delay_step=0.5, delay_cap=1.2))

    delays = [limiter.failed(f"user{n}", f"10.0.0.{n}") for n in range(6)]

    assert delays == [0.0, 0.0, 0.5, 1.0, 1.2, 1.2]


class ServeThread(ServerThread):
    """uvicorn configured as `skranke serve` configures it, on a loopback port."""

    def __init__(self, app: Any, settings: Settings) -> None:
        super().__init__(app)
        config = uvicorn.Config(app, **server_options(settings, "127.0.0.1", self.port))
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )


@contextmanager
def serve(database_url: str, **settings: Any) -> Iterator[httpx.Client]:
    load(database_url)
    config = Settings(database_url=database_url, public_url="http://127.0.0.1", **settings)
    server = ServeThread(create_app(config), config)
    with server, httpx.Client(base_url=server.url, timeout=10) as client:
        yield client


def test_by_default_a_forwarded_for_header_does_not_change_the_address(sqlite_db: str) -> None:
    with serve(sqlite_db) as client:
        # Each guess claims another address; the limiter still sees 127.0.0.1.
        statuses = [
            post_login(client, "staff", "guess", **{"X-Forwarded-For": f"1.2.3.{n}"}).status_code
            for n in range(6)
        ]

    assert statuses == [401] * 5 + [429]


def test_a_trusted_proxy_names_the_client_and_each_address_has_its_own_limit(
    sqlite_db: str,
) -> None:
    with serve(sqlite_db, trusted_proxies=("127.0.0.1",)) as client:
        guesser = guess_everywhere(client, **{"X-Forwarded-For": "1.2.3.4"})
        other = post_login(client, "staff", "demo-staff", **{"X-Forwarded-For": "5.6.7.8"})

    assert guesser == [401] * 20 + [429] * 12
    assert other.status_code == 303


def test_trusted_proxies_are_read_from_the_environment_and_checked() -> None:
    env = {"SKRANKE_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8,"}

    assert Settings.from_env(env).trusted_proxies == ("127.0.0.1/32", "10.0.0.0/8")
    assert Settings.from_env({}).trusted_proxies == ()
    assert server_options(Settings(), "127.0.0.1", 8000)["proxy_headers"] is False
    with pytest.raises(ConfigError, match="SKRANKE_TRUSTED_PROXIES"):
        Settings.from_env({"SKRANKE_TRUSTED_PROXIES": "localhost"})
