"""The live websockets: `/ws/display/{device}`, `/ws/counter/{counter}`, `/ws/ticket/{tracking}`.

Each endpoint checks the `Origin` header, then asks for the caller it needs: a counter a
staff session cookie or staff API token (`request.user` from the one authentication
middleware, as for HTTP), a display its device token (in the first message, never in the
URL, which access logs keep; looked up through the same token cache), a phone page the
ticket's tracking token in the path. Refusals after the handshake use close codes the pages
understand: 4401 unknown credentials, 4403 not allowed here, 4404 unknown counter or ticket.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from skranke.displays import snapshots, supervisor
from skranke.displays.hub import Hub, ticket_body
from skranke.displays.link import Link, receive_json
from skranke.queue.errors import NotFound
from skranke.queue.states import PrincipalKind
from skranke.store import Conn, counters
from skranke.store.engine import Database
from skranke.web import inputs  # noqa: F401  (registers the `{name:id}` path convertor)
from skranke.web.auth import MANAGER, MAX_TOKEN, STAFF, token_principal
from skranke.web.auth import require as require_caller
from skranke.web.errors import ApiError

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


async def hello_display(websocket: WebSocket) -> snapshots.DisplayDevice | None:
    """The display named in the path, if its first message carries that display's token."""
    hub, db = live(websocket)
    hello = await receive_json(websocket, hub.options.hello_timeout_seconds) or {}
    token = hello.get("token") if hello.get("type") == "hello" else None
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN:
        return None
    key = websocket.path_params["device"]
    who = await token_principal(websocket.app, token)
    if who is None or who.kind != PrincipalKind.DISPLAY or who.name != key:
        return None
    return await db.read(snapshots.display_device, key, token)


async def display_socket(websocket: WebSocket) -> None:
    if not await admitted(websocket):
        return
    hub, _ = live(websocket)
    device = await hello_display(websocket)
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


def counter_branch(conn: Conn, counter_id: int) -> int | None:
    try:
        found: int = counters.row(conn, counter_id).branch_id
    except NotFound:
        return None
    return found


async def staff_at_counter(websocket: WebSocket) -> int | None:
    """The counter's branch id, once the caller is known to be staff there; else close."""
    try:
        who = require_caller(websocket, STAFF)
    except ApiError as refused:
        await close_quietly(websocket, UNAUTHORIZED if refused.status == 401 else FORBIDDEN)
        return None
    _, db = live(websocket)
    branch_id = await db.read(counter_branch, websocket.path_params["counter"])
    if branch_id is None or not who.may_use_branch(branch_id):
        await close_quietly(websocket, NOT_FOUND if branch_id is None else FORBIDDEN)
        return None
    return branch_id


async def counter_socket(websocket: WebSocket) -> None:
    if not await admitted(websocket):
        return
    branch_id = await staff_at_counter(websocket)
    if branch_id is None:
        return
    hub, db = live(websocket)
    counter_id: int = websocket.path_params["counter"]

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


async def manager_at_branch(websocket: WebSocket) -> int | None:
    """The branch's id, once the caller is known to administer it; else close."""
    try:
        who = require_caller(websocket, MANAGER)
    except ApiError as refused:
        await close_quietly(websocket, UNAUTHORIZED if refused.status == 401 else FORBIDDEN)
        return None
    _, db = live(websocket)
    found = await db.read(supervisor.supervisor_branch, websocket.path_params["branch"])
    # Another manager's branch looks unknown, as on the administration pages.
    if found is None or not who.may_use_branch(found[0]):
        await close_quietly(websocket, NOT_FOUND)
        return None
    return found[0]


async def supervisor_socket(websocket: WebSocket) -> None:
    if not await admitted(websocket):
        return
    branch_id = await manager_at_branch(websocket)
    if branch_id is None:
        return
    hub, db = live(websocket)

    async def snapshot() -> dict[str, Any]:
        state = await db.read(supervisor.supervisor_state, branch_id, hub.clock(), hub.policy)
        return {"kind": "supervisor", "pid": hub.pid, **state}

    await serve(
        websocket, Link(websocket, snapshot, hub.options, kind="supervisor", branch_id=branch_id)
    )


def routes() -> list[WebSocketRoute]:
    return [
        WebSocketRoute("/ws/display/{device}", display_socket),
        WebSocketRoute("/ws/counter/{counter:id}", counter_socket),
        WebSocketRoute("/ws/ticket/{tracking}", ticket_socket),
        WebSocketRoute("/ws/supervisor/{branch}", supervisor_socket),
    ]
