"""JSON API v1 (DESIGN §6): parse, call one service function, return a public schema."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, TypeAdapter
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from skranke.printers import jobs as print_jobs
from skranke.printers.spooler import Spooler
from skranke.queue import calling, directory, lookup, tickets
from skranke.queue.states import CounterState, TicketSource
from skranke.queue.views import QueuePolicy, TicketInfo
from skranke.store.engine import Database
from skranke.web import schemas as s
from skranke.web.auth import require
from skranke.web.errors import parse_body
from skranke.web.idempotency import Idempotency

Handler = Callable[[Request], Awaitable[Response]]
TICKET_ACTIONS = ("recall", "serve", "finish", "no-show", "park", "resume", "cancel")


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    handler: Handler
    summary: str
    auth: str  # "public", or the token kinds accepted
    body: type[BaseModel] | None = None
    returns: Any = None
    status: int = 200
    errors: tuple[int, ...] = ()


@functools.cache
def adapter(of: Any) -> TypeAdapter[Any]:
    return TypeAdapter(of)


def json(value: Any, status: int = 200, of: Any = None) -> Response:
    """Serialise through the public schema, so a field it lacks can never leak out."""
    if isinstance(value, BaseModel):
        content = value.__pydantic_serializer__.to_json(value)
    else:
        shape = adapter(of)
        content = shape.dump_json(shape.validate_python(value))
    return Response(content, status_code=status, media_type="application/json")


def ctx(request: Request) -> tuple[Database, QueuePolicy, datetime]:
    state = request.app.state
    now: datetime = state.clock() if hasattr(state, "clock") else datetime.now(UTC)
    return state.db, state.policy, now


def ticket_json(request: Request, info: TicketInfo, status: int = 200) -> Response:
    return json(s.TicketOut.of(info, request.app.state.settings.public_url), status)


def path_int(request: Request, name: str) -> int:
    value: int = request.path_params[name]
    return value


async def list_branches(request: Request) -> Response:
    db, _, _ = ctx(request)
    return json(await db.read(directory.branches), of=list[s.BranchOut])


async def list_services(request: Request) -> Response:
    db, _, _ = ctx(request)
    found = await db.read(directory.services, request.path_params["branch"])
    return json(found, of=list[s.ServiceOut])


async def list_counters(request: Request) -> Response:
    await require(request, "staff")
    db, _, _ = ctx(request)
    found = await db.read(directory.counters, request.path_params["branch"])
    return json(found, of=list[s.CounterOut])


async def branch_queue(request: Request) -> Response:
    db, policy, now = ctx(request)
    found = await db.read(lookup.queue_status, request.path_params["branch"], now, policy)
    return json([s.QueueOut.of(q) for q in found], of=list[s.QueueOut])


async def issue_ticket(request: Request) -> Response:
    who = await require(request, "kiosk", "staff")
    body = await parse_body(request, s.IssueTicketIn)
    db, policy, now = ctx(request)
    source = TicketSource.STAFF if who.is_staff else TicketSource.KIOSK
    spooler: Spooler = request.app.state.spooler

    async def issue() -> Response:
        # A kiosk's print job commits in the ticket's own transaction: one write, not two.
        info, job = await db.write(
            print_jobs.issue_with_print,
            who.device_id,
            request.path_params["branch"],
            body.service,
            now,
            policy,
            language=body.language,
            source=source,
            branch_ids=who.branch_ids,
        )
        printing = await spooler.submit(job, who.device_id)
        print_out = s.PrintOut(status=printing.status, detail=printing.detail)
        out = s.IssuedTicketOut.of(info, request.app.state.settings.public_url, print=print_out)
        return json(out, 201)

    once: Idempotency = request.app.state.idempotency
    return await once.once(f"{who.kind}:{who.name}", request.headers.get("idempotency-key"), issue)


async def ticket_by_tracking(request: Request) -> Response:
    db, policy, _ = ctx(request)
    info = await db.read(lookup.ticket_info, policy, tracking=request.path_params["tracking"])
    return ticket_json(request, info)


async def call_next(request: Request) -> Response:
    who = await require(request, "staff")
    db, policy, now = ctx(request)
    counter = path_int(request, "counter")
    info = await db.write(calling.call_next, counter, now, policy, who.branch_ids)
    return Response(status_code=204) if info is None else ticket_json(request, info)


async def call_ticket(request: Request) -> Response:
    who = await require(request, "staff")
    body = await parse_body(request, s.CallTicketIn)
    db, policy, now = ctx(request)
    counter = path_int(request, "counter")
    info = await db.write(calling.call_ticket, counter, body.ticket, now, policy, who.branch_ids)
    return ticket_json(request, info)


async def counter_state(request: Request) -> Response:
    who = await require(request, "staff")
    body = await parse_body(request, s.CounterStateIn)
    db, _, now = ctx(request)
    counter = path_int(request, "counter")
    await db.write(
        calling.set_counter_state, counter, CounterState(body.state), now, who.branch_ids
    )
    return json({"counter": counter, "state": body.state}, of=dict[str, Any])


def ticket_action(action: str) -> Handler:
    async def handler(request: Request) -> Response:
        who = await require(request, "staff")
        db, policy, now = ctx(request)
        ticket = path_int(request, "id")
        info = await db.write(tickets.act, ticket, action, now, policy, who.branch_ids)
        return ticket_json(request, info)

    return handler


async def transfer(request: Request) -> Response:
    who = await require(request, "staff")
    body = await parse_body(request, s.TransferIn)
    db, policy, now = ctx(request)
    info = await db.write(
        tickets.transfer,
        path_int(request, "id"),
        now,
        policy,
        service_key=body.service,
        counter_id=body.counter,
        branch_ids=who.branch_ids,
    )
    return ticket_json(request, info, 201)


async def openapi(request: Request) -> Response:
    from skranke.web.openapi import document

    return json(document(ENDPOINTS), of=dict[str, Any])


B = "/api/v1/branches/{branch}"
ENDPOINTS: list[Endpoint] = [
    Endpoint(
        "GET", "/api/v1/branches", list_branches, "Branches", "public", None, list[s.BranchOut]
    ),
    Endpoint(
        "GET",
        f"{B}/services",
        list_services,
        "Services of a branch",
        "public",
        None,
        list[s.ServiceOut],
        errors=(404,),
    ),
    Endpoint(
        "GET",
        f"{B}/counters",
        list_counters,
        "Counters of a branch",
        "staff",
        None,
        list[s.CounterOut],
        errors=(401, 403, 404),
    ),
    Endpoint(
        "GET",
        f"{B}/queue",
        branch_queue,
        "Waiting count and estimated wait per service",
        "public",
        None,
        list[s.QueueOut],
        errors=(404,),
    ),
    Endpoint(
        "POST",
        f"{B}/tickets",
        issue_ticket,
        "Issue a ticket",
        "kiosk staff",
        s.IssueTicketIn,
        s.IssuedTicketOut,
        201,
        (400, 401, 403, 404, 422),
    ),
    Endpoint(
        "GET",
        "/api/v1/tickets/{tracking}",
        ticket_by_tracking,
        "A ticket by tracking token",
        "public",
        None,
        s.TicketOut,
        errors=(404,),
    ),
    Endpoint(
        "POST",
        "/api/v1/counters/{counter:int}/call-next",
        call_next,
        "Call the next citizen (204 when nobody waits)",
        "staff",
        None,
        s.TicketOut,
        errors=(401, 403, 404, 409),
    ),
    Endpoint(
        "POST",
        "/api/v1/counters/{counter:int}/call",
        call_ticket,
        "Call a specific ticket",
        "staff",
        s.CallTicketIn,
        s.TicketOut,
        errors=(400, 401, 403, 404, 409, 422),
    ),
    Endpoint(
        "POST",
        "/api/v1/counters/{counter:int}/state",
        counter_state,
        "Open, pause or close a counter",
        "staff",
        s.CounterStateIn,
        dict[str, Any],
        errors=(400, 401, 403, 404, 422),
    ),
    *[
        Endpoint(
            "POST",
            f"/api/v1/tickets/{{id:int}}/{action}",
            ticket_action(action),
            f"Ticket action: {action}",
            "staff",
            None,
            s.TicketOut,
            errors=(401, 403, 404, 409),
        )
        for action in TICKET_ACTIONS
    ],
    Endpoint(
        "POST",
        "/api/v1/tickets/{id:int}/transfer",
        transfer,
        "Transfer to another service or counter",
        "staff",
        s.TransferIn,
        s.TicketOut,
        201,
        (400, 401, 403, 404, 409, 422),
    ),
]
ENDPOINTS.append(
    Endpoint(
        "GET", "/api/v1/openapi.json", openapi, "This document", "public", None, dict[str, Any]
    )
)

# Feature modules keep their handlers and endpoint rows together; they join the table here.
from skranke.web import booking_api  # noqa: E402  - it imports Endpoint from this module

ENDPOINTS.extend(booking_api.BOOKING_ENDPOINTS)


def routes() -> list[Route]:
    # Starlette tries routes in order, a regular expression each: the kiosk's ticket first.
    ordered = sorted(ENDPOINTS, key=lambda e: e.handler is not issue_ticket)
    return [Route(e.path, e.handler, methods=[e.method]) for e in ordered]
