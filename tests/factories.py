"""Factories for tests. Registry rows are built the way the actions build them (paths, digests)."""

import datetime
import itertools
import random

import factory
from factory.django import DjangoModelFactory

from minqing.accounts.models import User
from minqing.accounts.roles import Role
from minqing.core.identity import birth_date_from_id, id_check_digit, sex_from_id
from minqing.organisations.models import Merchant, Organisation, OrganisationKind
from minqing.people.actions import apply_identity
from minqing.people.models import Resident, TagType
from minqing.places.models import Building, Household, Street
from minqing.places.tree import insert_area

_codes = itertools.count(1)


def make_id_number(
    birth: datetime.date = datetime.date(1950, 3, 7), region: str = "220105", seq: int | None = None
) -> str:
    seq = next(_codes) % 1000 if seq is None else seq
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_digit(first17)


_phones = itertools.count(13800000000 + random.randint(0, 10_000) * 100)


def make_phone() -> str:
    return str(next(_phones))


def area(kind, name, parent=None):
    return insert_area(parent=parent, kind=kind, name=name, code=f"T{next(_codes):06d}")


class BuildingFactory(DjangoModelFactory):
    class Meta:
        model = Building

    code = factory.Sequence(lambda n: f"B{n:05d}")
    name = factory.Sequence(lambda n: f"{n + 1}号楼")
    year_built = 1984


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household

    building = factory.SubFactory(BuildingFactory)
    area = factory.SelfAttribute("building.area")
    room = factory.Sequence(lambda n: f"{101 + n}")
    code = factory.Sequence(lambda n: f"H{n:06d}")


class ResidentFactory(DjangoModelFactory):
    class Meta:
        model = Resident

    name = factory.Sequence(lambda n: f"居民{n}")
    household = None
    area = factory.LazyAttribute(lambda o: o.household.area if o.household else None)
    sex = "F"
    birth_date = datetime.date(1950, 3, 7)

    @classmethod
    def _create(cls, model_class, *args, phone="", id_number="", **kwargs):
        if id_number:  # the ID number carries the birth date and sex
            kwargs["birth_date"], kwargs["sex"] = birth_date_from_id(id_number), sex_from_id(id_number)
        resident = model_class(**kwargs)
        apply_identity(resident, phone=phone, id_number=id_number)
        resident.save()
        return resident


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"机构{n}")
    kind = OrganisationKind.DEPARTMENT
    service_phone = "12345"


class MerchantFactory(DjangoModelFactory):
    class Meta:
        model = Merchant

    name = factory.Sequence(lambda n: f"商户{n}")
    category = "餐饮"


class StreetFactory(DjangoModelFactory):
    class Meta:
        model = Street

    name = factory.Sequence(lambda n: f"街{n}")
    code = factory.Sequence(lambda n: f"S{n:05d}")


class TagTypeFactory(DjangoModelFactory):
    class Meta:
        model = TagType
        django_get_or_create = ("code",)

    name = factory.LazyAttribute(lambda o: o.code)
    code = factory.Sequence(lambda n: f"tag{n}")


def user(role: str, *areas, organisation=None, resident=None, username=None) -> User:
    account = User.objects.create_user(
        username=username or f"{role}{next(_codes)}",
        password="pw-for-tests-only",
        role=role,
        organisation=organisation,
        resident=resident,
        first_name=role,
    )
    account.areas.set(areas)
    return account


class World:
    """Two grids of one community, a second community, and one account per role.

    district → street office → 热电社区 (grid1, grid2) and 阙里社区 (grid3)
    """

    def __init__(self):
        self.district = area("district", "二道区")
        self.street = area("street_office", "吉林街道", self.district)
        self.community = area("community", "热电社区", self.street)
        self.grid1 = area("grid", "第一网格", self.community)
        self.grid2 = area("grid", "第二网格", self.community)
        self.other_community = area("community", "阙里社区", self.street)
        self.grid3 = area("grid", "阙里第一网格", self.other_community)

        self.renovation = OrganisationFactory(name="二道区旧改办", short_name="旧改办")
        self.renovation.areas.set([self.district])
        self.property = OrganisationFactory(
            name="热电物业公司", short_name="物业", kind=OrganisationKind.PROPERTY
        )
        self.property.areas.set([self.community])

        self.building1 = BuildingFactory(area=self.grid1, name="3号楼", water_pipe_year=1985)
        self.building2 = BuildingFactory(area=self.grid2, name="7号楼")
        self.building3 = BuildingFactory(area=self.grid3, name="阙里1号楼")
        self.household1 = HouseholdFactory(building=self.building1, room="301")
        self.household2 = HouseholdFactory(building=self.building2, room="502")
        self.household3 = HouseholdFactory(building=self.building3, room="101")
        self.phone1 = "13912345678"
        self.id1 = make_id_number(datetime.date(1948, 5, 1), seq=123)
        self.resident1 = ResidentFactory(
            name="王秀兰", household=self.household1, phone=self.phone1, id_number=self.id1
        )
        self.resident2 = ResidentFactory(name="李建国", household=self.household2, phone="13987654321")
        self.resident3 = ResidentFactory(name="孔繁华", household=self.household3, phone="13700001111")
        self.sensitive_tag = TagTypeFactory(code="dibao", name="低保", sensitive=True)
        self.plain_tag = TagTypeFactory(code="party", name="党员")
        self.street_row = StreetFactory(community=self.other_community, name="五马祠街")
        self.merchant = MerchantFactory(area=self.grid3, street=self.street_row, name="孔府面馆")

        self.grid_worker = user(Role.GRID_WORKER, self.grid1, username="gw1")
        self.grid_worker2 = user(Role.GRID_WORKER, self.grid2, username="gw2")
        self.grid_leader = user(Role.GRID_LEADER, self.grid1, self.grid2, username="gl")
        self.community_admin = user(Role.COMMUNITY_ADMIN, self.community, username="ca")
        self.street_officer = user(Role.STREET_OFFICER, self.street, username="so")
        self.handler = user(Role.ORG_HANDLER, organisation=self.renovation, username="handler")
        self.volunteer = user(Role.VOLUNTEER, username="vol")
        self.resident_user = user(Role.RESIDENT, resident=self.resident1, username="res")
        self.other_admin = user(Role.COMMUNITY_ADMIN, self.other_community, username="ca2")

    def by_role(self):
        return {
            "grid_worker": self.grid_worker,
            "grid_leader": self.grid_leader,
            "community_admin": self.community_admin,
            "street_officer": self.street_officer,
            "org_handler": self.handler,
            "volunteer": self.volunteer,
            "resident": self.resident_user,
        }
