"""The phone page `/t/{tracking}`: the citizen's own ticket, in the ticket's language, and
"Jeg går igen" to leave the queue; a walk-in may leave a phone number to be texted when third.

The tracking token in the address is the citizen's key to the ticket (it came on the paper
ticket's QR), so leaving needs no login; the page asks first, and only its form leaves.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from skranke.displays import snapshots
from skranke.queue import ticket_notices, tickets
from skranke.queue.errors import DomainError
from skranke.queue.states import LANGUAGES
from skranke.store import branches
from skranke.web.booking_support import IpLimiter
from skranke.web.endpoints import ctx
from skranke.web.live_pages import texts
from skranke.web.templating import render

MAX_PHONE = 40
# Per ticket: one SMS goes out per ticket anyway; this keeps a script from cycling numbers.
SMS_RATE = "5/10 minutes"
# Why leaving was refused (`?refused=`) -> what the page says.
REFUSED = {
    "called": "ticket.leave_refused_called",
    "ended": "ticket.leave_refused_ended",
    "1": "ticket.leave_refused",
}
# States in which the citizen is with a clerk, or about to be.
AT_COUNTER = ("called", "serving", "parked")


def _language(request: Request, ticket: dict[str, Any]) -> str:
    # ?lang= wins; else the language the citizen chose at the kiosk, carried by the ticket.
    asked = request.query_params.get("lang")
    return asked if asked in LANGUAGES else str(ticket.get("language") or "da")


async def ticket_page(request: Request) -> Response:
    return await _page(request)


async def _page(
    request: Request, sms_error: str = "", typed: str = "", status: int = 200
) -> Response:
    """The page; after a refused phone number, with its message and the number as typed."""
    db, policy, _ = ctx(request)
    tracking: str = request.path_params["tracking"]
    ticket = await db.read(snapshots.ticket_state, tracking, policy)
    if ticket is None:
        # Mistyped, or erased after the day closed: said in the citizen's language.
        return render(request, "ticket_unknown.html", {}, status_code=404, languages=LANGUAGES)
    lang = _language(request, ticket)
    branch = await db.read(branches.row, ticket["branch"])
    sms = await db.read(ticket_notices.offer, tracking)
    context = _context(request, ticket, lang, branch.name) | {
        "sms": sms,
        "sms_error": sms_error,
        "sms_typed": typed,
        "sms_done": request.query_params.get("sms", ""),
    }
    return render(
        request, "ticket.html", context, lang=lang, languages=LANGUAGES, status_code=status
    )


def _context(request: Request, ticket: dict[str, Any], lang: str, brand: str) -> dict[str, Any]:
    tracking: str = request.path_params["tracking"]
    config = {
        "tracking": tracking,
        "lang": lang,
        "ticket": ticket,
        # The SMS form is server-rendered only: its texts stay out of the script's.
        "texts": {k: v for k, v in texts(lang, "ticket.", "live.").items() if "sms_" not in k},
    }
    return {
        "ticket": ticket,
        "config": config,
        "brand": brand,
        "asking": request.query_params.get("leave") == "ask" and ticket["state"] == "waiting",
        "left": "left" in request.query_params,
        "refused": REFUSED.get(request.query_params.get("refused", ""), ""),
    }


async def leave(request: Request) -> Response:
    """The citizen leaves the queue: the ticket is cancelled, counters and displays see it."""
    db, policy, now = ctx(request)
    tracking: str = request.path_params["tracking"]
    lang = request.query_params.get("lang", "")
    back = f"/t/{tracking}" + (f"?lang={lang}&" if lang in LANGUAGES else "?")
    try:
        await db.write(tickets.leave_queue, tracking, now, policy)
    except DomainError as exc:
        # Called meanwhile, or ended: the page says which, in the citizen's language.
        why = "called" if exc.params.get("state") in AT_COUNTER else "ended"
        return RedirectResponse(back + f"refused={why}", status_code=303)
    return RedirectResponse(back + "left=1", status_code=303)


async def ask_sms(request: Request) -> Response:
    """Ask for the SMS "when I am third"; one per ticket, the number kept until it ends."""
    db, _, now = ctx(request)
    tracking: str = request.path_params["tracking"]
    form = await request.form()
    # Longer than any number, shorter than anything worth echoing back.
    phone = str(form.get("phone", ""))[:MAX_PHONE]
    lang = request.query_params.get("lang", "")
    if not _sms_limiter(request).hit(tracking):
        return await _page(request, sms_error="ticket.sms_rate", typed=phone, status=429)
    try:
        await db.write(ticket_notices.ask, tracking, phone, lang, now)
    except DomainError as exc:
        if exc.reason == "bad_phone":
            return await _page(request, sms_error="ticket.sms_bad_phone", typed=phone, status=400)
        # A booked or transferred ticket is never offered one; else it was called or ended.
        why = "not_offered" if exc.reason == "sms_not_offered" else "refused"
        return RedirectResponse(_back(tracking, lang) + f"sms={why}", status_code=303)
    return RedirectResponse(_back(tracking, lang) + "sms=on", status_code=303)


async def withdraw_sms(request: Request) -> Response:
    """The citizen takes the number back: it is erased at once."""
    db, _, now = ctx(request)
    tracking: str = request.path_params["tracking"]
    lang = request.query_params.get("lang", "")
    try:
        await db.write(ticket_notices.withdraw, tracking, now)
    except DomainError:
        return RedirectResponse(_back(tracking, lang) + "sms=refused", status_code=303)
    return RedirectResponse(_back(tracking, lang) + "sms=off", status_code=303)


def _sms_limiter(request: Request) -> IpLimiter:
    # Made on first use, like the booking limiter's storage: building the app opens nothing.
    limiter: IpLimiter | None = getattr(request.app.state, "sms_limiter", None)
    if limiter is None:
        limiter = request.app.state.sms_limiter = IpLimiter(SMS_RATE)
    return limiter


def _back(tracking: str, lang: str) -> str:
    return f"/t/{tracking}" + (f"?lang={lang}&" if lang in LANGUAGES else "?")


def routes() -> list[Route]:
    return [
        Route("/t/{tracking}", ticket_page, methods=["GET"]),
        Route("/t/{tracking}/leave", leave, methods=["POST"]),
        Route("/t/{tracking}/sms", ask_sms, methods=["POST"]),
        Route("/t/{tracking}/sms/withdraw", withdraw_sms, methods=["POST"]),
    ]
