"""Helpers of the API tests."""

from minqing.cases import actions as case_actions


def register(user, *, description="楼道下水道堵了，污水漫到门口", **place):
    return case_actions.register_case(acting_user=user, description=description, **place)


def dispatch(user, case, organisation):
    return case_actions.transition(
        acting_user=user, case=case, name="dispatch", expected_version=case.version, organisation=organisation
    )


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def all_ids(client, url: str) -> set[int]:
    """Every id of a paged list, following `next`."""
    found, page = set(), url
    while page:
        response = client.get(page)
        found |= ids(response)
        page = response.json()["next"]
    return found


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]
