"""`Idempotency-Key`: a repeated request with the same key gets the first one's response.

A kiosk that lost its connection mid-request sends the same request again with its key, maybe
to a restarted server or another worker; a double tap may race a request in flight. All must
yield one ticket. The database is the truth: the key is claimed and its answer stored in the
ticket's own transaction (`queue.idempotency.run_once`). Each process also remembers its own
recent keys, so a double tap waits for the request in flight and gets its exact answer.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Concatenate, ParamSpec, TypeVar

from starlette.requests import Request
from starlette.responses import Response

from skranke.printers.spooler import Spooler
from skranke.queue.accounts import Principal
from skranke.queue.idempotency import Keyed, KeyReused, Replay, run_once
from skranke.queue.views import TicketInfo
from skranke.store import Conn
from skranke.store.engine import Database
from skranke.web import schemas as s
from skranke.web.endpoints import json, now_of
from skranke.web.errors import ApiError

P = ParamSpec("P")
T = TypeVar("T")
TTL_SECONDS = 300.0
MAX_KEYS = 10_000
MAX_KEY_LENGTH = 100


async def keyed(request: Request, caller: str) -> Keyed | None:
    """The request's key with its caller and fingerprint, or None if it sent no key."""
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    if not 0 < len(key) <= MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        raise ApiError(
            400,
            "invalid_idempotency_key",
            f"Expected an Idempotency-Key of 1 to {MAX_KEY_LENGTH} printable ASCII "
            f"characters, but got {len(key)} characters",
        )
    digest = hashlib.sha256(f"{request.method} {request.url.path}\n".encode())
    digest.update(await request.body())
    return Keyed(caller, key, digest.hexdigest())


async def write_once(
    request: Request,
    keyed: Keyed | None,
    answer: Callable[[T], tuple[int, bytes]],
    fn: Callable[Concatenate[Conn, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T | Replay:
    """`db.write(fn, ...)`; with a key, claimed and answered (`answer(result)`) in its
    transaction, or the stored answer if the key was used before."""
    db: Database = request.app.state.db
    if keyed is None:
        return await db.write(fn, *args, **kwargs)

    def act(conn: Conn) -> T:
        return fn(conn, *args, **kwargs)

    return await db.write(run_once, keyed, now_of(request.app), act, answer)


def ticket_answer(public_url: str) -> Callable[[tuple[TicketInfo, int | None]], tuple[int, bytes]]:
    """What a retry of an issued or checked-in ticket answers, stored with the ticket.

    Printing starts only after the commit, so a ticket with a print job is stored as queued;
    the first answer itself carries the print job's real outcome.
    """

    def answer(issued: tuple[TicketInfo, int | None]) -> tuple[int, bytes]:
        info, job = issued
        printing = s.PrintOut(status="no_printer" if job is None else "queued")
        out = s.IssuedTicketOut.of(info, public_url, print=printing)
        return 201, out.__pydantic_serializer__.to_json(out)

    return answer


def replayed(replay: Replay) -> Response:
    response = Response(replay.body, status_code=replay.status, media_type="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


@dataclass(frozen=True)
class Saved:
    body: bytes
    status: int
    media_type: str | None


@dataclass(frozen=True)
class _Entry:
    expires: float
    fingerprint: str
    future: asyncio.Future[Saved]


class Idempotency:
    """This process's recent keys: a request repeated here waits for the first one's answer."""

    def __init__(self, ttl: float = TTL_SECONDS, max_keys: int = MAX_KEYS) -> None:
        self.ttl = ttl
        self.max_keys = max_keys
        self._entries: dict[tuple[str, str], _Entry] = {}

    async def once(
        self, keyed: Keyed | None, respond: Callable[[], Awaitable[Response]]
    ) -> Response:
        if keyed is None:
            return await respond()
        self._forget_old()
        name = (keyed.caller, keyed.key)
        entry = self._entries.get(name)
        if entry is not None:
            if entry.fingerprint != keyed.fingerprint:
                raise KeyReused(
                    f"Expected the same method, path and body as the first request with "
                    f"Idempotency-Key {keyed.key!r}, but got a different request"
                )
            return _replay(await asyncio.shield(entry.future))
        future: asyncio.Future[Saved] = asyncio.get_running_loop().create_future()
        self._entries[name] = _Entry(time.monotonic() + self.ttl, keyed.fingerprint, future)
        try:
            response = await respond()
        except BaseException as exc:
            # Not remembered: a retry after a failure must really try again.
            del self._entries[name]
            future.set_exception(exc)
            future.exception()  # those waiting get it; nobody else needs to see it
            raise
        saved = Saved(bytes(response.body), response.status_code, response.media_type)
        if response.status_code >= 400:
            # The database kept no key for it either (the use case rolled back).
            del self._entries[name]
        future.set_result(saved)
        return response

    def _forget_old(self) -> None:
        now = time.monotonic()
        if len(self._entries) >= self.max_keys:
            self._entries = {n: e for n, e in self._entries.items() if not e.future.done()}
        # Entries are in insertion order, so the oldest come first.
        for name, entry in list(self._entries.items()):
            if entry.expires > now:
                break
            if entry.future.done():
                del self._entries[name]


def _replay(saved: Saved) -> Response:
    response = Response(saved.body, status_code=saved.status, media_type=saved.media_type)
    response.headers["Idempotent-Replayed"] = "true"
    return response


async def printed_answer(
    request: Request, who: Principal, done: tuple[TicketInfo, int | None] | Replay
) -> Response:
    """201 with the ticket and how its printing went; a replay answers what was stored."""
    if isinstance(done, Replay):
        return replayed(done)
    info, job = done
    spooler: Spooler = request.app.state.spooler
    printing = await spooler.submit(job, who.device_id)
    print_out = s.PrintOut(status=printing.status, detail=printing.detail)
    url = request.app.state.settings.public_url
    return json(s.IssuedTicketOut.of(info, url, print=print_out), 201)
