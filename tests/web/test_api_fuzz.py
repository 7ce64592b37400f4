"""Schemathesis against the OpenAPI description: no generated request, read or write, makes a server error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from servanda.record.bootstrap import open_record
from servanda.settings import Settings
from servanda.web.app import create_app

from .conftest import make_site

_TOKEN: dict[str, str] = {}


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[schemathesis.BaseSchema]:
    home: Path = tmp_path_factory.mktemp("fuzz") / "home"
    home.mkdir()
    app_settings = Settings.load(home=home, environ={"SERVANDA_ORIGIN": "fuzz.example/log"})
    handle = open_record(app_settings, create=True)
    site = make_site(handle)
    _TOKEN["editor"] = site.tokens["eve"]
    yield schemathesis.openapi.from_asgi("/api/openapi.json", create_app(app_settings, handle=handle))
    handle.close()


def test_no_request_makes_a_server_error(api_schema: schemathesis.BaseSchema) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15
    headers = {"Authorization": f"Bearer {_TOKEN['editor']}"}
    for operation in operations:
        # As an editor, so that the writes get past sign-in and their validation is exercised too.
        @given(case=operation.as_strategy())
        @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def no_server_error(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=[not_a_server_error])

        no_server_error()
