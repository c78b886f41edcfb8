"""Prometheus metrics of one app, on a registry of its own (tests build many apps).

Counts come from committed events (`Database.listeners`), so a rolled-back ticket is never
counted; they are per process, and Prometheus adds the processes up. Queue figures are read
from the database at scrape time, in one query. Every name starts with `skranke_`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from skranke.displays.hub import Hub
from skranke.store import Record

COUNTED = {"ticket.issued": "issued", "ticket.called": "called"}
BranchService = tuple[int, str]


@dataclass
class Snapshot:
    """What a scrape read: the queues (None if the database did not answer) and the sockets."""

    queues: list[Record] | None = None
    now: datetime | None = None
    sockets: Counter[tuple[int, str]] = field(default_factory=Counter)


class Metrics:
    """The app's registry: the latency histogram, and itself as the collector of the rest."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.latency = Histogram(
            "skranke_http_request_duration_seconds",
            "HTTP request latency by route template (not raw path), method and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.counts: dict[str, Counter[BranchService]] = {
            kind: Counter() for kind in ("issued", "called")
        }
        # Printer problems per kiosk, from the spooler's alerts: one per change, with the
        # kiosk's key (the spooler's own state is private and keyed by internal device id).
        self.printers: dict[tuple[int, str], str] = {}
        self.branch_keys: dict[int, str] = {}
        self.snapshot = Snapshot()
        self.registry.register(self)

    def on_events(self, events: list[dict[str, Any]]) -> None:
        """A `Database.listeners` hook: runs after every commit, so it must be cheap and safe."""
        for event in events:
            kind = event.get("type")
            branch = event.get("branch_id")
            if not isinstance(branch, int):
                continue
            if kind in COUNTED:
                self.counts[COUNTED[kind]][(branch, str(event.get("service", "")))] += 1
            elif kind == "printer.alert":
                self.printers[(branch, str(event.get("device")))] = str(event.get("problem"))
            elif kind == "printer.recovered":
                self.printers.pop((branch, str(event.get("device"))), None)

    def refresh(self, queues: list[Record] | None, now: datetime, hub: Hub | None) -> None:
        sockets: Counter[tuple[int, str]] = Counter()
        for branch_id, links in (hub.links if hub is not None else {}).items():
            sockets.update((branch_id, link.kind) for link in links)
        for row in queues or ():
            self.branch_keys[row.branch_id] = row.branch
        self.snapshot = Snapshot(queues, now, sockets)

    def collect(self) -> Iterable[Metric]:
        yield from self._counters()
        yield from self._queues()
        problems = GaugeMetricFamily(
            "skranke_printer_problem",
            "1 while a kiosk's printer has an unsolved problem (paper_low is a warning)",
            labels=["branch", "kiosk", "problem"],
        )
        for (branch, kiosk), problem in sorted(self.printers.items()):
            problems.add_metric([self._branch(branch), kiosk, problem], 1)
        yield problems
        sockets = GaugeMetricFamily(
            "skranke_websocket_connections",
            "Live page connections (display, counter, ticket) of this process",
            labels=["branch", "kind"],
        )
        for (branch, kind), n in sorted(self.snapshot.sockets.items()):
            sockets.add_metric([self._branch(branch), kind], n)
        yield sockets

    def _counters(self) -> Iterator[Metric]:
        for kind, counts in self.counts.items():
            family = CounterMetricFamily(
                f"skranke_tickets_{kind}",
                f"Tickets {kind} by this process since it started",
                labels=["branch", "service"],
            )
            for (branch, service), n in sorted(counts.items()):
                family.add_metric([self._branch(branch), service], n)
            yield family

    def _queues(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "skranke_database_up", "1 if the scrape's database read answered, else 0"
        )
        up.add_metric([], 0 if self.snapshot.queues is None else 1)
        yield up
        waiting = GaugeMetricFamily(
            "skranke_tickets_waiting", "Tickets waiting now", labels=["branch", "service"]
        )
        longest = GaugeMetricFamily(
            "skranke_longest_wait_seconds",
            "How long the longest-waiting ticket has waited (0 when nobody waits)",
            labels=["branch", "service"],
        )
        now = self.snapshot.now
        for row in self.snapshot.queues or ():
            labels = [row.branch, row.service]
            waiting.add_metric(labels, row.waiting)
            waited = (now - row.oldest).total_seconds() if row.oldest and now else 0.0
            longest.add_metric(labels, max(waited, 0.0))
        yield waiting
        yield longest

    def _branch(self, branch_id: int) -> str:
        return self.branch_keys.get(branch_id, str(branch_id))
