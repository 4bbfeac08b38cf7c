"""Report a concern, follow it, rate it; and never see anyone else's."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from minqing.cases import actions as case_actions
from minqing.cases.models import Case, Feedback, Photo, Reporter, Status
from minqing.core.errors import InvalidInput
from minqing.portal import actions, throttle
from minqing.portal.models import ThrottleHit

from .images import png


@pytest.fixture
def resident(world, client):
    """王秀兰 (3号楼301 in 第一网格, 热电社区), signed in, with the current notice accepted."""
    actions.accept_notice(acting_user=world.resident_user)
    client.force_login(world.resident_user)
    return world.resident_user


def report(client, **data):
    return client.post(
        "/r/report/", {"description": "楼道灯坏了一周，晚上看不见", "wants_news": "on", **data}
    )


def step(case, user, name, **kwargs):
    case.refresh_from_db()
    return case_actions.transition(
        acting_user=user, case=case, name=name, expected_version=case.version, **kwargs
    )


def close(case, world, answer="已更换灯泡"):
    step(case, world.grid_worker, "dispatch", organisation=world.renovation)
    step(case, world.handler, "accept")
    step(case, world.handler, "answer", note=answer)
    step(case, world.grid_worker, "verify")
    return step(case, world.grid_worker, "close")


def test_the_form_preselects_the_residents_home(client, world, resident):
    page = client.get("/r/report/").content.decode()
    assert f'value="h{world.household1.pk}" selected' in page
    assert f'value="{world.community.pk}" selected' in page
    assert "7号楼" in page  # buildings of the community, by name
    assert "阙里1号楼" not in page  # not another community's
    assert "report-map" not in page  # no tile server configured: no map


def test_a_resident_reports_about_their_home_with_a_photo(client, world, resident):
    photo = SimpleUploadedFile("light.png", png(), content_type="image/png")
    response = report(
        client,
        community=world.community.pk,
        place=f"h{world.household1.pk}",
        photo=photo,
        confidential="on",
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == f"/r/mine/{case.reference}/received/"
    assert case.channel == "portal"
    assert case.status == Status.REGISTERED
    assert case.household == world.household1
    assert case.area == world.grid1
    reporter = Reporter.objects.get(case=case)
    assert reporter.account == resident
    assert reporter.resident == world.resident1
    assert reporter.confidential
    assert reporter.wants_news
    assert case.photos.get().uploaded_by == resident
    page = client.get(response["Location"]).content.decode()
    assert case.reference in page
    assert 'id="reference"' in page
    assert f"/r/mine/{case.reference}/" in page
    photo_url = f"/r/mine/{case.reference}/photos/{case.photos.get().pk}/"
    assert photo_url in client.get(f"/r/mine/{case.reference}/").content.decode()
    served = client.get(photo_url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"


def test_a_building_of_the_community_or_a_spot_in_a_grid(client, world, resident):
    assert report(client, community=world.community.pk, place=f"b{world.building2.pk}").status_code == 302
    assert Case.objects.get().building == world.building2
    # Elsewhere in a grid needs words for where.
    client.cookies["django_language"] = "en"
    response = report(client, community=world.community.pk, place=f"g{world.grid1.pk}")
    assert response.status_code == 400
    assert "an address or a landmark" in response.content.decode()
    response = report(
        client, community=world.community.pk, place=f"g{world.grid1.pk}", address="东门自行车棚旁"
    )
    assert response.status_code == 302
    case = Case.objects.latest("id")
    assert case.area == world.grid1
    assert case.building is None
    assert case.address == "东门自行车棚旁"


@pytest.mark.parametrize(
    "place",
    [
        "b{other_building}",  # a building of another community than the one chosen
        "h{other_household}",  # someone else's home
        "g{community}",  # a community is not a grid
        "x1",
        "",
    ],
)
def test_places_outside_the_list_are_refused(client, world, resident, place):
    place = place.format(
        other_building=world.building3.pk, other_household=world.household2.pk, community=world.community.pk
    )
    response = report(client, community=world.community.pk, place=place)
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_saved(client, world, resident):
    client.cookies["django_language"] = "en"
    fake = SimpleUploadedFile("light.png", b"MZ\x90\x00 not an image at all", content_type="image/png")
    response = report(client, community=world.community.pk, place=f"h{world.household1.pk}", photo=fake)
    assert response.status_code == 400
    assert "is not a photo" in response.content.decode()
    assert not Case.objects.exists()
    assert not Photo.objects.exists()
    assert not ThrottleHit.objects.filter(kind="report_account").exists()


def test_a_refused_photo_inside_the_action_saves_nothing(world, resident):
    fake = SimpleUploadedFile("x.jpg", b"GIF89a....", content_type="image/jpeg")
    with translation.override("en"), pytest.raises(InvalidInput, match="not a photo"):
        actions.report_concern(
            acting_user=resident, description="路灯不亮", place={"household": world.household1}, photos=[fake]
        )
    assert not Case.objects.exists()
    assert not ThrottleHit.objects.exists()


def test_validation_speaks_plainly(client, world, resident):
    client.cookies["django_language"] = "en"
    response = client.post("/r/report/", {"description": "灯", "community": world.community.pk, "place": ""})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Say a little more" in body
    assert "This field is required" in body


def test_the_places_list_follows_the_community(client, world, resident):
    body = client.get(f"/r/report/places/?community={world.other_community.pk}").content.decode()
    assert 'id="place-field"' in body
    assert "阙里1号楼" in body
    assert "7号楼" not in body
    assert "<html" not in body


def test_ten_reports_a_day_per_account(client, world, resident):
    client.cookies["django_language"] = "en"
    for _n in range(10):
        assert report(client, community=world.community.pk, place=f"b{world.building1.pk}").status_code == 302
    response = report(client, community=world.community.pk, place=f"b{world.building1.pk}")
    assert response.status_code == 400
    assert "report more tomorrow" in response.content.decode()
    assert Case.objects.count() == 10


def test_thirty_reports_a_day_per_address(world, resident):
    throttle.hit(*[throttle.ip_key("report_ip", "10.1.2.3")] * 30)
    with pytest.raises(throttle.Throttled):
        actions.report_concern(
            acting_user=resident, description="路灯不亮", place={"household": world.household1}, ip="10.1.2.3"
        )
    actions.report_concern(
        acting_user=resident, description="路灯不亮", place={"household": world.household1}, ip="10.4.4.4"
    )


def test_a_newcomer_without_a_registry_record_reports_with_the_name_and_phone_they_gave(
    client, world, signed_up
):
    user = signed_up(phone="13611112222", name="新住户")
    response = report(client, community=world.community.pk, place=f"b{world.building2.pk}")
    assert response.status_code == 302
    reporter = Reporter.objects.get()
    assert reporter.account == user
    assert reporter.resident is None
    assert reporter.name == "新住户"
    assert reporter.phone == "13611112222"
    assert f'value="h{world.household1.pk}"' not in client.get("/r/report/").content.decode()


def test_a_resident_cannot_see_another_residents_case(client, world, resident):
    from tests.factories import user

    theirs = case_actions.intake_case(
        submitted_by=world.resident_user,
        source="resident portal",
        channel="portal",
        description="别人的事",
        household=world.household2,
        reporter_name="李建国",
    )
    Reporter.objects.filter(case=theirs).update(account=None)  # 李建国's, not 王秀兰's
    staff_case = case_actions.register_case(
        acting_user=world.grid_worker, description="内部登记", building=world.building1
    )
    for case in (theirs, staff_case):
        assert client.get(f"/r/mine/{case.reference}/").status_code == 404
        assert client.get(f"/r/mine/{case.reference}/received/").status_code == 404
        assert client.post(f"/r/mine/{case.reference}/rate/", {"rating": "satisfied"}).status_code == 404
        assert client.get(f"/cases/{case.pk}/").status_code in (403, 404)  # by id, on the staff pages
        assert case.reference not in client.get("/r/mine/").content.decode()
    photo = Photo.objects.create(case=theirs, content_type="image/png", size=1, file="x.png")
    assert client.get(f"/r/mine/{theirs.reference}/photos/{photo.pk}/").status_code == 404
    # And another resident account does not see 王秀兰's own concern.
    report(client, community=world.community.pk, place=f"h{world.household1.pk}")
    mine = Case.objects.get(description__startswith="楼道灯")
    stranger = user("resident", username="stranger")
    actions.accept_notice(acting_user=stranger)
    client.force_login(stranger)
    assert client.get(f"/r/mine/{mine.reference}/").status_code == 404
    assert client.get(f"/r/mine/{mine.reference.lower()}/").status_code == 404


def test_the_concern_page_shows_the_public_story_only(client, world, resident):
    for account, name in ((world.grid_worker, "张网格"), (world.handler, "钱师傅")):
        account.first_name = name
        account.save()
    report(client, community=world.community.pk, place=f"h{world.household1.pk}")
    case = Case.objects.get()
    step(case, world.grid_worker, "dispatch", organisation=world.renovation)
    step(case, world.handler, "return", note="不归我们管，内部备注")
    step(case, world.grid_worker, "dispatch", organisation=world.renovation)
    step(case, world.handler, "accept")
    step(case, world.handler, "answer", note="已更换灯泡")
    body = client.get(f"/r/mine/{case.reference}/").content.decode()
    assert "已更换灯泡" in body
    assert "二道区旧改办" in body
    assert "内部备注" not in body
    for name in ("张网格", "钱师傅", "gw1"):
        assert name not in body
    assert 'name="rating"' not in body  # not closed yet


def test_rating_a_closed_concern(client, world, resident):
    report(client, community=world.community.pk, place=f"h{world.household1.pk}")
    case = Case.objects.get()
    close(case, world)
    body = client.get(f"/r/mine/{case.reference}/").content.decode()
    assert 'name="rating"' in body
    response = client.post(f"/r/mine/{case.reference}/rate/", {"rating": "satisfied"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.rating == "satisfied"
    assert case.status == Status.CLOSED
    body = client.get(f"/r/mine/{case.reference}/").content.decode()
    assert 'name="rating"' not in body
    # Once per closing.
    assert (
        client.post(f"/r/mine/{case.reference}/rate/", {"rating": "unsatisfied", "note": "x"}).status_code
        == 400
    )
    assert Feedback.objects.count() == 1


def test_not_satisfied_needs_a_reason_and_reopens(client, world, resident):
    client.cookies["django_language"] = "en"
    report(client, community=world.community.pk, place=f"h{world.household1.pk}")
    case = Case.objects.get()
    close(case, world)
    response = client.post(f"/r/mine/{case.reference}/rate/", {"rating": "unsatisfied"})
    assert response.status_code == 400
    assert "reopened with your words" in response.content.decode()
    assert not Feedback.objects.exists()
    response = client.post(f"/r/mine/{case.reference}/rate/", {"rating": "unsatisfied", "note": "灯还是不亮"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.REGISTERED
    body = client.get(f"/r/mine/{case.reference}/").content.decode()
    assert "Reopened" in body  # the reader's words for the step
    # Closed again later: they are asked again.
    step(case, world.grid_worker, "resolve_on_spot", note="换了整条线路")
    assert 'name="rating"' in client.get(f"/r/mine/{case.reference}/").content.decode()


def test_the_resident_hears_of_the_answer_in_the_app(client, world, resident):
    report(client, community=world.community.pk, place=f"h{world.household1.pk}")
    case = Case.objects.get()
    step(case, world.grid_worker, "dispatch", organisation=world.renovation)
    step(case, world.handler, "accept")
    step(case, world.handler, "answer", note="已更换灯泡")
    inbox = client.get("/notifications/").content.decode()
    assert case.reference in inbox
    assert "已更换灯泡" in inbox
    assert "Messages" in client.get("/r/").content.decode() or "消息" in client.get("/r/").content.decode()


def test_my_concerns_lists_only_mine_in_a_constant_number_of_queries(
    client, world, resident, django_assert_max_num_queries
):
    for _ in range(3):
        report(client, community=world.community.pk, place=f"h{world.household1.pk}")
    with django_assert_max_num_queries(12):
        body = client.get("/r/mine/").content.decode()
    assert body.count("/r/mine/MQ") == 3
