"""The concern loop through its pages: capture on a phone, dispatch, answer, verify, close."""

from minqing.cases.models import Case, Status
from minqing.core.models import AuditEvent
from minqing.directory.models import Category, Responsibility


def post_step(client, case, name, **data):
    case.refresh_from_db()
    return client.post(f"/cases/{case.pk}/step/", {"name": name, "version": case.version, **data})


def test_story_s2_through_the_pages(world, client):
    Responsibility.objects.create(
        category=Category.objects.get(code="C40"), area=world.district, organisation=world.renovation
    )
    client.force_login(world.grid_leader)
    response = client.post(
        "/cases/new/",
        {
            "building": world.building1.pk,
            "description": "三栋门外没有晾衣杆，别的楼都有了，老旧小区改造漏了",
            "reporter_name": "王秀兰",
            "nature": "help",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    body = client.get(f"/cases/{case.pk}/").content.decode()
    assert "二道区旧改办" in body  # suggested from the words and the directory, with the reason
    assert "C40" in body

    assert post_step(client, case, "dispatch", organisation=world.renovation.pk).status_code == 302
    client.force_login(world.handler)
    assert case.pk in [c["pk"] for c in Case.objects.filter(organisation=world.renovation).values("pk")]
    assert client.get("/cases/").content.decode().count(case.reference) == 1
    assert post_step(client, case, "accept").status_code == 302
    assert post_step(client, case, "answer", note="已列入二期，十月安装").status_code == 302
    client.force_login(world.grid_leader)
    assert post_step(client, case, "verify").status_code == 302
    assert post_step(client, case, "close").status_code == 302
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    body = client.get(f"/cases/{case.pk}/").content.decode()
    assert "已列入二期，十月安装" in body  # the timeline, from the audit trail


def test_capture_needs_a_place_and_words_and_saves_nothing_otherwise(world, client):
    client.force_login(world.grid_worker)
    response = client.post(
        "/cases/new/", {"building": world.building1.pk, "description": "", "nature": "help"}
    )
    assert response.status_code == 200
    response = client.post(
        "/cases/new/", {"building": world.building2.pk, "description": "越界", "nature": "help"}
    )
    assert response.status_code == 200  # another grid's building is not a choice
    assert not Case.objects.exists()


def test_cases_are_scoped(world, client):
    from minqing.cases import actions

    case = actions.register_case(
        acting_user=world.grid_worker, description="楼道灯坏了一周", building=world.building1
    )
    client.force_login(world.grid_worker2)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert "楼道灯" not in client.get("/cases/").content.decode()
    client.force_login(world.handler)  # not dispatched to the renovation office
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    client.force_login(world.volunteer)
    assert client.get(f"/cases/{case.pk}/").status_code == 404
    assert client.post("/cases/new/", {"building": world.building1.pk, "description": "x"}).status_code == 403


def test_a_stale_step_is_refused_with_a_message(world, client):
    from minqing.cases import actions

    case = actions.register_case(
        acting_user=world.grid_worker, description="下水道堵了", building=world.building1
    )
    client.force_login(world.grid_worker)
    stale = case.version
    client.post(f"/cases/{case.pk}/step/", {"name": "refer", "version": stale, "note": "已告知物业电话"})
    response = client.post(
        f"/cases/{case.pk}/step/", {"name": "resolve_on_spot", "version": stale, "note": "x"}, follow=True
    )
    case.refresh_from_db()
    assert case.status == Status.REFERRED
    assert AuditEvent.objects.filter(action="cases.case.resolve_on_spot").count() == 0
    assert response.status_code == 200


def test_me_too_from_the_page(world, client):
    from minqing.cases import actions

    case = actions.register_case(
        acting_user=world.grid_worker, description="没有晾衣杆", building=world.building1
    )
    client.force_login(world.grid_worker)
    client.post(f"/cases/{case.pk}/me-too/", {"name": "李大爷", "phone": "13900002222"})
    assert case.reporters.count() == 1
    assert client.post(f"/cases/{case.pk}/me-too/", {"name": "", "phone": "123"}).status_code == 302
    assert case.reporters.count() == 1


def test_case_list_runs_a_constant_number_of_queries(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from minqing.cases import actions

    client.force_login(world.community_admin)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/cases/").status_code == 200
        return len(ctx.captured_queries)

    actions.register_case(acting_user=world.grid_worker, description="一", building=world.building1)
    before = count()
    for i in range(12):
        case = actions.register_case(
            acting_user=world.grid_worker, description=f"第{i}件", household=world.household1
        )
        actions.transition(
            acting_user=world.grid_worker,
            case=case,
            name="dispatch",
            expected_version=1,
            organisation=world.property,
        )
    assert count() == before


def test_handlers_see_only_what_they_need_of_the_reporters(world, client):
    """A private company gets a name unless it is confidential, a masked phone unless the reporter agreed
    to share it, and never an ID number."""
    from minqing.cases import actions

    case = actions.register_case(
        acting_user=world.grid_worker,
        description="下水道返水",
        building=world.building1,
        resident=world.resident1,
    )
    actions.add_reporter(
        acting_user=world.grid_worker, case=case, name="赵先生", phone="13912341234", confidential=True
    )
    actions.add_reporter(
        acting_user=world.grid_worker, case=case, name="钱女士", phone="13712345555", share_phone=True
    )
    case.refresh_from_db()
    actions.transition(
        acting_user=world.grid_worker,
        case=case,
        name="dispatch",
        expected_version=case.version,
        organisation=world.property,
    )
    from tests.factories import user

    handler = user("org_handler", organisation=world.property)
    client.force_login(handler)
    body = client.get(f"/cases/{case.pk}/").content.decode()
    assert "下水道返水" in body
    assert world.resident1.name in body
    assert world.resident1.phone not in body
    assert world.resident1.phone[:3] + "****" + world.resident1.phone[-4:] in body
    assert world.resident1.id_number not in body
    assert "赵先生" not in body
    assert "13912341234" not in body
    assert "钱女士" in body
    assert "13712345555" in body


def test_a_neighbour_raising_the_same_thing_is_offered_me_too(world, client):
    from minqing.cases import actions

    first = actions.register_case(
        acting_user=world.grid_leader,
        description="三栋门外没有晾衣杆，别的楼都有了",
        building=world.building1,
        resident=world.resident1,
    )
    client.force_login(world.grid_leader)
    form = {
        "building": world.building1.pk,
        "description": "3栋什么时候装晾衣杆",
        "reporter_name": "李大爷",
        "nature": "help",
    }
    response = client.post("/cases/new/", form)
    assert response.status_code == 200
    body = response.content.decode()
    assert f"/cases/{first.pk}/me-too/" in body
    assert Case.objects.count() == 1  # nothing saved yet
    client.post(f"/cases/{first.pk}/me-too/", {"name": "李大爷"})
    assert first.reporters.count() == 2
    # Not the same after all: saving again records a new case.
    response = client.post("/cases/new/", {**form, "new_anyway": "on"})
    assert response.status_code == 302
    assert Case.objects.count() == 2


def test_unrelated_concerns_are_saved_straight_away(world, client):
    from minqing.cases import actions

    actions.register_case(
        acting_user=world.grid_leader, description="三栋门外没有晾衣杆", building=world.building1
    )
    client.force_login(world.grid_leader)
    response = client.post(
        "/cases/new/", {"building": world.building1.pk, "description": "楼道灯坏了一周", "nature": "help"}
    )
    assert response.status_code == 302


def test_story_s8_a_referred_call_comes_back_for_follow_up(world, client):
    import datetime

    from django.utils import timezone

    from minqing.core import workcal

    drains = Category.objects.get(code="C23")
    world.property.service_phone = "0431-85551234"
    world.property.save()
    Responsibility.objects.create(category=drains, area=world.community, organisation=world.property)
    client.force_login(world.grid_leader)
    body = client.get("/directory/", {"q": "我家下水道堵了", "area": world.grid1.pk}).content.decode()
    assert "/cases/referrals/" in body
    response = client.post(
        "/cases/referrals/",
        {
            "question": "我家下水道堵了",
            "area": world.grid1.pk,
            "category": drains.pk,
            "organisation": world.property.pk,
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.status == Status.REFERRED
    assert case.category == drains
    assert case.follow_up_on == workcal.add_working_days(timezone.localdate(), 1)
    assert AuditEvent.objects.filter(action="cases.case.refer", reason__contains="0431-85551234").exists()

    assert "我家下水道堵了" not in client.get("/").content.decode()  # not due yet
    Case.objects.filter(pk=case.pk).update(follow_up_on=timezone.localdate() - datetime.timedelta(days=1))
    assert "我家下水道堵了" in client.get("/").content.decode()


def test_referral_refuses_what_is_outside_scope(world, client):
    drains = Category.objects.get(code="C23")
    client.force_login(world.grid_worker)
    response = client.post(
        "/cases/referrals/",
        {
            "question": "下水道堵了",
            "area": world.grid2.pk,
            "category": drains.pk,
            "organisation": world.property.pk,
        },
    )
    assert response.status_code == 404
    assert not Case.objects.exists()
