"""`/admin`: a municipality's administrators and branch managers set up and run the branches.

Each section is a module listing its `Page` rows; `PAGES` is all of them, the one table the
routes are made from and the tests walk (every page refuses the wrong people).
"""

from __future__ import annotations

from starlette.routing import Route

from skranke.web.admin import branches, counters, devices, hours, policy, services, staff
from skranke.web.admin.common import Page
from skranke.web.admin.common import routes as page_routes

PAGES: list[Page] = [
    *branches.PAGES,
    *services.PAGES,
    *counters.PAGES,
    *hours.PAGES,
    *devices.PAGES,
    *policy.PAGES,
    *staff.PAGES,
]


def routes() -> list[Route]:
    return [*page_routes(PAGES), *branches.PUBLIC]
