from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from starlette.testclient import TestClient

from skranke.config import Settings
from skranke.demo import DemoCredentials, load_demo
from skranke.web.app import create_app


@dataclass
class Demo:
    client: TestClient
    creds: DemoCredentials

    def auth(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    @property
    def kiosk(self) -> dict[str, str]:
        return self.auth(self.creds.kiosk_token)

    @property
    def staff(self) -> dict[str, str]:
        return self.auth(self.creds.staff_token)


@pytest.fixture
def demo(sqlite_db: str) -> Iterator[Demo]:
    app = create_app(Settings(database_url=sqlite_db, public_url="https://skranke.example"))
    with TestClient(app) as client:
        creds = client.portal.call(app.state.db.write, load_demo, datetime.now(UTC), None)  # type: ignore[union-attr]
        yield Demo(client, creds)
