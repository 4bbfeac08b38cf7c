"""The demo's Open311 key: issued from MINQING_DEMO_OPEN311_KEY for the demo communities, idempotently."""

import pytest
from django.core.management import CommandError, call_command

from minqing.core.errors import InvalidInput
from minqing.open311 import actions
from minqing.open311.models import Client, Jurisdiction

pytestmark = pytest.mark.django_db


def test_nothing_without_a_key(world, settings, monkeypatch):
    settings.MINQING_DEMO_OPEN311_KEY = ""
    assert actions.ensure_demo_client() is None
    assert not Client.objects.exists()
    with pytest.raises(CommandError):
        call_command("open311_demo_key")


def test_the_key_from_settings_posts_to_every_community(world, settings, client):
    settings.MINQING_DEMO_OPEN311_KEY = "demo-open311-key"
    demo = actions.ensure_demo_client()
    assert demo.name == "Demo client"
    ids = sorted(j.jurisdiction_id for j in demo.jurisdictions.all())
    assert ids == sorted(Jurisdiction.objects.values_list("jurisdiction_id", flat=True))
    assert len(ids) == 2  # 热电社区 and 阙里社区
    redian = Jurisdiction.objects.get(community=world.community)
    assert redian.jurisdiction_id == world.community.code.lower()
    assert redian.default_grid == world.grid1
    assert redian.services.filter(code="C23").exists()
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": "demo-open311-key",
            "jurisdiction_id": redian.jurisdiction_id,
            "service_code": "C23",
            "address_string": "热电路",
        },
    )
    assert response.status_code == 200
    # Again (a second seed, a restart): the same client, nothing duplicated.
    assert actions.ensure_demo_client() == demo
    assert Client.objects.count() == 1
    assert Jurisdiction.objects.count() == 2


def test_the_command_and_a_revoked_demo_key(world, settings):
    settings.MINQING_DEMO_OPEN311_KEY = ""
    call_command("open311_demo_key", "--key", "another-demo-key")
    demo = Client.objects.get()
    demo.active = False
    demo.save()
    actions.ensure_demo_client(key="another-demo-key", communities=[world.community])
    demo.refresh_from_db()
    assert demo.active


def test_never_in_production(world, settings):
    settings.ENV = "production"
    with pytest.raises(InvalidInput):
        actions.ensure_demo_client(key="demo-open311-key")
