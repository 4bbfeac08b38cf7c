"""Every method, in XML and in JSON, against the specification: the field names of the spec's response
tables (XML), the Swagger file's schemas (JSON), the Spark convention between the two, W3C datetimes with
their time zone, booleans as true/false, ids and codes as strings, and the error document."""

import pytest

from minqing.open311.formats import ITEM_NAMES

from . import spec
from .helpers import VALID_ANSWERS, close, intake, json_body, xml

pytestmark = pytest.mark.django_db

J = {"jurisdiction_id": "redian.example"}


def both(get, path, **params):
    """The same resource in both formats: (XML root element, JSON document)."""
    return xml(get(f"{path}.xml", **params)), json_body(get(f"{path}.json", **params))


def check_xml(root, allowed: set[str], root_name: str) -> None:
    assert root.tag == root_name
    unknown = set(spec.element_names(root)) - allowed
    assert not unknown, f"elements not in the spec: {unknown}"
    for element in root.iter():
        if element.tag in spec.LISTS:
            assert all(child.tag == ITEM_NAMES[element.tag] for child in element)


def check_order(root, fields: tuple[str, ...]) -> None:
    """Children come in the order of the spec's table."""
    for element in root.iter():
        names = [child.tag for child in element if child.tag in fields]
        assert names == sorted(names, key=fields.index), names


def check_datetimes(document, names=("requested_datetime", "updated_datetime", "expected_datetime")):
    if isinstance(document, dict):
        for key, value in document.items():
            if key in names or key == "datetime":
                assert spec.W3C_DATETIME.match(value), value
            check_datetimes(value, names)
    elif isinstance(document, list):
        for item in document:
            check_datetimes(item, names)


@pytest.fixture
def requests_of_every_kind(o311, post):
    """An open request posted through Open311 with answers and a photo URL, a closed one from the portal,
    and one at a household."""
    posted = post(
        api_key=o311.key,
        service_code="C23",
        lat="43.876010",
        long="125.361520",
        description="雨水井堵了",
        media_url="https://img.example/1.jpg",
        **{**J, **VALID_ANSWERS, "attribute[smell]": ["odour", "flies"]},
    )
    assert posted.status_code == 200, posted.content
    closed = intake(o311, category=o311.lights, description="路灯不亮")
    close(closed, o311)
    intake(o311, category=o311.drains, household=o311.household1)
    return posted.json()[0]["service_request_id"]


def test_discovery(o311, get):
    root, document = both(get, "discovery")
    check_xml(root, spec.discovery_fields(), "discovery")
    assert spec.same(spec.spark(root), document)
    assert set(document) == {"changeset", "contact", "key_service", "endpoints"}
    [endpoint] = document["endpoints"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["type"] == "test"
    assert endpoint["formats"] == ["text/xml", "application/json"]


def test_service_list(o311, get):
    root, document = both(get, "services", **J)
    fields = spec.response_fields("GET Service List")
    check_xml(root, set(fields), "services")
    check_order(root, fields)
    spec.validate(document, spec.swagger_schema("/services.{response_format}"))
    assert spec.same(spec.spark(root), document)
    assert [s["service_code"] for s in document] == ["C09", "C19", "C23"]
    drains = document[2]
    assert drains["metadata"] is True
    assert document[0]["metadata"] is False
    assert drains["type"] == "realtime"
    assert drains["group"] == "公用事业"
    assert root.find("service/metadata").text in ("true", "false")


def test_service_definition(o311, get):
    root, document = both(get, "services/C23", **J)
    fields = spec.response_fields("GET Service Definition")
    check_xml(root, set(fields), "service_definition")
    check_order(root, fields)
    spec.validate(document, spec.swagger_schema("/services/{service_code}.{response_format}"))
    assert spec.same(spec.spark(root), document)
    assert document["service_code"] == "C23"
    codes = [a["code"] for a in document["attributes"]]
    assert codes == ["where", "since", "depth", "floor", "smell", "more", "note"]
    floor = document["attributes"][3]
    assert floor == {
        "variable": True,
        "code": "floor",
        "datatype": "singlevaluelist",
        "required": True,
        "order": 4,
        "description": "Which floor?",
        "values": [{"key": "1", "name": "Ground floor"}, {"key": "2", "name": "Above"}],
    }
    assert document["attributes"][6]["variable"] is False
    # A service without questions: an empty list, in both formats.
    root, document = both(get, "services/C09", **J)
    assert document == {"service_code": "C09", "attributes": []}
    assert root.find("attributes") is not None
    assert len(root.find("attributes")) == 0


def test_post_request(o311, post):
    data = {**J, **VALID_ANSWERS, "api_key": o311.key, "service_code": "C23", "address_string": "热电路"}
    root, document = xml(post("xml", **data)), json_body(post("json", **data))
    fields = spec.response_fields("POST Service Request")
    check_xml(root, set(fields), "service_requests")
    check_order(root, fields)
    spec.validate(document, spec.swagger_schema("/requests.{response_format}", "post"))
    [created] = document
    assert set(created) == {"service_request_id", "service_notice"}  # no token with an ID
    assert isinstance(created["service_request_id"], str)
    assert root.find("request/token") is None
    assert created["service_request_id"] in created["service_notice"]


@pytest.mark.parametrize("extensions", [False, True])
def test_get_requests(o311, get, requests_of_every_kind, extensions):
    params = {**J, "extensions": "true"} if extensions else J
    root, document = both(get, "requests", **params)
    fields = spec.response_fields("GET Service Requests")
    allowed = set(fields) | (spec.EXTENSION_FIELDS if extensions else set())
    check_xml(root, allowed, "service_requests")
    check_order(root, fields)
    spec.validate(document, spec.swagger_schema("/requests.{response_format}"))
    assert spec.same(spec.spark(root), document)
    check_datetimes(document)
    assert len(document) == 3
    for request in document:
        assert isinstance(request["service_request_id"], str)
        assert isinstance(request["service_code"], str)
        assert request["status"] in ("open", "closed")
        assert isinstance(request["lat"], float)
        assert isinstance(request["long"], float)
        assert ("notes" in request) is extensions


@pytest.mark.parametrize("extensions", [False, True])
def test_get_one_request(o311, get, requests_of_every_kind, extensions):
    reference = requests_of_every_kind
    params = {**J, "extensions": "true"} if extensions else J
    root, document = both(get, f"requests/{reference}", **params)
    fields = spec.response_fields("GET Service Request")
    allowed = set(fields) | (spec.EXTENSION_FIELDS if extensions else set())
    check_xml(root, allowed, "service_requests")
    check_order(root, fields)
    # The spec answers with a list of one request; the Swagger file's (mistyped) path /request/{id}
    # declares a bare Request, so each item is checked against that definition.
    spec.validate(document, {"type": "array", "items": spec.definition("Request"), "minItems": 1})
    assert spec.same(spec.spark(root), document)
    check_datetimes(document)
    [request] = document
    assert request["service_request_id"] == reference
    assert request["media_url"] == "https://img.example/1.jpg"
    if extensions:
        assert request["extended_attributes"]["channel"] == "open311"
        assert {"code": "smell", "value": "flies"} in request["extended_attributes"]["attributes"]
        assert request["notes"][0]["type"] == "submitted"


def test_service_request_updates(o311, get, requests_of_every_kind):
    root, document = both(get, "servicerequestupdates", **J)
    check_xml(root, spec.UPDATE_FIELDS, "service_request_updates")
    spec.validate(
        document,
        {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["update_id", "service_request_id", "status", "updated_datetime"],
                "properties": {
                    "update_id": {"type": "string"},
                    "service_request_id": {"type": "string"},
                    "status": {"enum": ["open", "closed"]},
                    "updated_datetime": {"type": "string", "pattern": spec.W3C_DATETIME.pattern},
                    "description": {"type": "string"},
                },
            },
        },
    )
    assert spec.same(spec.spark(root), document)


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("services", {}, 400),  # two jurisdictions, none named
        ("services", {"jurisdiction_id": "nowhere.example"}, 404),
        ("services/C99", J, 404),
        ("services/C31", J, 404),  # exists, but not offered here
        ("requests", {**J, "start_date": "yesterday"}, 400),
        ("requests/MQ0000", J, 404),
        ("tokens/123", J, 404),
        ("servicerequestupdates", {"jurisdiction_id": "nowhere.example"}, 404),
    ],
)
def test_errors(o311, get, path, params, status):
    from minqing.open311 import actions
    from minqing.places.models import Area

    actions.ensure_demo_client(key="second-jurisdiction-key", communities=[Area.objects.get(name="阙里社区")])
    root, document = both(get, path, **params)
    assert get(f"{path}.xml", **params).status_code == get(f"{path}.json", **params).status_code == status
    check_xml(root, set(spec.response_fields("Errors")), "errors")
    assert spec.same(spec.spark(root), document)
    [error] = document
    assert error["code"] == status
    assert error["description"]


def test_post_errors_have_the_spec_shape(o311, post):
    for fmt in ("xml", "json"):
        response = post(fmt, **J, service_code="C23")
        assert response.status_code == 403
        assert (
            xml(response).find("error/code").text == "403"
            if fmt == "xml"
            else json_body(response)[0]["code"] == 403
        )


def test_unknown_format_and_method(o311, client):
    response = client.get("/open311/v2/services.html", J)
    assert response.status_code == 400
    assert xml(response).find("error/code").text == "400"
    response = client.post("/open311/v2/services.json", J)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
