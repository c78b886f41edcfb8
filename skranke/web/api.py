"""JSON API v1 (DESIGN §6): parse, call one service function, return a public schema."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from skranke.queue import calling, directory, issuing, lookup, tickets
from skranke.queue.accounts import Principal
from skranke.queue.errors import Forbidden
from skranke.queue.idempotency import Keyed
from skranke.queue.states import CounterState, TicketSource
from skranke.queue.views import TicketInfo
from skranke.store import branches
from skranke.store.events import acting
from skranke.web import booking_api, kiosk_api, live_api
from skranke.web import schemas as s
from skranke.web.auth import KIOSK_OR_STAFF, PUBLIC, STAFF, caller
from skranke.web.endpoints import Endpoint, Handler, ctx, json, route
from skranke.web.errors import parse_body
from skranke.web.idempotency import (
    Idempotency,
    keyed,
    printed_answer,
    ticket_answer,
    write_once,
)
from skranke.web.openapi import document
from skranke.web.stats import api as stats_api

TICKET_ACTIONS = ("recall", "serve", "finish", "no-show", "park", "resume", "cancel")


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
    db, _, _ = ctx(request)
    key = request.path_params["branch"]
    branch = await db.read(branches.row, key)
    if not caller(request).may_use_branch(branch.id):
        raise Forbidden(f"Expected a caller of branch {key!r}, but got one of another branch")
    return json(await db.read(directory.counters, key), of=list[s.CounterOut])


async def list_devices(request: Request) -> Response:
    db, _, now = ctx(request)
    key = request.path_params["branch"]
    branch = await db.read(branches.row, key)
    # Scoped like the counters: staff see their own branches' kiosks and displays only.
    if not caller(request).may_use_branch(branch.id):
        raise Forbidden(f"Expected a caller of branch {key!r}, but got one of another branch")
    return json(await db.read(directory.devices, key, now), of=list[s.DeviceOut])


async def branch_queue(request: Request) -> Response:
    db, policy, now = ctx(request)
    found = await db.read(lookup.queue_status, request.path_params["branch"], now, policy)
    return json([s.QueueOut.of(q) for q in found], of=list[s.QueueOut])


async def issued(
    request: Request, who: Principal, body: s.IssueTicketIn, key: Keyed | None
) -> Response:
    _, policy, now = ctx(request)
    source = TicketSource.STAFF if who.is_staff else TicketSource.KIOSK
    url = request.app.state.settings.public_url
    # A kiosk's print job (and the key, if sent) commit in the ticket's own transaction.
    done = await write_once(
        request,
        key,
        ticket_answer(url),
        issuing.issue_with_print,
        who.device_id,
        request.path_params["branch"],
        body.service,
        now,
        policy,
        language=body.language,
        source=source,
        branch_ids=who.branch_ids,
    )
    return await printed_answer(request, who, done)


async def issue_ticket(request: Request) -> Response:
    who = caller(request)
    body = await parse_body(request, s.IssueTicketIn)
    key = await keyed(request, f"{who.kind}:{who.name}")

    async def issue() -> Response:
        return await issued(request, who, body, key)

    once: Idempotency = request.app.state.idempotency
    return await once.once(key, issue)


async def ticket_by_tracking(request: Request) -> Response:
    db, policy, now = ctx(request)
    tracking = request.path_params["tracking"]
    info = await db.read(lookup.ticket_info, policy, tracking=tracking, now=now)
    return ticket_json(request, info)


async def call_next(request: Request) -> Response:
    who = caller(request)
    db, policy, now = ctx(request)
    counter = path_int(request, "counter")
    info = await db.write(
        acting(who.user_id, calling.call_next), counter, now, policy, who.branch_ids
    )
    response = Response(status_code=204) if info is None else ticket_json(request, info)
    # A walk-in the call made third (queue.ticket_notices) is texted now, after the answer.
    response.background = booking_api.after_booking(request)
    return response


async def call_ticket(request: Request) -> Response:
    who = caller(request)
    body = await parse_body(request, s.CallTicketIn)
    db, policy, now = ctx(request)
    counter = path_int(request, "counter")
    info = await db.write(
        acting(who.user_id, calling.call_ticket), counter, body.ticket, now, policy, who.branch_ids
    )
    return ticket_json(request, info)


async def counter_state(request: Request) -> Response:
    who = caller(request)
    body = await parse_body(request, s.CounterStateIn)
    db, _, now = ctx(request)
    counter = path_int(request, "counter")
    await db.write(
        acting(who.user_id, calling.set_counter_state),
        counter,
        CounterState(body.state),
        now,
        who.branch_ids,
    )
    return json({"counter": counter, "state": body.state}, of=dict[str, Any])


def ticket_action(action: str) -> Handler:
    async def handler(request: Request) -> Response:
        who = caller(request)
        db, policy, now = ctx(request)
        ticket = path_int(request, "id")
        info = await db.write(
            acting(who.user_id, tickets.act), ticket, action, now, policy, who.branch_ids
        )
        return ticket_json(request, info)

    return handler


async def transfer(request: Request) -> Response:
    who = caller(request)
    body = await parse_body(request, s.TransferIn)
    db, policy, now = ctx(request)
    info = await db.write(
        acting(who.user_id, tickets.transfer),
        path_int(request, "id"),
        now,
        policy,
        service_key=body.service,
        counter_id=body.counter,
        branch_ids=who.branch_ids,
    )
    return ticket_json(request, info, 201)


async def openapi(request: Request) -> Response:
    return json(document(ENDPOINTS), of=dict[str, Any])


B = "/api/v1/branches/{branch}"
ENDPOINTS: list[Endpoint] = [
    Endpoint("GET", "/api/v1/branches", list_branches, "Branches", PUBLIC, None, list[s.BranchOut]),
    Endpoint(
        "GET",
        f"{B}/services",
        list_services,
        "Services of a branch",
        PUBLIC,
        None,
        list[s.ServiceOut],
        errors=(404,),
    ),
    Endpoint(
        "GET",
        f"{B}/counters",
        list_counters,
        "Counters of a branch",
        STAFF,
        None,
        list[s.CounterOut],
        errors=(401, 403, 404),
    ),
    Endpoint(
        "GET",
        f"{B}/devices",
        list_devices,
        "Kiosks and displays of a branch: last contact and printer state",
        STAFF,
        None,
        list[s.DeviceOut],
        errors=(401, 403, 404),
    ),
    Endpoint(
        "GET",
        f"{B}/queue",
        branch_queue,
        "Waiting count and estimated wait per service",
        PUBLIC,
        None,
        list[s.QueueOut],
        errors=(404,),
    ),
    Endpoint(
        "POST",
        f"{B}/tickets",
        issue_ticket,
        "Issue a ticket",
        KIOSK_OR_STAFF,
        s.IssueTicketIn,
        s.IssuedTicketOut,
        201,
        (400, 401, 403, 404, 409, 422),
        # A kiosk outside drop-in hours, past the cut-off, or with a wait past closing.
        error_bodies={409: kiosk_api.ClosedOut},
    ),
    Endpoint(
        "GET",
        "/api/v1/tickets/{tracking}",
        ticket_by_tracking,
        "A ticket by tracking token",
        PUBLIC,
        None,
        s.TicketOut,
        errors=(404,),
    ),
    Endpoint(
        "POST",
        "/api/v1/counters/{counter:id}/call-next",
        call_next,
        "Call the next citizen (204 when nobody waits)",
        STAFF,
        None,
        s.TicketOut,
        errors=(401, 403, 404, 409),
        empty=(204, "Nobody waits"),
    ),
    Endpoint(
        "POST",
        "/api/v1/counters/{counter:id}/call",
        call_ticket,
        "Call a specific ticket",
        STAFF,
        s.CallTicketIn,
        s.TicketOut,
        errors=(400, 401, 403, 404, 409, 422),
    ),
    Endpoint(
        "POST",
        "/api/v1/counters/{counter:id}/state",
        counter_state,
        "Open, pause or close a counter",
        STAFF,
        s.CounterStateIn,
        dict[str, Any],
        errors=(400, 401, 403, 404, 422),
    ),
    *[
        Endpoint(
            "POST",
            f"/api/v1/tickets/{{id:id}}/{action}",
            ticket_action(action),
            f"Ticket action: {action}",
            STAFF,
            None,
            s.TicketOut,
            errors=(401, 403, 404, 409),
        )
        for action in TICKET_ACTIONS
    ],
    Endpoint(
        "POST",
        "/api/v1/tickets/{id:id}/transfer",
        transfer,
        "Transfer to another service or counter",
        STAFF,
        s.TransferIn,
        s.TicketOut,
        201,
        (400, 401, 403, 404, 409, 422),
    ),
]
# Feature modules keep their handlers and endpoint rows together; they join the table here.
ENDPOINTS += [
    *booking_api.BOOKING_ENDPOINTS,
    *live_api.LIVE_ENDPOINTS,
    *stats_api.STATS_ENDPOINTS,
    *kiosk_api.KIOSK_ENDPOINTS,
    Endpoint("GET", "/api/v1/openapi.json", openapi, "This document", PUBLIC, None, dict[str, Any]),
]


def routes() -> list[Route]:
    # Starlette tries routes in order, a regular expression each: the kiosk's ticket first.
    ordered = sorted(ENDPOINTS, key=lambda e: e.handler is not issue_ticket)
    return [route(e) for e in ordered]
