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

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)
MAX_BODY = 64 * 1024

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
    return error_response(status, exc.code, exc.detail)


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if not request.url.path.startswith("/api/"):
        # People get a page they can read; programs under /api get JSON.
        from skranke.web.templating import render

        return render(
            request, "error.html", {"status": exc.status_code}, status_code=exc.status_code
        )
    codes = {404: "not_found", 405: "method_not_allowed"}
    return error_response(exc.status_code, codes.get(exc.status_code, "http_error"), exc.detail)


async def on_server_error(request: Request, exc: Exception) -> Response:
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
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(
            400, "malformed_json", "Expected a JSON object, but got invalid JSON"
        ) from None
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise ApiError(400, "malformed_json", f"Expected a JSON object, but got a {kind}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()
        )
        raise ApiError(422, "invalid_request", problems) from None
