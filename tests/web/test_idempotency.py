"""`Idempotency-Key` across restarts, workers and a killed server: one key, one ticket."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from skranke.config import Settings
from skranke.demo import BRANCH
from skranke.store.tables import ticket_t
from skranke.web.app import create_app
from tests.conftest import ServerThread, free_port, run_async
from tests.site import auth, demo, load, served, with_database

TICKETS = f"/api/v1/branches/{BRANCH}/tickets"
WALK_IN = ["mitid", "flytning", "sundhedskort", "laan", "digital", "print"]


def ticket_ids(conn: Connection) -> list[int]:
    return list(conn.execute(sa.select(ticket_t.c.id).order_by(ticket_t.c.id)).scalars())


def stored_tickets(database_url: str) -> list[int]:
    async def read() -> list[int]:
        found: list[int] = await with_database(database_url, ticket_ids)
        return found

    result: list[int] = run_async(read())
    return result


def test_a_retry_after_a_restart_answers_the_first_ticket(database_url: str) -> None:
    with served(database_url) as site:
        first = site.post_ticket("laan", key="tap-before-restart")
        site.stop()
        site.start()

        again = site.post_ticket("laan", key="tap-before-restart")

    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert stored_tickets(database_url) == [first.json()["id"]]


def test_the_same_key_with_another_body_is_refused(database_url: str) -> None:
    with served(database_url) as site:
        site.post_ticket("laan", key="tap-7")
        site.stop()
        site.start()

        other = site.post_ticket("flytning", key="tap-7")

    assert other.status_code == 422
    assert other.json()["error"] == "idempotency_key_reused"
    assert set(other.json()) == {"error", "detail"}
    assert len(stored_tickets(database_url)) == 1


def test_the_same_key_with_another_body_is_refused_in_one_process(database_url: str) -> None:
    with served(database_url) as site:
        site.post_ticket("laan", key="tap-8")

        other = site.post_ticket("flytning", key="tap-8")

    assert other.status_code == 422
    assert other.json()["error"] == "idempotency_key_reused"


def test_keys_belong_to_their_caller(database_url: str) -> None:
    with served(database_url) as site:
        kiosk = site.post_ticket("laan", key="shared-key")

        staff = site.post_ticket("laan", key="shared-key", token=site.creds.staff_token)

    assert staff.status_code == 201
    assert "idempotent-replayed" not in staff.headers
    assert staff.json()["id"] != kiosk.json()["id"]


@pytest.mark.postgres
def test_one_key_racing_through_two_servers_makes_one_ticket(postgres_db: str) -> None:
    creds = load(postgres_db)
    # Any hour: the demo kiosk's drop-in hours would refuse tickets at night.
    settings = Settings(database_url=postgres_db, public_url="http://127.0.0.1", kiosk_hours=False)
    headers = auth(creds.kiosk_token)

    async def race(urls: list[str], rounds: int) -> list[list[dict[str, Any]]]:
        async with httpx.AsyncClient(timeout=10) as client:

            async def tap(url: str, key: str) -> dict[str, Any]:
                keyed = {**headers, "Idempotency-Key": key}
                response = await client.post(url + TICKETS, json={"service": "laan"}, headers=keyed)
                assert response.status_code == 201, response.text
                return dict(response.json())

            return [
                list(await asyncio.gather(*(tap(url, f"race-{n}") for url in urls)))
                for n in range(rounds)
            ]

    with ServerThread(create_app(settings)) as one, ServerThread(create_app(settings)) as two:
        results = run_async(race([one.url, two.url], 20))

    assert all(a["id"] == b["id"] for a, b in results)
    assert stored_tickets(postgres_db) == sorted(a["id"] for a, _ in results)


def test_a_checkin_retried_after_a_restart_answers_the_first_ticket(database_url: str) -> None:
    moment = [datetime.now(UTC)]
    with served(database_url, state={"clock": lambda: moment[0]}) as site:
        booking, start = _book(site.client)
        moment[0] = start  # the citizen arrives on time
        checkins = f"/api/v1/branches/{BRANCH}/checkins"
        headers = {**site.kiosk, "Idempotency-Key": "checkin-1"}
        first = site.client.post(checkins, json={"code": booking}, headers=headers)
        site.stop()
        site.start()

        again = site.client.post(checkins, json={"code": booking}, headers=headers)

    assert first.status_code == again.status_code == 201, first.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]


def _book(client: httpx.Client) -> tuple[str, datetime]:
    slots = client.get("/api/v1/services/pas/slots", params={"branch": BRANCH}).json()
    body = {
        "branch": BRANCH,
        "service": "pas",
        "start": slots["slots"][0]["start"],
        "name": "Karen Blixen",
        "email": "karen@rungstedlund.dk",
    }
    response = client.post("/api/v1/bookings", json=body)
    assert response.status_code == 201, response.text
    code: str = response.json()["code"]
    return code, datetime.fromisoformat(body["start"])


def _serve(database_url: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    # Any hour: the demo kiosk's drop-in hours would refuse tickets at night.
    env = {**os.environ, "SKRANKE_DATABASE_URL": database_url, "SKRANKE_KIOSK_HOURS": "off"}
    # A kiosk waits a moment for its printer after the ticket committed: where a kill leaves
    # tickets made but never answered. The printer stays silent, never failing outright.
    env |= {"SKRANKE_PRINT_WAIT_SECONDS": "0.2", "SKRANKE_PRINT_TIMEOUT_SECONDS": "60"}
    command = [sys.executable, "-m", "skranke", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--log-level", "warning"]
    with log.open("ab") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=out)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/branches", timeout=1)
            return server
        except httpx.TransportError:
            time.sleep(0.05)
    server.kill()
    raise RuntimeError(f"Expected skranke serve to answer on port {port}, but it did not")


@pytest.mark.slow
def test_retries_after_a_sigkill_make_one_ticket_per_key(sqlite_db: str, tmp_path: Path) -> None:
    printer = socket.create_server(("127.0.0.1", 0))  # accepts, never reads or answers
    creds = load(sqlite_db, demo(f"network://127.0.0.1:{printer.getsockname()[1]}"))
    headers = auth(creds.kiosk_token)
    keys = [f"kiosk-tap-{n}" for n in range(200)]
    answered: dict[str, int] = {}
    log = tmp_path / "serve.log"

    async def fire(url: str, todo: list[str], kill_after: int | None, pid: int) -> None:
        limits = httpx.Limits(max_connections=32)
        async with httpx.AsyncClient(base_url=url, timeout=10, limits=limits) as client:

            async def tap(key: str) -> None:
                # A retry sends what the tap sent: the same service for the same key.
                body = {"service": WALK_IN[keys.index(key) % len(WALK_IN)]}
                keyed = {**headers, "Idempotency-Key": key}
                try:
                    response = await client.post(TICKETS, json=body, headers=keyed)
                except httpx.TransportError:
                    return  # killed before it answered: the kiosk retries
                assert response.status_code == 201, response.text
                answered[key] = response.json()["id"]
                if kill_after is not None and len(answered) == kill_after:
                    os.kill(pid, signal.SIGKILL)

            await asyncio.gather(*(tap(key) for key in todo))

    started = time.monotonic()
    server = _serve(sqlite_db, free_port(), log)
    port = int(server.args[server.args.index("--port") + 1])
    try:
        run_async(fire(f"http://127.0.0.1:{port}", keys, 60, server.pid))
    finally:
        server.kill()
        server.wait(10)
    before_kill = dict(answered)
    unanswered = [key for key in keys if key not in answered]
    restarted = _serve(sqlite_db, free_port(), log)
    port = int(restarted.args[restarted.args.index("--port") + 1])
    try:
        run_async(fire(f"http://127.0.0.1:{port}", unanswered, None, restarted.pid))
    finally:
        restarted.terminate()
        restarted.wait(10)
        printer.close()

    assert 60 <= len(before_kill) < len(keys), "the kill should land mid-way"
    assert sorted(answered) == sorted(keys)
    assert len(set(answered.values())) == len(keys)
    assert stored_tickets(sqlite_db) == sorted(answered.values())
    assert set(before_kill.values()) <= set(stored_tickets(sqlite_db))
    assert time.monotonic() - started < 30
