"""The yardstick: a bare Starlette endpoint that does one SQLite insert per request."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

import anyio.to_thread  # noqa: F401  (Starlette's own dependency)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

DB_PATH = os.environ.get("BARE_DB", "bare.db")
lock = threading.Lock()
pool = ThreadPoolExecutor(1)
conn = sqlite3.connect(DB_PATH, check_same_thread=False, isolation_level=None)
conn.execute("PRAGMA journal_mode=WAL")
conn.execute("PRAGMA synchronous=NORMAL")
conn.execute("CREATE TABLE IF NOT EXISTS ticket (id INTEGER PRIMARY KEY, service TEXT)")


def insert(service: str) -> int:
    # Same shape as skranke: one writer thread, so writers queue instead of failing.
    return int(conn.execute("INSERT INTO ticket (service) VALUES (?)", (service,)).lastrowid or 0)


async def issue(request: Request) -> JSONResponse:
    body = await request.json()
    import asyncio

    ticket = await asyncio.get_running_loop().run_in_executor(pool, insert, body["service"])
    return JSONResponse({"id": ticket, "service": body["service"]}, status_code=201)


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    yield


app = Starlette(routes=[Route("/tickets", issue, methods=["POST"])], lifespan=lifespan)
