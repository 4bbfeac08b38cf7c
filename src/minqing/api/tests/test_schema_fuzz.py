"""The API fuzzed from its own OpenAPI schema (schemathesis): whatever it is sent, it never answers with a
server error, and every answer (successes and the error shape alike) matches the schema.

The schema is the app's own: generated at collection by the generator behind /api/schema/ (a test below
checks that the app serves exactly it), because pytest collects before any database exists to hold a token.
Every request goes to the app through WSGI with a grid worker's token. A modest, fixed number of examples per
operation keeps the suite fast and repeatable. No operation is left out: none deletes anything."""

import json
import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .helpers import dispatch, register

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


@pytest.fixture(autouse=True)
def one_connection_per_test():
    """As Django's test client does: a request through WSGI must not close the test's connection (it would,
    being inside the test's transaction, on PostgreSQL)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(world):
    # Something to find: cases in the grid worker's grid (one of them with the handler) and next door.
    register(
        world.grid_worker, building=world.building1, resident=world.resident1, reporter_phone="13911112222"
    )
    dispatch(world.grid_worker, register(world.grid_worker, building=world.building1), world.renovation)
    register(world.grid_worker2, building=world.building2)
    return Token.objects.create(user=world.grid_worker).key


def generated_schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    from minqing.api.urls import schema_patterns

    generated = SchemaGenerator(patterns=schema_patterns).get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated))


schema = schemathesis.openapi.from_dict(generated_schema())
schema.app = get_wsgi_application()
# The schema's examples and 20 generated cases per operation (valid and invalid input). The boundary-value
# "coverage" phase passes too but doubles the time: MINQING_FUZZ_PHASES=examples,coverage,fuzzing runs it.
schema.config.phases.update(phases=os.environ.get("MINQING_FUZZ_PHASES", "examples,fuzzing").split(","))


def test_the_fuzzed_schema_is_the_one_the_app_serves(token, client):
    served = client.get("/api/schema/?format=json", HTTP_AUTHORIZATION=f"Token {token}")
    assert served.status_code == 200
    assert served.json() == generated_schema()


@schema.parametrize()
@settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_honours_its_schema(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
