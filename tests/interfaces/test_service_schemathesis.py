"""Property-based API test: schemathesis generates requests from the service's own OpenAPI spec (valid and
invalid ones) against the real server; no answer may be a 5xx, and every answer must match the spec.

Bounded: ``EXAMPLES`` per operation (14 operations), about 200 requests in all.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from presslens.interfaces.service import ServiceSettings, create_app
from presslens.interfaces.service.server import background_server

EXAMPLES = 14
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def api_schema(pipeline: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    store = tmp_path_factory.mktemp("schemathesis") / "store.db"
    app = create_app(ServiceSettings(store=str(store), max_body_bytes=200_000), pipeline=pipeline)
    with background_server(app) as base_url:
        yield schemathesis.openapi.from_url(f"{base_url}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_api_fail_or_break_its_spec(case: Any) -> None:
    case.call_and_validate(checks=CHECKS, timeout=30)


def test_the_spec_is_served_and_complete(api_schema: Any) -> None:
    operations = {f"{op.method.upper()} {op.path}" for op in (r.ok() for r in api_schema.get_all_operations())}
    assert {"POST /analyze", "GET /articles", "GET /articles/{article_id}", "POST /compare", "GET /stories",
            "POST /jobs", "GET /jobs/{job_id}", "GET /outlets/{name}", "GET /healthz"} <= operations
