"""The API's pages: the schema and its documentation (behind login, assets served locally under the site's
CSP), and a user's own token."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from minqing.core.models import AuditEvent


def test_the_schema_is_openapi_3_and_needs_credentials(world, api, client):
    assert client.get(reverse("api:schema")).status_code in (401, 403)
    response = api(world.grid_worker).get(reverse("api:schema") + "?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert all(path.startswith("/api/v1/") for path in schema["paths"])
    assert "/api/v1/cases/{id}/transitions/" in schema["paths"]
    error = schema["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["$ref"] == "#/components/schemas/ErrorDetail"
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for code in ("400", "401", "403", "404"):
                assert operation["responses"][code]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }, (method, path, code)


def test_the_schema_is_valid(world, api):
    from drf_spectacular.validation import validate_schema

    validate_schema(api(world.grid_worker).get(reverse("api:schema") + "?format=json").json())


def test_the_documentation_is_served_from_the_site_under_its_csp(world, client):
    from minqing.core.middleware import CSP

    assert client.get(reverse("api:docs")).status_code == 302  # to the login page
    client.force_login(world.grid_worker)
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CSP
    html = response.content.decode()
    assert "<script>" not in html  # nothing inline
    assert "<style" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    from django.contrib.staticfiles import finders

    for asset in (
        "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "api/docs.js",
        "api/docs.css",
    ):
        assert finders.find(asset), asset


@pytest.mark.parametrize("role", ["grid_worker", "street_officer", "org_handler"])
def test_a_user_creates_replaces_and_revokes_their_token(world, client, api, role):
    user = world.by_role()[role]
    client.force_login(user)
    assert client.get(reverse("api:token")).status_code == 200

    response = client.post(reverse("api:token"), {"do": "create"})
    key = response.context["key"]
    assert key in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")
    assert key not in client.get(reverse("api:token")).content.decode()  # shown once

    token_client = api()
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert token_client.get("/api/v1/cases/").status_code == 200

    replaced = client.post(reverse("api:token"), {"do": "create"}).context["key"]
    assert replaced != key
    assert token_client.get("/api/v1/cases/").status_code == 401

    client.post(reverse("api:token"), {"do": "revoke"})
    assert not Token.objects.filter(user=user).exists()
    actions = list(AuditEvent.objects.filter(action__startswith="api.token").values_list("action", flat=True))
    assert sorted(actions) == ["api.token.create", "api.token.create", "api.token.revoke"]
    assert not any(key in str(e.changes) + e.reason for e in AuditEvent.objects.all())


@pytest.mark.parametrize("role", ["volunteer", "resident"])
def test_no_token_for_those_the_api_has_nothing_for(world, client, role):
    client.force_login(world.by_role()[role])
    assert client.get(reverse("api:token")).status_code == 403
    assert client.post(reverse("api:token"), {"do": "create"}).status_code == 403
    assert not Token.objects.exists()
