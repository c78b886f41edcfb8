"""The administration's navigation, in one place: another section adds itself with one line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavEntry:
    label: str  # a catalogue key
    href: str  # "{branch}" is replaced by the branch being looked at
    admin_only: bool = False


# The top of every administration page.
NAV: list[NavEntry] = [
    NavEntry("admin.nav.overview", "/admin"),
    NavEntry("admin.nav.staff", "/admin/staff"),
    NavEntry("stats.nav_stats", "/admin/stats"),
    NavEntry("stats.nav_supervisor", "/supervisor"),
    NavEntry("stats.nav_audit", "/admin/audit"),
]

# The sections of one branch, in the order a new branch is usually set up.
BRANCH_NAV: list[NavEntry] = [
    NavEntry("admin.nav.branch", "/admin/b/{branch}"),
    NavEntry("admin.nav.services", "/admin/b/{branch}/services"),
    NavEntry("admin.nav.counters", "/admin/b/{branch}/counters"),
    NavEntry("admin.nav.hours", "/admin/b/{branch}/hours"),
    NavEntry("admin.nav.booking", "/admin/b/{branch}/booking"),
    NavEntry("admin.nav.devices", "/admin/b/{branch}/devices"),
    NavEntry("admin.nav.policy", "/admin/b/{branch}/policy"),
]
