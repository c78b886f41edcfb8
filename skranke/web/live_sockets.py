"""The live websockets: `/ws/display/{device}`, `/ws/counter/{counter}`, `/ws/ticket/{tracking}`.

Middleware does not guard websockets, so each endpoint checks the `Origin` header and its
credentials itself: a display its device token (first message, never in the URL, which
access logs keep), a counter a staff session cookie or staff API token, a phone page the
ticket's tracking token in the path. Refusals after the handshake use close codes the pages
understand: 4401 unknown credentials, 4403 not allowed here, 4404 unknown counter or ticket.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from skranke.displays import snapshots
from skranke.displays.hub import Hub, ticket_body
from skranke.displays.link import Link, receive_json
from skranke.queue.accounts import Principal, principal_for_token
from skranke.store.engine import Database
from skranke.store.tables import counter_t
from skranke.web.sessions import session_principal

UNAUTHORIZED, FORBIDDEN, NOT_FOUND = 4401, 4403, 4404


def origin_allowed(websocket: WebSocket) -> bool:
    origin = websocket.headers.get("origin")
    if origin is None:
        # Not a browser: only browsers carry a victim's cookies to a forged connection.
        return True
    parsed = urlsplit(origin)
    if parsed.netloc and parsed.netloc == websocket.headers.get("host"):
        return True
    public = urlsplit(websocket.app.state.settings.public_url)
    return (parsed.scheme, parsed.netloc) == (public.scheme, public.netloc)


async def admitted(websocket: WebSocket) -> bool:
    if not origin_allowed(websocket):
        # Before accepting: the browser gets a plain HTTP 403 for the handshake.
        await websocket.close(code=FORBIDDEN)
        return False
    await websocket.accept()
    return True


async def serve(websocket: WebSocket, link: Link) -> None:
    hub: Hub = websocket.app.state.hub
    try:
        await hub.serve(link)
    finally:
        await close_quietly(websocket, 1000)


async def close_quietly(websocket: WebSocket, code: int) -> None:
    try:
        # A client that stopped reading cannot take a close frame either; don't wait for it.
        async with asyncio.timeout(1):
            await websocket.close(code)
    except (RuntimeError, WebSocketDisconnect, OSError, TimeoutError):
        pass


def live(websocket: WebSocket) -> tuple[Hub, Database]:
    return websocket.app.state.hub, websocket.app.state.db


async def display_socket(websocket: WebSocket) -> None:
    if not await admitted(websocket):
        return
    hub, db = live(websocket)
    hello = await receive_json(websocket, hub.options.hello_timeout_seconds) or {}
    token = hello.get("token") if hello.get("type") == "hello" else None
    device = None
    if isinstance(token, str) and 0 < len(token) <= 200:
        device = await db.read(snapshots.display_device, websocket.path_params["device"], token)
    if device is None:
        return await close_quietly(websocket, UNAUTHORIZED)

    about = {"key": device.key, "name": device.name, "area": device.area}

    async def snapshot() -> dict[str, Any]:
        state = await hub.display_state(device.branch_id, device.area)
        return {
            **state,
            "kind": "display",
            "pid": hub.pid,
            "device": about,
            "announce": device.announce,
        }

    branch_id, area = device.branch_id, device.area
    await serve(
        websocket,
        Link(websocket, snapshot, hub.options, kind="display", branch_id=branch_id, area=area),
    )


async def socket_staff(websocket: WebSocket, db: Database) -> Principal | None:
    who = session_principal(websocket)
    scheme, _, token = websocket.headers.get("authorization", "").partition(" ")
    if who is None and scheme.lower() == "bearer" and token.strip():
        who = await db.read(principal_for_token, token.strip())
    return who


def counter_branch(conn: sa.Connection, counter_id: int) -> int | None:
    found: int | None = conn.execute(
        sa.select(counter_t.c.branch_id).where(counter_t.c.id == counter_id)
    ).scalar()
    return found


async def counter_socket(websocket: WebSocket) -> None:
    if not await admitted(websocket):
        return
    hub, db = live(websocket)
    who = await socket_staff(websocket, db)
    if who is None:
        return await close_quietly(websocket, UNAUTHORIZED)
    counter_id: int = websocket.path_params["counter"]
    branch_id = await db.read(counter_branch, counter_id)
    if branch_id is None:
        return await close_quietly(websocket, NOT_FOUND)
    if not who.is_staff or not who.may_use_branch(branch_id):
        return await close_quietly(websocket, FORBIDDEN)

    async def snapshot() -> dict[str, Any]:
        state = await db.read(snapshots.counter_snapshot, counter_id, hub.clock(), hub.policy)
        return {"kind": "counter", "pid": hub.pid, **state}

    link = Link(
        websocket, snapshot, hub.options, kind="counter", branch_id=branch_id, counter_id=counter_id
    )
    await serve(websocket, link)


async def ticket_socket(websocket: WebSocket) -> None:
    if not await admitted(websocket):
        return
    hub, db = live(websocket)
    tracking: str = websocket.path_params["tracking"]
    branch_id = await db.read(snapshots.ticket_branch, tracking)
    if branch_id is None:
        return await close_quietly(websocket, NOT_FOUND)

    async def snapshot() -> dict[str, Any]:
        ticket = await db.read(snapshots.ticket_state, tracking, hub.policy)
        if ticket is not None:
            # Later pushes of this same state are skipped.
            link.last_body, link.waiting = ticket_body(ticket), ticket["state"] == "waiting"
        return {"kind": "ticket", "pid": hub.pid, "now": hub.clock().isoformat(), "ticket": ticket}

    link = Link(
        websocket, snapshot, hub.options, kind="ticket", branch_id=branch_id, tracking=tracking
    )
    await serve(websocket, link)


def routes() -> list[WebSocketRoute]:
    return [
        WebSocketRoute("/ws/display/{device}", display_socket),
        WebSocketRoute("/ws/counter/{counter:int}", counter_socket),
        WebSocketRoute("/ws/ticket/{tracking}", ticket_socket),
    ]
