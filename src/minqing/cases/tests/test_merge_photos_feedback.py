"""Merging duplicates, photos, and the call-back (回访) that reopens an unsatisfied case."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minqing.cases import actions
from minqing.cases.models import Case, Photo, Rating, Status
from minqing.core.errors import Forbidden, InvalidInput
from minqing.notifications.models import Message

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def upload(name="photo.jpg", content=JPEG, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def new_case(world, text="三栋门外没有晾衣杆", **kwargs):
    return actions.register_case(
        acting_user=world.grid_leader, description=text, building=world.building1, **kwargs
    )


def step(case, user, name, **kwargs):
    case.refresh_from_db()
    return actions.transition(acting_user=user, case=case, name=name, expected_version=case.version, **kwargs)


def test_merging_keeps_every_reporter_once(world):
    keep = new_case(world, resident=world.resident1)
    duplicate = new_case(world, reporter_name="赵先生", reporter_phone="13912340000")
    actions.add_reporter(acting_user=world.grid_leader, case=duplicate, resident=world.resident1)
    actions.merge_cases(acting_user=world.grid_leader, keep=keep, duplicate=duplicate, note="同一件事")
    duplicate.refresh_from_db()
    assert duplicate.status == Status.CLOSED
    assert duplicate.merged_into == keep
    names = sorted(str(r) for r in keep.reporters.all())
    assert names == sorted([world.resident1.name, "赵先生"])


def test_merging_needs_a_supervisor_in_scope_and_open_cases(world):
    keep, duplicate = new_case(world), new_case(world)
    with pytest.raises(Forbidden):
        actions.merge_cases(acting_user=world.grid_worker, keep=keep, duplicate=duplicate)
    with pytest.raises(Forbidden):
        actions.merge_cases(acting_user=world.other_admin, keep=keep, duplicate=duplicate)
    with pytest.raises(InvalidInput):
        actions.merge_cases(acting_user=world.grid_leader, keep=keep, duplicate=keep)
    step(duplicate, world.grid_leader, "resolve_on_spot", note="已解决")
    with pytest.raises(InvalidInput):
        actions.merge_cases(acting_user=world.grid_leader, keep=keep, duplicate=duplicate)


def test_merge_page_finds_the_case_by_reference(world, client):
    keep, duplicate = new_case(world), new_case(world)
    client.force_login(world.grid_leader)
    response = client.post(f"/cases/{duplicate.pk}/merge/", {"keep": "MQ000"})
    assert response.status_code == 400
    assert Case.objects.get(pk=duplicate.pk).status == Status.REGISTERED
    response = client.post(f"/cases/{duplicate.pk}/merge/", {"keep": keep.reference.lower()})
    assert response.status_code == 302
    assert Case.objects.get(pk=duplicate.pk).merged_into == keep


@pytest.mark.parametrize(
    ("name", "content"),
    [("a.jpg", JPEG), ("a.png", PNG), ("a.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 20)],
)
def test_photos_are_recognised_by_their_bytes(world, name, content):
    case = new_case(world, photos=[upload(name, content)])
    assert case.photos.count() == 1


def test_a_non_photo_or_a_huge_photo_changes_nothing(world):
    before = Case.objects.count()
    with pytest.raises(InvalidInput):
        new_case(world, photos=[upload("evil.jpg", b"<html><script>alert(1)</script>")])
    huge = upload("big.jpg", JPEG + b"\x00" * (actions.PHOTO_MAX_BYTES + 1))
    with pytest.raises(InvalidInput):
        new_case(world, photos=[huge])
    assert Case.objects.count() == before
    assert Photo.objects.count() == 0


def test_answer_photos_are_served_only_to_those_who_see_the_case(world, client):
    case = new_case(world)
    step(case, world.grid_leader, "dispatch", organisation=world.renovation)
    step(case, world.handler, "accept")
    client.force_login(world.handler)
    response = client.post(
        f"/cases/{case.pk}/step/",
        {
            "name": "answer",
            "version": Case.objects.get(pk=case.pk).version,
            "note": "已安装",
            "photos": [upload()],
        },
    )
    assert response.status_code == 302
    photo = Photo.objects.get(case=case)
    assert photo.kind == Photo.Kind.ANSWER
    url = f"/cases/{case.pk}/photos/{photo.pk}/"
    assert client.get(url).status_code == 200
    client.force_login(world.grid_worker2)  # another grid
    assert client.get(url).status_code == 404
    client.force_login(world.grid_leader)
    response = client.get(url)
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == JPEG


def test_upload_of_a_non_photo_on_a_step_keeps_the_case_as_it_was(world, client):
    case = new_case(world)
    step(case, world.grid_leader, "dispatch", organisation=world.renovation)
    case = step(case, world.handler, "accept")
    client.force_login(world.handler)
    response = client.post(
        f"/cases/{case.pk}/step/",
        {"name": "answer", "version": case.version, "note": "好", "photos": [upload("x.jpg", b"GIF89a....")]},
    )
    assert response.status_code == 400
    assert "JPEG" in response.content.decode() or "照片" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == Status.ACCEPTED


def closed_case(world):
    case = new_case(world, resident=world.resident1)
    actions.add_reporter(acting_user=world.grid_leader, case=case, name="赵先生", phone="13912340000")
    step(case, world.grid_leader, "dispatch", organisation=world.renovation)
    step(case, world.handler, "accept")
    step(case, world.handler, "answer", note="已列入二期改造")
    step(case, world.grid_leader, "verify")
    return step(case, world.grid_leader, "close")


def test_every_reporter_who_asked_hears_of_dispatch_answer_and_close(world):
    case = closed_case(world)
    # resident1 has a portal account: in the app; 赵先生 has none: by SMS to the phone he gave.
    app = Message.objects.filter(recipient_user=world.resident_user, about_id=str(case.pk))
    assert sorted(app.values_list("event", flat=True)) == ["case_answered", "case_closed", "case_dispatched"]
    sms = Message.objects.filter(channel="sms", about_id=str(case.pk))
    assert sorted(sms.values_list("event", flat=True)) == ["case_answered", "case_closed", "case_dispatched"]
    assert Message.objects.filter(recipient_user=world.handler, event="case_assigned").count() == 1


def test_satisfied_call_back_is_recorded(world):
    case = closed_case(world)
    reporter = case.reporters.get(resident=world.resident1)
    actions.record_feedback(
        acting_user=world.grid_worker,
        case=case,
        reporter=reporter,
        contacted=True,
        solved=True,
        rating="satisfied",
    )
    case.refresh_from_db()
    assert case.rating == Rating.SATISFIED
    assert case.status == Status.CLOSED


def test_not_satisfied_reopens_the_case_with_their_words(world):
    case = closed_case(world)
    with pytest.raises(InvalidInput):
        actions.record_feedback(
            acting_user=world.grid_worker, case=case, reporter=None, contacted=True, rating="unsatisfied"
        )
    actions.record_feedback(
        acting_user=world.grid_worker,
        case=case,
        reporter=None,
        contacted=True,
        solved=False,
        rating="unsatisfied",
        note="晾衣杆装歪了",
    )
    case.refresh_from_db()
    assert case.status == Status.REGISTERED
    assert case.closed_at is None
    from minqing.core.models import AuditEvent

    reopen = AuditEvent.objects.get(target_id=str(case.pk), action="cases.case.reopen")
    assert "晾衣杆装歪了" in reopen.reason


def test_call_backs_only_after_closing_and_by_staff_in_scope(world):
    case = new_case(world)
    with pytest.raises(InvalidInput):
        actions.record_feedback(acting_user=world.grid_leader, case=case, reporter=None, contacted=False)
    case = closed_case(world)
    with pytest.raises(Forbidden):
        actions.record_feedback(acting_user=world.grid_worker2, case=case, reporter=None, contacted=False)


def test_call_back_page(world, client):
    case = closed_case(world)
    client.force_login(world.grid_worker)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f'action="/cases/{case.pk}/feedback/"' in page
    response = client.post(f"/cases/{case.pk}/feedback/", {"contacted": "1", "rating": "unsatisfied"})
    assert response.status_code == 400
    assert Case.objects.get(pk=case.pk).status == Status.CLOSED
    response = client.post(
        f"/cases/{case.pk}/feedback/", {"contacted": "1", "solved": "1", "rating": "basically"}
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).rating == Rating.BASICALLY


def test_capture_from_a_residents_page_links_the_household(world, client):
    client.force_login(world.grid_worker)
    page = client.get(f"/cases/new/?resident={world.resident1.pk}").content.decode()
    assert world.resident1.name in page
    response = client.post(
        "/cases/new/", {"resident": world.resident1.pk, "description": "楼道灯坏了一周", "nature": "help"}
    )
    assert response.status_code == 302
    case = Case.objects.latest("id")
    assert case.household == world.household1
    assert case.building == world.building1
    assert case.reporters.get().resident == world.resident1


def test_capture_offers_the_buildings_used_lately(world, client):
    new_case(world)
    client.force_login(world.grid_leader)
    page = client.get("/cases/new/").content.decode()
    assert f'href="?building={world.building1.pk}"' in page


def test_staff_reveal_a_reporters_phone_with_a_reason_on_the_timeline(world, client):
    from minqing.core.models import AuditEvent

    case = new_case(world, reporter_name="赵先生", reporter_phone="13912340000")
    reporter = case.reporters.get()
    client.force_login(world.grid_worker)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "139****0000" in page
    assert "13912340000" not in page
    url = f"/cases/{case.pk}/reporters/{reporter.pk}/reveal/"
    assert client.post(url, {"field": "phone", "reason": ""}).status_code == 400
    response = client.post(url, {"field": "phone", "reason": "回访"})
    assert "13912340000" in response.content.decode()
    event = AuditEvent.objects.get(action="cases.reporter.reveal.phone")
    assert event.reason == "回访"
    assert event.target_id == str(case.pk)
    client.force_login(world.grid_worker2)
    assert client.post(url, {"field": "phone", "reason": "回访"}).status_code == 404
    client.force_login(world.volunteer)
    assert client.post(url, {"field": "phone", "reason": "回访"}).status_code in (403, 404)
