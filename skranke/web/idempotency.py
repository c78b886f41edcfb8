"""`Idempotency-Key`: a repeated request with the same key gets the first one's response.

A kiosk that lost its connection mid-request may send the same ticket request again; a
double tap may race a request in flight. Both must yield one ticket. Keys are remembered per
caller for a few minutes in this process, which is where a kiosk's retries arrive.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.responses import Response

from skranke.web.errors import ApiError

TTL_SECONDS = 300.0
MAX_KEYS = 10_000
MAX_KEY_LENGTH = 100


@dataclass(frozen=True)
class Saved:
    body: bytes
    status: int
    media_type: str | None


class Idempotency:
    def __init__(self, ttl: float = TTL_SECONDS, max_keys: int = MAX_KEYS) -> None:
        self.ttl = ttl
        self.max_keys = max_keys
        self._entries: dict[tuple[str, str], tuple[float, asyncio.Future[Saved]]] = {}

    async def once(
        self, caller: str, key: str | None, respond: Callable[[], Awaitable[Response]]
    ) -> Response:
        if key is None:
            return await respond()
        if not 0 < len(key) <= MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
            raise ApiError(
                400,
                "invalid_idempotency_key",
                f"Expected an Idempotency-Key of 1 to {MAX_KEY_LENGTH} printable ASCII "
                f"characters, but got {len(key)} characters",
            )
        self._forget_old()
        entry = self._entries.get((caller, key))
        if entry is not None:
            saved = await asyncio.shield(entry[1])
            return _replay(saved)
        future: asyncio.Future[Saved] = asyncio.get_running_loop().create_future()
        self._entries[(caller, key)] = (time.monotonic() + self.ttl, future)
        try:
            response = await respond()
        except BaseException as exc:
            # Not remembered: a retry after a failure must really try again.
            del self._entries[(caller, key)]
            future.set_exception(exc)
            future.exception()  # those waiting get it; nobody else needs to see it
            raise
        saved = Saved(bytes(response.body), response.status_code, response.media_type)
        if response.status_code >= 500:
            del self._entries[(caller, key)]
        future.set_result(saved)
        return response

    def _forget_old(self) -> None:
        now = time.monotonic()
        if len(self._entries) >= self.max_keys:
            self._entries.clear()
        # Entries are in insertion order, so the oldest come first.
        for name, (expires, future) in list(self._entries.items()):
            if expires > now:
                break
            if future.done():
                del self._entries[name]


def _replay(saved: Saved) -> Response:
    response = Response(saved.body, status_code=saved.status, media_type=saved.media_type)
    response.headers["Idempotent-Replayed"] = "true"
    return response
