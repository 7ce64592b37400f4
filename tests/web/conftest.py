"""A site over a small but real record: the starter bundle, a signed checkpoint, and one account per role.

Requests go through the real ASGI app (Starlette's test client), on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from servanda.accounts.roles import Role
from servanda.accounts.service import AccountService
from servanda.record.bootstrap import RecordHandle
from servanda.record.bundles import read_bundle
from servanda.record.checkpoints import create_key, sign_checkpoint
from servanda.web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"
ACCOUNTS = {
    "ada": Role.ADMIN,
    "eve": Role.EDITOR,
    "rita": Role.REVIEWER,
    "rob": Role.REVIEWER,
    "red": Role.READER,
}


@dataclass
class Site:
    handle: RecordHandle
    client: TestClient
    accounts: AccountService
    tokens: dict[str, str]

    def as_user(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def sign_in(self, name: str) -> TestClient:
        """A separate browser-like client with a session cookie for ``name``."""
        client = TestClient(self.client.app)
        response = client.post("/login", data={"name": name, "password": PASSWORD}, follow_redirects=False)
        assert response.status_code == 303, response.text
        return client

    def log_size(self) -> int:
        with self.handle.store.read() as connection:
            from servanda.store.log_storage import SqlLogStorage

            return SqlLogStorage(connection).log_size()


def make_site(handle: RecordHandle) -> Site:
    handle.service.apply(read_bundle(ROOT / "data" / "starter"), "starter")
    create_key(handle.settings)
    sign_checkpoint(handle.store, handle.settings)
    service = AccountService(handle.store)
    tokens = {}
    for name, role in ACCOUNTS.items():
        account = service.add_user(name, PASSWORD, role)
        tokens[name], _info = service.create_token(account, "tests")
    client = TestClient(create_app(handle.settings, handle=handle))
    return Site(handle, client, service, tokens)


@pytest.fixture
def site(handle: RecordHandle) -> Iterator[Site]:
    made = make_site(handle)
    with made.client:
        yield made
