from __future__ import annotations

from tests.e2e.conftest import browser, page

__all__ = ["browser", "page"]
