"""One error shape for every failure, in the asker's language."""

import pytest

from .helpers import assert_error


def test_no_credentials_is_401_with_the_token_scheme(api):
    response = api().get("/api/v1/cases/")
    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"


def test_a_wrong_token_is_401(world, api):
    client = api()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert_error(client.get("/api/v1/cases/"), 401, "authentication_failed")


def test_a_session_works_too(world, client):
    client.force_login(world.grid_worker)
    assert client.get("/api/v1/cases/").status_code == 200


def test_messages_follow_accept_language(world, api):
    en = assert_error(api(world.grid_worker, language="en").get("/api/v1/cases/999999/"), 404, "not_found")
    zh = assert_error(
        api(world.grid_worker, language="zh-hans").get("/api/v1/cases/999999/"), 404, "not_found"
    )
    assert en["message"] == "Not found, or not in your area."
    assert zh["message"] != en["message"]
    anonymous = assert_error(api(language="zh-hans").get("/api/v1/cases/"), 401, "not_authenticated")
    assert "Authentication" not in anonymous["message"]


def test_validation_errors_name_the_fields(world, api):
    response = api(world.grid_worker).post(
        "/api/v1/cases/", {"description": "", "people_affected": 0, "nature": "nonsense"}, format="json"
    )
    error = assert_error(response, 400, "invalid")
    assert set(error["fields"]) == {"description", "people_affected", "nature"}
    assert all(isinstance(m, str) for messages in error["fields"].values() for m in messages)


def test_bad_query_parameters_are_400(world, api):
    client = api(world.grid_worker)
    error = assert_error(client.get("/api/v1/cases/?status=nonsense&created_after=yesterday"), 400, "invalid")
    assert set(error["fields"]) == {"status", "created_after"}
    assert_error(client.get("/api/v1/cases/?area=-3"), 400, "invalid")


def test_an_application_error_keeps_its_status_and_message(world, api):
    # register_case refuses a place that is not a grid (InvalidInput from the action, not the serializer).
    response = api(world.grid_worker).post("/api/v1/cases/", {"description": "路灯不亮"}, format="json")
    error = assert_error(response, 400, "invalid")
    assert error["message"] == "Say where: pick a building, or the grid."


def test_forbidden_by_role(world, api):
    response = api(world.handler).post(
        "/api/v1/cases/", {"description": "路灯不亮", "area": world.grid1.pk}, format="json"
    )
    assert_error(response, 403, "permission_denied")


def test_unknown_api_urls_and_methods(world, api):
    client = api(world.grid_worker)
    assert_error(client.get("/api/v1/no/such/thing/"), 404, "not_found")
    assert_error(client.delete("/api/v1/cases/"), 405, "method_not_allowed")
    assert_error(client.get("/api/v1/cases/?page=99"), 404, "not_found")


def test_json_only(world, api):
    response = api(world.grid_worker).post(
        "/api/v1/cases/", "description=x", content_type="application/x-www-form-urlencoded"
    )
    assert_error(response, 415, "unsupported_media_type")
    response = api(world.grid_worker).post("/api/v1/cases/", "{not json", content_type="application/json")
    assert_error(response, 400, "parse_error")


def test_a_bug_answers_500_in_the_error_shape(world, api, monkeypatch):
    from minqing.cases import selectors

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(selectors, "case_list", broken)
    response = api(world.grid_worker).get("/api/v1/cases/")
    error = assert_error(response, 500, "server_error")
    assert "secret internals" not in response.content.decode()
    assert error["fields"] == {}


@pytest.mark.parametrize("name", ["accept", "verify"])
def test_a_step_not_open_to_the_user_is_403(world, cases, api, name):
    case = cases["grid1"]
    response = api(world.grid_worker).post(
        f"/api/v1/cases/{case.pk}/transitions/", {"name": name, "version": case.version}, format="json"
    )
    if name == "accept":  # the handler's step
        assert_error(response, 403, "permission_denied")
    else:  # staff's, but not from "registered"
        assert_error(response, 400, "invalid")
