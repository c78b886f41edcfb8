"""Every error leaves as JSON `{"error", "detail"}` with a fitting status, never a bare 500."""

from __future__ import annotations

import json
import logging
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from skranke.queue import errors as domain
from skranke.store.engine import is_outage

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)
MAX_BODY = 64 * 1024
# No request of ours nests deeper than 3; the limit only has to stop a body built to hurt.
MAX_JSON_DEPTH = 16
RETRY_AFTER_SECONDS = 5

STATUS: dict[type[domain.DomainError], int] = {
    domain.NotFound: 404,
    domain.Forbidden: 403,
    domain.IllegalTransition: 409,
    domain.Conflict: 409,
    domain.InvalidInput: 422,
}


class ApiError(Exception):
    def __init__(self, status: int, error: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.error, self.detail = status, error, detail


def error_response(status: int, error: str, detail: str) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail}, status_code=status)


async def on_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    response = error_response(exc.status, exc.error, exc.detail)
    if headers:
        response.headers.update(headers)
    return response


async def on_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, domain.DomainError)
    status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)
    # Some errors carry more for the caller (opening.Closed: when drop-in opens again).
    extra = getattr(exc, "extra", None) or {}
    body = {"error": exc.code, "detail": exc.detail, **extra}
    if exc.reason is not None:
        # What a page needs to say it in its own language (the detail is English).
        body.update(reason=exc.reason, params=exc.params)
    return JSONResponse(body, status_code=status)


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if not request.url.path.startswith("/api/"):
        # People get a page they can read; programs under /api get JSON.
        from skranke.web.templating import render

        return render(
            request, "error.html", {"status": exc.status_code}, status_code=exc.status_code
        )
    codes = {404: "not_found", 405: "method_not_allowed"}
    response = error_response(exc.status_code, codes.get(exc.status_code, "http_error"), exc.detail)
    # A 405 names the methods the path takes (`Allow`), as HTTP asks.
    response.headers.update(exc.headers or {})
    return response


async def on_server_error(request: Request, exc: Exception) -> Response:
    if is_outage(exc):
        # Nothing was stored, so the caller may simply try again; the kiosk does.
        log.warning("Database unavailable on %s %s: %s", request.method, request.url.path, exc)
        response = error_response(
            503, "unavailable", "The database is unavailable for a moment; try again shortly"
        )
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    log.exception("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", "Something went wrong on our side")


HANDLERS = {
    ApiError: on_api_error,
    domain.DomainError: on_domain_error,
    HTTPException: on_http_error,
    Exception: on_server_error,
}


async def parse_body(request: Request, model: type[M]) -> M:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise ApiError(413, "too_large", f"Expected at most {MAX_BODY} bytes, but got {len(raw)}")
    data = _json_object(raw)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()
        )
        raise ApiError(422, "invalid_request", problems) from None


def _json_object(raw: bytes) -> dict[str, object]:
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(
            400, "malformed_json", "Expected a JSON object, but got invalid JSON"
        ) from None
    except RecursionError:
        # Deeper than the parser itself goes: far past any limit.
        data = None
        too_deep = True
    else:
        too_deep = _too_deep(data, MAX_JSON_DEPTH)
    if too_deep:
        raise ApiError(
            400, "malformed_json", f"Expected JSON nested at most {MAX_JSON_DEPTH} levels deep"
        )
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise ApiError(400, "malformed_json", f"Expected a JSON object, but got a {kind}")
    return data


def _too_deep(value: object, room: int) -> bool:
    if isinstance(value, dict):
        children: list[object] = list(value.values())
    elif isinstance(value, list):
        children = value
    else:
        return False
    return room <= 0 or any(_too_deep(child, room - 1) for child in children)
