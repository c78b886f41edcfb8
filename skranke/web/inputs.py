"""What the web accepts before anything reaches the database: ids, dates and text it can store.

A value past these limits is refused at the edge with a 4xx: left alone it would overflow a
64-bit bind parameter, an INTEGER column on PostgreSQL, a `datetime` near year 1 or 9999, or
be refused by PostgreSQL as text (NUL) - each of them a 500 deep inside a use case.

Importing this module registers the `{name:id}` path convertor; `endpoints` and
`live_sockets` import it before building any route.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field
from starlette.convertors import Convertor, register_url_convertor

# Every id column is INTEGER (store/tables.py): PostgreSQL's is 32 bits, signed.
MAX_ID = 2**31 - 1

# Bookings open at most months ahead and history is kept for a few years; far outside this
# window no date means anything, and dates near year 1 or 9999 overflow on a time zone shift.
FIRST_YEAR, LAST_YEAR = 2000, 2100
WINDOW = f"{FIRST_YEAR}-01-01 to {LAST_YEAR}-12-31"

# 1..2147483647 without leading zeros, as a regular expression: the route itself does not
# match past the column's range, so a huge id is a 404 on every route, HTTP and websocket,
# before any handler runs (a convertor that raised would be a 500 instead).
ID_REGEX = "|".join(
    (
        "[1-9][0-9]{0,8}",
        "1[0-9]{9}",
        "20[0-9]{8}",
        "21[0-3][0-9]{7}",
        "214[0-6][0-9]{6}",
        "2147[0-3][0-9]{5}",
        "21474[0-7][0-9]{4}",
        "214748[0-2][0-9]{3}",
        "2147483[0-5][0-9]{2}",
        "21474836[0-3][0-9]",
        "214748364[0-7]",
    )
)


class IdConvertor(Convertor[int]):
    regex = f"(?:{ID_REGEX})"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("id", IdConvertor())


def control_character(text: str, allowed: str = "") -> str | None:
    """The first control character in `text` (C0, DEL, C1, or a lone surrogate), if any.

    PostgreSQL refuses NUL in text and a lone surrogate cannot be encoded as UTF-8; the rest
    never belongs in a key, a name or an address and only garbles logs and tickets.
    """
    return next(
        (c for c in text if c not in allowed and unicodedata.category(c) in ("Cc", "Cs")), None
    )


def _no_controls(text: str) -> str:
    bad = control_character(text)
    if bad is not None:
        raise ValueError(f"Expected text without control characters, but got U+{ord(bad):04X}")
    return text


def in_window(day: date) -> bool:
    return FIRST_YEAR <= day.year <= LAST_YEAR


def _in_window(moment: datetime) -> datetime:
    if not in_window(moment):
        raise ValueError(f"Expected a time from {WINDOW}, but got {moment.isoformat()}")
    return moment


# A text field of an input model; whitespace at either end is stripped by the model first.
Text = Annotated[str, AfterValidator(_no_controls)]
# A row id in a request body: what the INTEGER id columns can hold.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Moment = Annotated[AwareDatetime, AfterValidator(_in_window)]
