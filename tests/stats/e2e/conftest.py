"""The browser fixtures of tests/e2e, for the statistics pages' browser tests."""

from __future__ import annotations

from tests.e2e.conftest import browser  # noqa: F401  (a fixture)
