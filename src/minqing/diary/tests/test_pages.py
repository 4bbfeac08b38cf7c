"""The diary through its pages, on a phone: write, find again, edit without losing words, turn into a case."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from minqing.cases.models import Case
from minqing.core.models import AuditEvent
from minqing.diary import actions
from minqing.diary.models import Entry

ONE_CHARACTER = "Search with words of two characters or more."


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def note(world, text, user=None, **subject):
    return actions.write_entry(acting_user=user or world.grid_worker, text=text, **subject)


def body(response) -> str:
    return response.content.decode()


# Writing


def test_a_quick_note_from_the_diary_page(world, client):
    client.force_login(world.grid_worker)
    page = body(client.get("/diary/"))
    assert f'value="building:{world.building1.pk}"' in page
    assert f'value="grid:{world.grid1.pk}"' in page
    assert f'value="building:{world.building2.pk}"' not in page  # another grid's building is not offered
    response = client.post(
        "/diary/new/", {"text": "三楼楼道灯坏了一周", "subject": f"building:{world.building1.pk}"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/diary/"
    entry = Entry.objects.get()
    assert (entry.building, entry.area, entry.author) == (world.building1, world.grid1, world.grid_worker)
    assert "三楼楼道灯坏了一周" in results(client.get("/diary/"))


def test_a_note_from_the_residents_page_goes_back_there(world, client):
    client.force_login(world.grid_worker)
    resident_page = body(client.get(f"/people/residents/{world.resident1.pk}/"))
    assert f"/diary/new/?resident={world.resident1.pk}" in resident_page
    form = body(client.get(f"/diary/new/?resident={world.resident1.pk}"))
    assert f'value="resident:{world.resident1.pk}" selected' in form
    response = client.post(
        "/diary/new/",
        {"text": "王大爷说家里暖气不热", "subject": f"resident:{world.resident1.pk}", "back": "True"},
    )
    assert response["Location"] == f"/people/residents/{world.resident1.pk}/"
    assert "王大爷说家里暖气不热" in body(client.get(response["Location"]))


def test_notes_show_on_building_and_merchant_pages(world, client):
    note(world, "3号楼楼顶漏水", building=world.building1)
    note(world, "面馆门口占道经营", user=world.other_admin, merchant=world.merchant)
    client.force_login(world.grid_worker)
    assert "3号楼楼顶漏水" in body(client.get(f"/places/buildings/{world.building1.pk}/"))
    client.force_login(world.other_admin)
    page = body(client.get(f"/organisations/merchants/{world.merchant.pk}/"))
    assert "面馆门口占道经营" in page
    assert f"/diary/new/?merchant={world.merchant.pk}" in page


def test_a_subject_outside_ones_grid_is_refused(world, client):
    client.force_login(world.grid_worker)
    assert client.get(f"/diary/new/?resident={world.resident2.pk}").status_code == 404
    assert client.get("/diary/new/?resident=abc").status_code == 404
    response = client.post("/diary/new/", {"text": "越界", "subject": f"building:{world.building2.pk}"})
    assert response.status_code == 200
    assert "Choose whom or what the note is about." in body(response)
    response = client.post("/diary/new/", {"text": "", "subject": f"building:{world.building1.pk}"})
    assert response.status_code == 200
    assert not Entry.objects.exists()


def test_find_the_subject_keeps_what_was_typed(world, client):
    client.force_login(world.grid_worker)
    response = client.post(
        "/diary/new/", {"action": "find", "find": "王秀兰", "text": "说楼下漏水", "subject": ""}
    )
    page = body(response)
    assert f'value="resident:{world.resident1.pk}" selected' in page
    assert "说楼下漏水" in page
    assert not Entry.objects.exists()
    # Without a page load: the select again, with what was found first.
    fragment = body(client.get("/diary/subjects/?find=3号楼", headers={"HX-Request": "true"}))
    assert fragment.lstrip().startswith('<div id="diary-subject"')
    assert f'value="building:{world.building1.pk}" selected' in fragment
    fragment = body(client.get("/diary/subjects/?find=李建国"))  # another grid's resident
    assert f"resident:{world.resident2.pk}" not in fragment


# Editing


def test_the_author_edits_a_note(world, client):
    entry = note(world, "楼道灯坏了", building=world.building1)
    client.force_login(world.grid_worker)
    response = client.post(
        f"/diary/{entry.pk}/", {"text": "楼道灯坏了一周", "occurred_on": entry.occurred_on, "version": 1}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.text, entry.version) == ("楼道灯坏了一周", 2)


def test_a_concurrent_edit_keeps_the_second_persons_words_and_says_so(world, client):
    entry = note(world, "原文", building=world.building1)
    day = entry.occurred_on.isoformat()
    client.force_login(world.grid_worker)
    client.post(f"/diary/{entry.pk}/", {"text": "先存的", "occurred_on": day, "version": 1})
    client.force_login(world.community_admin)
    response = client.post(
        f"/diary/{entry.pk}/", {"text": "后存的，不能丢", "occurred_on": day, "version": 1}
    )
    assert response.status_code == 200
    page = body(response)
    assert "Someone else saved this record while you were editing" in page
    assert "后存的，不能丢" in page  # the user's words are still in the form
    assert 'name="version" value="2"' in page  # saving again is a deliberate choice on the latest version
    entry.refresh_from_db()
    assert (entry.text, entry.version) == ("先存的", 2)


def test_only_the_author_or_a_community_admin_may_edit(world, client):
    entry = note(world, "楼道灯坏了", building=world.building1)
    client.force_login(world.grid_leader)
    page = body(client.get(f"/diary/{entry.pk}/"))
    assert "楼道灯坏了" in page
    assert 'name="version"' not in page
    response = client.post(f"/diary/{entry.pk}/", {"text": "改", "occurred_on": "2026-01-01", "version": 1})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert (entry.text, entry.version) == ("楼道灯坏了", 1)


# Searching


@pytest.fixture
def diary(world):
    return {
        "light": note(world, "三楼楼道灯坏了一周", building=world.building1),
        "drain": note(world, "说下水道堵了", resident=world.resident1),
        "cats": note(world, "野猫多", area=world.grid1),
        "grid2": note(world, "七号楼楼道灯也坏了", user=world.grid_worker2, building=world.building2),
    }


def results(response) -> str:
    """The results part of the diary page (the quick form above it has an example note as placeholder)."""
    assert response.status_code == 200
    return body(response).split('id="diary-results"')[1]


def search(client, query):
    return results(client.get("/diary/", {"q": query}))


def test_search_by_two_character_words_all_of_which_must_match(world, client, diary):
    client.force_login(world.grid_worker)
    page = search(client, "楼道")
    assert "三楼楼道灯坏了一周" in page
    assert "说下水道堵了" not in page
    page = search(client, "楼道 一周")
    assert "三楼楼道灯坏了一周" in page
    page = search(client, "楼道 堵了")
    assert "三楼楼道灯坏了一周" not in page
    assert "说下水道堵了" not in page
    assert "No note matches these words." in page


def test_a_one_character_word_says_so_and_finds_nothing(world, client, diary):
    client.force_login(world.grid_worker)
    for query in ("楼", "楼道 灯"):
        page = search(client, query)
        assert ONE_CHARACTER in page
        assert "三楼楼道灯坏了一周" not in page


def test_search_matches_the_subjects_name(world, client, diary):
    client.force_login(world.grid_worker)
    page = search(client, "王秀兰")  # not in the note's words: the resident it is about
    assert "说下水道堵了" in page
    assert "三楼楼道灯坏了一周" not in page
    page = search(client, "3号楼 一周")
    assert "三楼楼道灯坏了一周" in page


def test_search_is_scoped(world, client, diary):
    client.force_login(world.grid_worker)
    assert "七号楼楼道灯也坏了" not in search(client, "楼道")
    assert "七号楼楼道灯也坏了" not in search(client, "")
    client.force_login(world.grid_leader)
    page = search(client, "楼道")
    assert "七号楼楼道灯也坏了" in page
    assert "三楼楼道灯坏了一周" in page
    client.force_login(world.other_admin)
    assert "楼道" not in search(client, "楼道")


def test_notes_about_one_subject(world, client, diary):
    client.force_login(world.grid_worker)
    page = results(client.get(f"/diary/?resident={world.resident1.pk}"))
    assert "说下水道堵了" in page
    assert "三楼楼道灯坏了一周" not in page
    assert client.get(f"/diary/?building={world.building2.pk}").status_code == 404


def test_live_search_answers_with_the_results_only(world, client, diary):
    client.force_login(world.grid_worker)
    response = client.get("/diary/", {"q": "楼道"}, headers={"HX-Request": "true"})
    page = body(response)
    assert "三楼楼道灯坏了一周" in page
    assert "<html" not in page


# Turning a note into a case


def test_turn_a_note_into_a_case_with_one_tap_once(world, client):
    entry = note(world, "王大爷说三楼楼道灯坏了一周", resident=world.resident1)
    client.force_login(world.grid_worker)
    assert "Turn into a case" in body(client.get(f"/diary/{entry.pk}/"))
    response = client.post(f"/diary/{entry.pk}/to-case/")
    case = Case.objects.get()
    assert response["Location"] == f"/cases/{case.pk}/"
    assert (case.household, case.channel) == (world.household1, "visit")
    page = body(client.get(f"/diary/{entry.pk}/"))
    assert f"/cases/{case.pk}/" in page
    assert case.reference in page
    assert f"/diary/{entry.pk}/to-case/" not in page  # a link to the case instead of the button

    response = client.post(f"/diary/{entry.pk}/to-case/", follow=True)
    assert response.redirect_chain[-1][0] == f"/diary/{entry.pk}/"
    assert "already case" in body(response)
    assert case.reference in body(response)
    assert Case.objects.count() == 1
    assert AuditEvent.objects.filter(action="diary.entry.to_case").count() == 1


# Who may do what

PAGES = [
    ("get", "/diary/"),
    ("get", "/diary/new/"),
    ("get", "/diary/subjects/?find=3号楼"),
    ("get", "/diary/{pk}/"),
    ("post", "/diary/new/"),
    ("post", "/diary/{pk}/"),
    ("post", "/diary/{pk}/to-case/"),
]


def _post_data(world, url, entry):
    if url == "/diary/new/":
        return {"text": "一条新的", "subject": f"building:{world.building1.pk}"}
    if url == "/diary/{pk}/":
        return {"text": "改过的", "occurred_on": entry.occurred_on.isoformat(), "version": entry.version}
    return {}


@pytest.mark.parametrize(("method", "url"), PAGES)
@pytest.mark.parametrize("role", ["org_handler", "volunteer", "resident"])
def test_others_than_staff_are_refused_and_nothing_changes(world, client, role, method, url):
    entry = note(world, "原文", building=world.building1)
    client.force_login(world.by_role()[role])
    response = getattr(client, method)(url.format(pk=entry.pk), _post_data(world, url, entry))
    assert response.status_code == 403
    entry.refresh_from_db()
    assert (Entry.objects.count(), entry.text, entry.case) == (1, "原文", None)


@pytest.mark.parametrize(("method", "url"), PAGES)
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("grid_worker", {"get": 200, "post": 302}),  # the author
        ("grid_leader", {"get": 200, "post": 302}),
        ("community_admin", {"get": 200, "post": 302}),
        ("street_officer", {"get": 200, "post": 302}),
    ],
)
def test_staff_over_the_grid_use_every_page(world, client, role, expected, method, url):
    entry = note(world, "原文", building=world.building1)
    client.force_login(world.by_role()[role])
    response = getattr(client, method)(url.format(pk=entry.pk), _post_data(world, url, entry))
    if role in ("grid_leader", "street_officer") and (method, url) == ("post", "/diary/{pk}/"):
        assert response.status_code == 403  # not the author, not a community admin
    else:
        assert response.status_code == expected[method]


@pytest.mark.parametrize(("method", "url"), [(m, u) for m, u in PAGES if "{pk}" in u])
@pytest.mark.parametrize("username", ["grid_worker2", "other_admin"])
def test_another_grids_note_is_not_found_by_url(world, client, username, method, url):
    entry = note(world, "原文", building=world.building1)
    client.force_login(getattr(world, username))
    response = getattr(client, method)(url.format(pk=entry.pk), _post_data(world, url, entry))
    assert response.status_code == 404
    entry.refresh_from_db()
    assert (entry.text, entry.case) == ("原文", None)
    assert not Case.objects.exists()


def test_anonymous_is_sent_to_login(world, client):
    entry = note(world, "原文", building=world.building1)
    for url in ("/diary/", "/diary/new/", f"/diary/{entry.pk}/"):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]


# Queries


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_runs_a_constant_number_of_queries(world, client):
    client.force_login(world.community_admin)
    note(world, "楼道灯坏了", building=world.building1)
    before = _count(client, "/diary/"), _count(client, "/diary/?q=楼道")
    for i in range(8):
        note(world, f"楼道第{i}条", resident=world.resident1)
        note(world, f"楼道网格{i}", user=world.grid_worker2, area=world.grid2)
        entry = note(world, f"楼道第{i}栋", user=world.grid_worker2, building=world.building2)
        if i % 2:
            actions.turn_into_case(acting_user=world.grid_worker2, entry=entry)
    assert (_count(client, "/diary/"), _count(client, "/diary/?q=楼道")) == before
    assert "楼道第7条" in results(client.get("/diary/?q=楼道"))


def test_subject_pages_add_no_query_per_note(world, client):
    client.force_login(world.grid_worker)
    note(world, "第一条", resident=world.resident1)
    before = _count(client, f"/people/residents/{world.resident1.pk}/")
    for i in range(6):
        entry = note(world, f"第{i}条", resident=world.resident1)
        if i % 2:
            actions.turn_into_case(acting_user=world.grid_worker, entry=entry)
    # The resident's page grows by the audit of the cases, not by the notes: compare with the notes alone.
    after = _count(client, f"/people/residents/{world.resident1.pk}/")
    assert after == before
