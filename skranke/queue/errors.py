"""Domain errors; the web layer maps each to one HTTP status."""


class DomainError(Exception):
    """`detail` is an English sentence for logs and API clients. Pages show their own sentence
    in their own language instead, chosen by `reason` (a stable word, e.g. "counter_busy")
    with `params` filled in (e.g. {"counter": 2}); see docs/api.md, "Errors"."""

    code = "domain_error"

    def __init__(self, detail: str, *, reason: str | None = None, **params: object) -> None:
        super().__init__(detail)
        self.detail = detail
        self.reason = reason
        self.params = params


class NotFound(DomainError):
    code = "not_found"


class IllegalTransition(DomainError):
    code = "illegal_transition"


class Conflict(DomainError):
    code = "conflict"


class Forbidden(DomainError):
    code = "forbidden"


class InvalidInput(DomainError):
    code = "invalid_input"
