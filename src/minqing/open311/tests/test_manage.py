"""The staff pages: community admins and street officers set up jurisdictions, choose the categories offered,
issue and revoke keys, each within their own communities and audited."""

import re
from urllib.parse import urlencode

import pytest

from minqing.core.errors import InvalidInput
from minqing.core.models import AuditEvent
from minqing.directory.models import Category
from minqing.open311 import actions
from minqing.open311.models import Client, Jurisdiction

from .helpers import VALID_ANSWERS

pytestmark = pytest.mark.django_db


def post_request(client, key, jurisdiction_id="redian.example"):
    return client.post(
        "/open311/v2/requests.json",
        urlencode(
            {
                **VALID_ANSWERS,
                "api_key": key,
                "jurisdiction_id": jurisdiction_id,
                "service_code": "C23",
                "address_string": "x",
            }
        ),
        content_type="application/x-www-form-urlencoded",
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("grid_worker", 403),
        ("grid_leader", 403),
        ("org_handler", 403),
        ("resident", 403),
        ("community_admin", 200),
        ("street_officer", 200),
    ],
)
def test_who_may_manage(o311, login, role, status):
    client = login(o311.by_role()[role])
    assert client.get("/open311/v2/manage/").status_code == status
    assert client.get("/open311/v2/manage/clients/new/").status_code == status


def test_a_community_admin_sees_only_her_communities(o311, login):
    page = login(o311.other_admin).get("/open311/v2/manage/").content.decode()
    assert "redian.example" not in page
    assert "随手拍" not in page
    client = login(o311.other_admin)
    assert client.get(f"/open311/v2/manage/jurisdictions/{o311.jurisdiction.pk}/").status_code == 404
    assert client.post(f"/open311/v2/manage/clients/{o311.client.pk}/revoke/").status_code == 404
    page = login(o311.community_admin).get("/open311/v2/manage/").content.decode()
    assert "redian.example" in page
    assert "随手拍" in page


def test_setting_up_a_community(o311, login):
    client = login(o311.other_admin)
    lights = Category.objects.get(code="C19")
    response = client.post(
        "/open311/v2/manage/jurisdictions/new/",
        {
            "jurisdiction_id": "Queli.Example",
            "community": o311.other_community.pk,
            "default_grid": o311.grid3.pk,
            "services": [lights.pk],
            "active": "on",
            "version": 1,
        },
    )
    assert response.status_code == 302
    jurisdiction = Jurisdiction.objects.get(community=o311.other_community)
    assert jurisdiction.jurisdiction_id == "queli.example"
    assert list(jurisdiction.services.all()) == [lights]
    event = AuditEvent.objects.get(action="open311.jurisdiction.create", target_id=str(jurisdiction.pk))
    assert event.actor == o311.other_admin
    assert event.area_path == o311.other_community.path


def test_another_communitys_grid_or_community_is_refused(o311, login):
    client = login(o311.other_admin)
    response = client.post(
        "/open311/v2/manage/jurisdictions/new/",
        {
            "jurisdiction_id": "x.example",
            "community": o311.community.pk,
            "default_grid": o311.grid3.pk,
            "version": 1,
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert not Jurisdiction.objects.filter(jurisdiction_id="x.example").exists()
    with pytest.raises(InvalidInput):
        actions.save_jurisdiction(
            acting_user=o311.street_officer,
            jurisdiction_id="x.example",
            community=o311.other_community,
            default_grid=o311.grid1,
            services=[],
        )


def test_choosing_the_categories_offered(o311, login, get):
    client = login(o311.community_admin)
    edit = f"/open311/v2/manage/jurisdictions/{o311.jurisdiction.pk}/"
    assert client.get(edit).status_code == 200
    rubbish = Category.objects.get(code="C09")
    response = client.post(
        edit,
        {
            "jurisdiction_id": "redian.example",
            "default_grid": o311.grid1.pk,
            "services": [rubbish.pk],
            "active": "on",
            "version": o311.jurisdiction.version,
        },
    )
    assert response.status_code == 302
    codes = [s["service_code"] for s in get("services.json", jurisdiction_id="redian.example").json()]
    assert codes == ["C09"]
    event = AuditEvent.objects.get(action="open311.jurisdiction.update")
    assert event.changes["services"] == [["C09", "C19", "C23"], ["C09"]]
    # Someone saved meanwhile: the stale form saves nothing and says so.
    response = client.post(
        edit,
        {
            "jurisdiction_id": "redian.example",
            "default_grid": o311.grid1.pk,
            "services": [],
            "version": o311.jurisdiction.version,
        },
    )
    assert response.status_code == 200
    assert Jurisdiction.objects.get(pk=o311.jurisdiction.pk).services.count() == 1


def test_issuing_a_key_shows_it_once_and_it_works(o311, login, client):
    staff = login(o311.community_admin)
    response = staff.post(
        "/open311/v2/manage/clients/new/", {"name": "市民通", "jurisdictions": [o311.jurisdiction.pk]}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    key = re.search(r'<code class="revealed">([^<]+)</code>', response.content.decode()).group(1)
    issued = Client.objects.get(name="市民通")
    assert issued.key_prefix == key[:8]
    assert key not in repr(Client.objects.filter(pk=issued.pk).values().get())
    assert key not in staff.get("/open311/v2/manage/").content.decode()
    assert AuditEvent.objects.filter(action="open311.client.issue", target_id=str(issued.pk)).exists()
    staff.logout()
    assert post_request(client, key).status_code == 200


def test_revoking_a_key(o311, login, client):
    staff = login(o311.community_admin)
    response = staff.post(f"/open311/v2/manage/clients/{o311.client.pk}/revoke/")
    assert response.status_code == 302
    o311.client.refresh_from_db()
    assert not o311.client.active
    assert o311.client.revoked_by == o311.community_admin
    assert AuditEvent.objects.filter(action="open311.client.revoke").count() == 1
    staff.logout()
    assert post_request(client, o311.key).status_code == 403


def test_a_key_shared_with_another_community_is_revoked_only_by_someone_over_both(o311, login):
    queli = actions.save_jurisdiction(
        acting_user=o311.street_officer,
        jurisdiction_id="queli.example",
        community=o311.other_community,
        default_grid=o311.grid3,
        services=[],
    )
    shared, _key = actions.issue_client(
        acting_user=o311.street_officer, name="区级平台", jurisdictions=[o311.jurisdiction, queli]
    )
    login(o311.community_admin).post(f"/open311/v2/manage/clients/{shared.pk}/revoke/")
    shared.refresh_from_db()
    assert shared.active
    login(o311.street_officer).post(f"/open311/v2/manage/clients/{shared.pk}/revoke/")
    shared.refresh_from_db()
    assert not shared.active


def test_a_key_is_issued_only_for_ones_own_jurisdictions(o311, login):
    queli = actions.save_jurisdiction(
        acting_user=o311.street_officer,
        jurisdiction_id="queli.example",
        community=o311.other_community,
        default_grid=o311.grid3,
        services=[],
    )
    response = login(o311.community_admin).post(
        "/open311/v2/manage/clients/new/", {"name": "越权", "jurisdictions": [queli.pk]}
    )
    assert response.status_code == 200
    assert not Client.objects.filter(name="越权").exists()


def test_the_django_admin_lists_everything(o311, login):
    from tests.factories import user

    admin = user("street_officer", username="root")
    admin.is_superuser = admin.is_staff = True
    admin.save()
    client = login(admin)
    for model in ("jurisdiction", "client", "serviceattribute", "submission"):
        assert client.get(f"/admin/open311/{model}/").status_code == 200, model
    assert client.get(f"/admin/open311/client/{o311.client.pk}/change/").status_code == 200
    response = client.post(
        "/admin/open311/client/", {"action": "revoke", "_selected_action": [o311.client.pk]}
    )
    assert response.status_code == 302
    o311.client.refresh_from_db()
    assert not o311.client.active
