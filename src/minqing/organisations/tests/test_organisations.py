from minqing.core.models import AuditEvent
from minqing.organisations.models import Contact, Merchant, Organisation
from tests.factories import MerchantFactory


def test_merchant_phone_is_masked_and_revealed_with_a_reason(world, client):
    from minqing.core import crypto

    Merchant.objects.filter(pk=world.merchant.pk).update(contact_phone="13655556666")
    Merchant.objects.filter(pk=world.merchant.pk).update(contact_phone_digest=crypto.digest("13655556666"))
    client.force_login(world.street_officer)
    body = client.get(f"/organisations/merchants/{world.merchant.pk}/").content.decode()
    assert "136****6666" in body
    assert "13655556666" not in body
    response = client.post(
        f"/organisations/merchants/{world.merchant.pk}/reveal/",
        {"field": "contact_phone", "reason": "诚信街评议联系"},
    )
    assert "13655556666" in response.content.decode()
    assert AuditEvent.objects.filter(action="organisations.merchant.reveal.contact_phone").count() == 1


def test_merchant_credit_code_is_checked(world, client):
    client.force_login(world.other_admin)
    response = client.post(
        "/organisations/merchants/new/",
        {
            "name": "新开茶馆",
            "area": world.grid3.pk,
            "street": world.street_row.pk,
            "credit_code": "91370881MA3C5X8Y0Z",
            "status": "open",
        },
    )
    assert response.status_code == 200
    assert not Merchant.objects.filter(name="新开茶馆").exists()


def test_merchant_created_with_encrypted_phone(world, client):
    from django.db import connection

    client.force_login(world.other_admin)
    response = client.post(
        "/organisations/merchants/new/",
        {
            "name": "新开茶馆",
            "area": world.grid3.pk,
            "street": world.street_row.pk,
            "contact_phone": "13655557777",
            "status": "open",
            "category": "餐饮",
        },
    )
    assert response.status_code == 302
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_phone FROM organisations_merchant WHERE name = %s", ["新开茶馆"])
        assert "13655557777" not in cursor.fetchone()[0]


def test_merchant_outside_scope_cannot_be_created(world, client):
    client.force_login(world.community_admin)  # 热电, not 阙里
    response = client.post(
        "/organisations/merchants/new/", {"name": "越界商户", "area": world.grid3.pk, "status": "open"}
    )
    assert response.status_code == 200  # the grid is not offered: the form says the choice is invalid
    assert not Merchant.objects.filter(name="越界商户").exists()


def test_organisation_with_contacts(world, client):
    client.force_login(world.community_admin)
    response = client.post(
        "/organisations/new/",
        {
            "name": "热电供热公司",
            "kind": "utility",
            "service_phone": "96333",
            "areas": [world.community.pk],
        },
    )
    assert response.status_code == 302
    org = Organisation.objects.get(name="热电供热公司")
    response = client.post(
        f"/organisations/{org.pk}/contacts/new/",
        {"name": "刘师傅", "title": "维修班长", "phone": "0431-88886666"},
    )
    assert response.status_code == 302
    assert Contact.objects.get(organisation=org).phone == "043188886666"
    body = client.get(f"/organisations/{org.pk}/").content.decode()
    assert "刘师傅" in body
    # the service phone must look like a phone number or hotline
    response = client.post(
        f"/organisations/{org.pk}/edit/",
        {"version": org.version, "name": org.name, "kind": "utility", "service_phone": "call us"},
    )
    assert response.status_code == 200
    org.refresh_from_db()
    assert org.service_phone == "96333"


def test_handler_cannot_edit_organisations(world, client):
    client.force_login(world.handler)
    response = client.post(
        f"/organisations/{world.renovation.pk}/edit/", {"name": "改名", "kind": "department"}
    )
    assert response.status_code == 403
    world.renovation.refresh_from_db()
    assert world.renovation.name == "二道区旧改办"


def test_merchants_listed_by_street(world, client):
    MerchantFactory(area=world.grid3, name="东门茶社")
    client.force_login(world.other_admin)
    body = client.get("/organisations/merchants/", {"street": world.street_row.pk}).content.decode()
    assert "孔府面馆" in body
    assert "东门茶社" not in body
