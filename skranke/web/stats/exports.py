"""The figures as tables, and those tables as CSV and XLSX; the ticket rows streamed as CSV.

One `tables(figures)` feeds the page's data tables, the CSV and the workbook, so the three
cannot disagree. The figures CSV is long ("section, item, measure, value"): every figure one
row, easy to filter in a spreadsheet and to read back with `csv`. The workbook has a sheet
per table. Ticket rows leave two weeks of rows at a time, so a year's export never sits in
memory whole.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]

from skranke.queue.statistics_rows import ROW_FIELDS


@dataclass(frozen=True)
class Table:
    name: str
    keys: tuple[str, ...]  # the columns that name a row
    values: tuple[str, ...]
    rows: list[dict[str, Any]]

    @property
    def header(self) -> tuple[str, ...]:
        return self.keys + self.values


DIST = ("mean", "median", "p90")


def _flat(d: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {f"{prefix}_{k}_minutes": d[k] for k in DIST}


def _measures(values: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"measure": k, "value": v} for k, v in values.items()]


def tables(f: dict[str, Any]) -> list[Table]:
    s = f["summary"]
    summary = {
        "tickets": s["tickets"],
        **{f"source_{k}": v for k, v in s["sources"].items()},
        "transferred_in": s["transferred_in"],
        "called": s["called"],
        "done": s["done"],
        "within_target": s["within"],
        "within_target_share": s["within_target_share"],
        **_flat(s["waiting"], "waiting"),
        **_flat(s["handling"], "handling"),
        "no_shows": s["no_shows"],
        "cancellations": s["cancellations"],
        "transfers": s["transfers"],
        "recalls": s["recalls"],
        "closed": s["closed"],
    }
    b = f["bookings"]
    bookings = {
        **{f"bookings_{k}": v for k, v in b["by_state"].items()},
        "booked_tickets": b["booked_tickets"],
        "dropin_tickets": b["dropin_tickets"],
        **_flat(b["punctuality"], "punctuality"),
        "on_time_share": b["on_time_share"],
        **f["overflow"],
    }
    services = [
        {
            "branch": x["branch"],
            "service": x["service"],
            "area": x["area"],
            "target_minutes": x["target_minutes"],
            "tickets": x["tickets"],
            **{f"source_{k}": v for k, v in x["sources"].items()},
            "transferred_in": x["transferred_in"],
            "called": x["called"],
            "within_target_share": x["within_target_share"],
            **_flat(x["waiting"], "waiting"),
            **_flat(x["handling"], "handling"),
            "no_shows": x["no_shows"],
            "cancellations": x["cancellations"],
            "transfers": x["transfers"],
            "recalls": x["recalls"],
        }
        for x in f["services"]
    ]
    work = ("tickets", "no_shows", "handling_minutes", "mean_handling_minutes")
    time = ("open_minutes", "paused_minutes", "idle_minutes")
    return [
        Table("summary", ("measure",), ("value",), _measures(summary)),
        Table("bookings", ("measure",), ("value",), _measures(bookings)),
        Table("services", ("branch", "service"), _values(services, 2), services),
        Table("counters", ("branch", "number"), ("name", "area", *work, *time), f["counters"]),
        Table("staff", ("username",), (*work, *time), f["staff"]),
        Table("hours", ("weekday", "hour"), ("tickets", "mean_wait_minutes"), f["heatmap"]),
        Table(
            "days",
            ("day",),
            ("tickets", "called", "mean_wait_minutes", "within_target_share"),
            f["days"],
        ),
    ]


def _values(rows: list[dict[str, Any]], keys: int) -> tuple[str, ...]:
    return tuple(list(rows[0])[keys:]) if rows else ()


def long_rows(f: dict[str, Any]) -> Iterable[tuple[Any, ...]]:
    """section, item, measure, value: every figure once."""
    yield ("section", "item", "measure", "value")
    for t in tables(f):
        for row in t.rows:
            if t.keys == ("measure",):
                yield (t.name, "", row["measure"], _cell(row["value"]))
                continue
            item = "/".join(str(row[k]) for k in t.keys)
            for v in t.values:
                yield (t.name, item, v, _cell(row.get(v)))


def _cell(value: Any) -> Any:
    return "" if value is None else value


def figures_csv(f: dict[str, Any]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(long_rows(f))
    return out.getvalue()


def figures_xlsx(f: dict[str, Any]) -> bytes:
    book = Workbook(write_only=True)
    about = book.create_sheet("period")
    about.append(["from", f["from"]])
    about.append(["to", f["to"]])
    about.append(["branches", ", ".join(b["key"] for b in f["branches"])])
    for t in tables(f):
        sheet = book.create_sheet(t.name)
        sheet.append(list(t.header))
        for row in t.rows:
            sheet.append([row.get(c) for c in t.header])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


Page = Callable[[int], Any]  # after -> awaitable (rows, next after or None)


async def ticket_csv(read_page: Page) -> AsyncIterator[str]:
    """The anonymous ticket rows as CSV text, one read (two weeks of rows) at a time."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(ROW_FIELDS)
    after: int | None = 0
    while after is not None:
        rows, after = await read_page(after)
        writer.writerows([_cell(r[k]) for k in ROW_FIELDS] for r in rows)
        yield out.getvalue()
        out.seek(0)
        out.truncate()


async def ticket_xlsx(read_page: Page) -> bytes:
    """The ticket rows as a workbook (write-only: rows go to disk-backed XML as they come)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("tickets")
    sheet.append(list(ROW_FIELDS))
    after: int | None = 0
    while after is not None:
        rows, after = await read_page(after)
        for r in rows:
            sheet.append([r[k] for k in ROW_FIELDS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
