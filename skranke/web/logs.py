"""Request ids on log lines: one contextvar, one logging.Filter, one format.

The id is set by `skranke.web.ops.Observe` for the request's task, so every record logged
while that request is handled (uvicorn's access line included) carries it.
"""

from __future__ import annotations

import itertools
import logging
import re
import secrets
from contextvars import ContextVar
from typing import Any

REQUEST_ID: ContextVar[str] = ContextVar("skranke_request_id", default="-")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"
# A proxy's or client's id is kept only if it cannot break a log line or a header.
_SANE = re.compile(r"[A-Za-z0-9._:-]{1,64}")


# New ids: this process's random half and a count, 32 hex digits like a UUID's. A uuid4 per
# request cost 5 % of the event loop's time on the ticket path (docs/performance.md).
_PROCESS = secrets.token_hex(8)
_COUNT = itertools.count()


def request_id_from(header: str | None) -> str:
    """The incoming X-Request-Id if it is sane, else a new one."""
    if header and _SANE.fullmatch(header):
        return header
    return f"{_PROCESS}{next(_COUNT):016x}"


class RequestIdFilter(logging.Filter):
    """Puts the current request's id (or "-") on every record, so the format can name it."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


def log_config(level: str) -> dict[str, Any]:
    """For uvicorn's `log_config`: one line format for the server's and the app's loggers."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        # On the handler, not a logger: a logger's filters miss records its children propagate.
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"line": {"format": LOG_FORMAT}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "line",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["stderr"], "level": level.upper()},
        # uvicorn's loggers pass their records up to the root's handler.
        "loggers": {
            name: {"handlers": [], "propagate": True}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
        },
    }
