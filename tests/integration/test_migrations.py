"""The migrations build exactly the tables the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from skranke.store.engine import Database
from skranke.store.tables import metadata


def _compare(conn: Connection) -> list[object]:
    context = MigrationContext.configure(conn, opts={"compare_type": False})
    return list(compare_metadata(context, metadata))


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    # A column added to a model but forgotten in a migration would fail only on a real upgrade.
    async def run() -> list[object]:
        db = Database(database_url)
        db.start()
        try:
            return await db.read(_compare)
        finally:
            await db.stop()

    assert asyncio.run(run()) == []
