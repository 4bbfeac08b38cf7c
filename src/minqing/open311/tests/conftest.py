"""An Open311 world: 热电社区 (world.community) as jurisdiction `redian.example` offering three categories,
buildings with coordinates, a client with a key, and one service with a question of every type."""

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

import pytest

from minqing.directory.models import Category
from minqing.open311 import actions
from minqing.open311.models import Client, Jurisdiction, ServiceAttribute

OFFERED = ("C09", "C19", "C23")  # rubbish, street lights, drains
# Machine clients often send no language (then answers are in Chinese, the default); the tests read English.
ENGLISH = {"Accept-Language": "en"}


@dataclass
class Open311World:
    world: object
    jurisdiction: Jurisdiction
    client: Client
    key: str
    drains: Category
    lights: Category
    private: Category  # 婚姻家庭/家暴: not offered

    def __getattr__(self, name):
        return getattr(self.world, name)


@pytest.fixture
def o311(world):
    world.building1.latitude, world.building1.longitude = Decimal("43.876000"), Decimal("125.361500")
    world.building1.address = "热电路12号"
    world.building1.save()
    world.building2.latitude, world.building2.longitude = Decimal("43.877100"), Decimal("125.362400")
    world.building2.save()
    jurisdiction = actions.save_jurisdiction(
        acting_user=world.community_admin,
        jurisdiction_id="redian.example",
        community=world.community,
        default_grid=world.grid2,
        services=Category.objects.filter(code__in=OFFERED),
    )
    client, key = actions.issue_client(
        acting_user=world.community_admin, name="随手拍 App", jurisdictions=[jurisdiction]
    )
    drains = Category.objects.get(code="C23")
    define_questions(drains)
    return Open311World(
        world=world,
        jurisdiction=jurisdiction,
        client=client,
        key=key,
        drains=drains,
        lights=Category.objects.get(code="C19"),
        private=Category.objects.get(code="C31"),
    )


def define_questions(category):
    rows = [
        ("where", "string", True, True, 1, "Where exactly?", []),
        ("since", "datetime", False, True, 2, "Since when?", []),
        ("depth", "number", False, True, 3, "How deep is the water (cm)?", []),
        ("floor", "singlevaluelist", True, True, 4, "Which floor?", [("1", "Ground floor"), ("2", "Above")]),
        (
            "smell",
            "multivaluelist",
            False,
            True,
            5,
            "What do you notice?",
            [("odour", "Smell"), ("flies", "Flies")],
        ),
        ("more", "text", False, True, 6, "Anything else?", []),
        ("note", "string", False, False, 7, "Blocked drains inside a flat are the owner's to clear.", []),
    ]
    for code, datatype, required, variable, order, description, values in rows:
        ServiceAttribute.objects.create(
            category=category,
            code=code,
            datatype=datatype,
            required=required,
            variable=variable,
            order=order,
            description=description,
            values=[{"key": k, "name": n} for k, n in values],
        )


@pytest.fixture
def post(client):
    """POST requests.{fmt} as a client would: form-encoded."""

    def _post(fmt="json", **data):
        return client.post(
            f"/open311/v2/requests.{fmt}",
            urlencode(data, doseq=True),
            content_type="application/x-www-form-urlencoded; charset=utf-8",
            headers=ENGLISH,
        )

    return _post


@pytest.fixture
def get(client):
    def _get(path, **params):
        return client.get(f"/open311/v2/{path}", params, headers=ENGLISH)

    return _get
