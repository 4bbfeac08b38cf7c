"""POST requests: the key, the jurisdiction and the service; where the case lands; what is checked; and that
the result is a case like any other, in the staff's list with channel Open311."""

from decimal import Decimal

import pytest

from minqing.cases.models import Case, Channel, Reporter, Status
from minqing.core.models import AuditEvent
from minqing.open311 import actions
from minqing.open311.models import Client, Submission

from .helpers import VALID_ANSWERS

pytestmark = pytest.mark.django_db

J = {"jurisdiction_id": "redian.example"}


def ok(response) -> Case:
    assert response.status_code == 200, response.content
    return Case.objects.get(reference=response.json()[0]["service_request_id"])


def errors(response, status: int) -> list[str]:
    assert response.status_code == status, response.content
    body = response.json()
    assert all(error["code"] == status for error in body)
    return [error["description"] for error in body]


def test_a_posted_request_is_a_registered_case_in_the_staff_list(o311, post, client):
    case = ok(
        post(
            **J,
            **VALID_ANSWERS,
            api_key=o311.key,
            service_code="C23",
            address_id=o311.building2.code,
            description="楼下雨水井堵了，\n一下雨就积水",
        )
    )
    assert case.channel == Channel.OPEN311
    assert case.status == Status.REGISTERED
    assert case.category == o311.drains
    assert case.building == o311.building2
    assert case.area == o311.grid2
    assert case.description == "楼下雨水井堵了，\n一下雨就积水"
    register = AuditEvent.objects.get(action="cases.case.register", target_id=str(case.pk))
    assert register.reason == "Open311 · 随手拍 App"
    assert register.actor is None
    o311.client.refresh_from_db()
    assert o311.client.last_used_at is not None

    client.force_login(o311.grid_worker2)
    page = client.get("/cases/").content.decode()
    assert case.reference in page
    detail = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Open311" in detail


def test_lat_long_place_it_at_the_nearest_building_and_are_kept(o311, post):
    # 8 m from building 1 (grid 1), 130 m from building 2.
    case = ok(
        post(**J, **VALID_ANSWERS, api_key=o311.key, service_code="C23", lat="43.876050", long="125.361550")
    )
    assert case.building == o311.building1
    assert case.area == o311.grid1
    assert (case.latitude, case.longitude) == (Decimal("43.876050"), Decimal("125.361550"))
    # Nowhere near a building of the community: the default grid, the coordinates still kept.
    case = ok(post(**J, **VALID_ANSWERS, api_key=o311.key, service_code="C23", lat="43.9", long="125.4"))
    assert case.building is None
    assert case.area == o311.grid2
    assert case.latitude == Decimal("43.900000")


def test_a_building_of_another_community_is_never_chosen(o311, post):
    o311.building3.latitude, o311.building3.longitude = Decimal("43.880000"), Decimal("125.370000")
    o311.building3.save()
    case = ok(
        post(**J, **VALID_ANSWERS, api_key=o311.key, service_code="C23", lat="43.880001", long="125.370001")
    )
    assert case.building is None
    assert case.area == o311.grid2
    response = post(
        **J, **VALID_ANSWERS, api_key=o311.key, service_code="C23", address_id=o311.building3.code
    )
    assert "address_id" in errors(response, 400)[0]


def test_an_address_alone_goes_to_the_default_grid_with_the_address(o311, post):
    case = ok(
        post(**J, **VALID_ANSWERS, api_key=o311.key, service_code="C23", address_string="热电路与红旗街交口")
    )
    assert case.area == o311.grid2
    assert case.building is None
    assert case.address == "热电路与红旗街交口"


def test_personal_fields_become_the_reporter_and_nothing_else_is_kept(o311, post):
    case = ok(
        post(
            **J,
            **VALID_ANSWERS,
            api_key=o311.key,
            service_code="C23",
            address_string="热电路",
            first_name="秀兰",
            last_name="王",
            phone="+86 139-1234-5678",
            email="wang@example.com",
            device_id="device-1",
            account_id="acct-9",
        )
    )
    reporter = Reporter.objects.get(case=case)
    assert reporter.name == "王秀兰"
    assert reporter.phone == "13912345678"
    submission = Submission.objects.get(case=case)
    stored = repr(submission.__dict__) + repr(case.__dict__)
    assert "wang@example.com" not in stored
    assert "device-1" not in stored
    assert "acct-9" not in stored
    western = ok(
        post(
            **J,
            **VALID_ANSWERS,
            api_key=o311.key,
            service_code="C23",
            address_string="x",
            first_name="John",
            last_name="Smith",
        )
    )
    assert Reporter.objects.get(case=western).name == "John Smith"


def test_answers_and_media_url_are_kept_and_shown_to_staff(o311, post):
    case = ok(
        post(
            **J,
            **VALID_ANSWERS,
            **{
                "attribute[smell][]": ["odour", "flies"],
                "attribute[depth]": "12.5",
                "attribute[unknown]": "x",
            },
            api_key=o311.key,
            service_code="C23",
            address_string="热电路",
            media_url="https://img.example/drain.jpg",
        )
    )
    submission = Submission.objects.get(case=case)
    assert submission.attributes == {
        "where": "3号楼东侧",
        "depth": "12.5",
        "floor": "1",
        "smell": ["odour", "flies"],
    }
    assert submission.media_url == "https://img.example/drain.jpg"
    assert submission.client == o311.client
    assert submission.jurisdiction == o311.jurisdiction
    details = AuditEvent.objects.get(action="open311.request.details", target_id=str(case.pk))
    assert "Which floor?: Ground floor" in details.reason
    assert "What do you notice?: Smell, Flies" in details.reason
    assert "https://img.example/drain.jpg" in details.reason


def test_no_description_takes_the_service_name(o311, post):
    case = ok(post(**J, **VALID_ANSWERS, api_key=o311.key, service_code="C23", address_string="热电路"))
    assert case.description == o311.drains.name


@pytest.mark.parametrize(
    ("data", "status", "words"),
    [
        ({"service_code": "C23"}, 403, "api_key"),
        ({"service_code": "C23", "api_key": "not-a-key"}, 403, "api_key"),
        ({"api_key": "KEY"}, 400, "service_code"),
        ({"api_key": "KEY", "service_code": "C99"}, 404, "C99"),
        ({"api_key": "KEY", "service_code": "C31"}, 404, "C31"),  # exists, not offered here
        ({"api_key": "KEY", "service_code": "C23", "lat": "north"}, 400, "lat"),
        ({"api_key": "KEY", "service_code": "C23", "lat": "91", "long": "125"}, 400, "lat"),
    ],
)
def test_refusals(o311, post, data, status, words):
    data = {**J, **VALID_ANSWERS, "address_string": "热电路", **data}
    if data.get("api_key") == "KEY":
        data["api_key"] = o311.key
    assert words in errors(post(**data), status)[0]
    assert not Case.objects.exists()


def test_every_problem_is_reported_at_once(o311, post):
    response = post(
        **J,
        api_key=o311.key,
        service_code="C23",
        lat="43.87",
        phone="12345",
        description="x" * 4001,
        media_url="javascript:alert(1)",
        **{
            "attribute[floor]": "9",
            "attribute[depth]": "deep",
            "attribute[since]": "last week",
            "attribute[smell][]": ["odour", "mud"],
        },
    )
    found = " | ".join(errors(response, 400))
    for words in (
        "description",
        "lat and long",
        "phone",
        "media_url",
        "attribute[where] is required",
        "attribute[floor]",
        "attribute[depth] must be a number",
        "attribute[since]",
        "attribute[smell]",
    ):
        assert words in found, words
    assert not Case.objects.exists()


def test_a_location_is_required(o311, post):
    response = post(**J, **VALID_ANSWERS, api_key=o311.key, service_code="C23")
    assert "lat and long, address_string or address_id" in errors(response, 400)[0]


def test_a_string_answer_is_one_line_and_list_answers_take_listed_keys(o311, post):
    response = post(
        **J,
        api_key=o311.key,
        service_code="C23",
        address_string="x",
        **{"attribute[where]": "a\nb", "attribute[floor]": ["1", "2"]},
    )
    found = " | ".join(errors(response, 400))
    assert "attribute[where] must be one line" in found
    assert "attribute[floor] takes one value" in found


def test_a_revoked_key_or_another_jurisdiction_is_refused(o311, post, world):
    other = actions.save_jurisdiction(
        acting_user=world.street_officer,
        jurisdiction_id="queli.example",
        community=world.other_community,
        default_grid=world.grid3,
        services=[o311.drains],
    )
    response = post(
        **VALID_ANSWERS,
        jurisdiction_id="queli.example",
        api_key=o311.key,
        service_code="C23",
        address_string="x",
    )
    assert "jurisdiction" in errors(response, 403)[0]
    actions.revoke_client(acting_user=world.community_admin, client=o311.client)
    response = post(**J, **VALID_ANSWERS, api_key=o311.key, service_code="C23", address_string="x")
    errors(response, 403)
    assert other.submissions.count() == 0
    assert not Case.objects.exists()


def test_the_key_may_come_in_the_query_string_and_xml_answers_too(o311, client):
    response = client.post(
        f"/open311/v2/requests.xml?api_key={o311.key}&jurisdiction_id=redian.example",
        {**VALID_ANSWERS, "service_code": "C23", "address_string": "热电路"},  # multipart: Django reads both
    )
    assert response.status_code == 200
    assert b"<service_request_id>MQ" in response.content


def test_only_a_hash_of_the_key_is_stored(o311):
    stored = Client.objects.filter(pk=o311.client.pk).values().get()
    assert o311.key not in repr(stored)
    assert stored["key_prefix"] == o311.key[:8]
    assert all(o311.key not in repr((e.changes, e.reason)) for e in AuditEvent.objects.all())
