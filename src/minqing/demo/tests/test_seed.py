"""The demo seed: the field-study places, plausible and lawful people data, and the login accounts."""

import datetime
import re

import pytest
from django.db import connection, transaction
from django.utils import timezone

from minqing.accounts.models import User
from minqing.accounts.roles import Role
from minqing.core import crypto
from minqing.core.errors import InvalidInput
from minqing.core.identity import (
    birth_date_from_id,
    sex_from_id,
    validate_credit_code,
    validate_id_number,
    validate_phone,
)
from minqing.core.models import AuditEvent
from minqing.demo.seed import USERNAMES, DemoAlreadySeeded, format_accounts, seed
from minqing.organisations.models import Contact, Merchant, Organisation, OrganisationKind
from minqing.people.models import Resident, ResidentStatus, ResidentTag, StatusChange, TagType
from minqing.places.models import Area, AreaKind, Building, Household, Street

SCALE = 0.05
PASSWORD = "demo-pass-for-tests"


@pytest.fixture
def accounts(db):
    return seed(scale=SCALE, password=PASSWORD)


def _age(birth: datetime.date, today: datetime.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def _chain(code: str) -> list[tuple[str, str]]:
    area = Area.objects.get(code=code)
    chain = []
    while area is not None:
        chain.append((area.kind, area.name))
        area = area.parent
    return chain[::-1]


def test_the_three_communities_sit_in_their_real_hierarchy(accounts):
    assert _chain("220105-JL-RD") == [
        (AreaKind.DISTRICT, "二道区"),
        (AreaKind.STREET_OFFICE, "吉林街道"),
        (AreaKind.COMMUNITY, "热电社区"),
    ]
    assert _chain("370881-LC-QL") == [
        (AreaKind.DISTRICT, "曲阜市"),
        (AreaKind.STREET_OFFICE, "鲁城街道"),
        (AreaKind.COMMUNITY, "阙里社区"),
    ]
    kongmu_chain = _chain("360502-CB-KMJ")
    assert kongmu_chain[0] == (AreaKind.DISTRICT, "渝水区")
    assert kongmu_chain[1][0] == AreaKind.STREET_OFFICE
    assert kongmu_chain[2] == (AreaKind.COMMUNITY, "孔目江社区")

    redian = Area.objects.get(code="220105-JL-RD")
    assert 5 <= redian.children.filter(kind=AreaKind.GRID).count() <= 6
    for code in ("370881-LC-QL", "360502-CB-KMJ"):
        assert Area.objects.get(code=code).children.filter(kind=AreaKind.GRID).count() >= 3
    assert not Area.objects.filter(city="").exists()
    # Paths are those the tree code writes.
    for area in Area.objects.all():
        expected = f"{area.parent.path if area.parent else '/'}{area.pk}/"
        assert area.path == expected


def test_redian_is_an_old_estate_under_renovation(accounts):
    buildings = Building.objects.filter(area__parent__code="220105-JL-RD")
    assert buildings.count() >= 20
    for building in buildings:
        assert 1980 <= building.year_built <= 1989
        assert 5 <= building.floors <= 7
        assert building.has_elevator is False
        assert building.water_pipe_year
        assert building.sewer_pipe_year
        assert building.property_company.short_name == "物业"
    assert {b.renovation_status for b in buildings} >= {"done", "in_progress", "planned"}
    assert buildings.filter(drain_type="combined").count() > buildings.count() / 2
    assert {b.ground_floor_own_drain for b in buildings} >= {True, False}

    building3 = buildings.get(name="3号楼")
    assert building3.extra_facts["晾衣杆"] == "未安装"
    assert all(b.extra_facts["晾衣杆"] == "已安装" for b in buildings.exclude(pk=building3.pk))
    assert building3.building_leader is not None
    assert building3.building_leader.household.building == building3
    assert Household.objects.filter(building=building3, unit__name="2单元", room="301").exists()


def test_redian_has_more_than_22_percent_aged_60_or_over(accounts):
    today = timezone.localdate()
    births = list(
        Resident.objects.filter(
            area__path__startswith=Area.objects.get(code="220105-JL-RD").path, status=ResidentStatus.ACTIVE
        ).values_list("birth_date", flat=True)
    )
    assert len(births) >= round(2500 * SCALE) * 0.9
    elderly = sum(1 for birth in births if _age(birth, today) >= 60)
    assert elderly / len(births) > 0.22


def test_every_id_number_is_valid_and_matches_birth_date_and_sex(accounts):
    residents = list(Resident.objects.all())
    assert len(residents) >= (2500 + 1200 + 1500) * SCALE * 0.9
    regions = {"220105-JL-RD": "220105", "370881-LC-QL": "370881", "360502-CB-KMJ": "360502"}
    community_of = {
        area.pk: area.parent.code for area in Area.objects.filter(kind=AreaKind.GRID).select_related("parent")
    }
    for resident in residents:
        assert validate_id_number(resident.id_number) == resident.id_number
        assert birth_date_from_id(resident.id_number) == resident.birth_date
        assert sex_from_id(resident.id_number) == resident.sex
        assert resident.id_number.startswith(regions[community_of[resident.area_id]])
        assert resident.id_digest == crypto.digest(resident.id_number)
        if resident.phone:
            assert validate_phone(resident.phone) == resident.phone
            assert re.fullmatch(r"1[3-9]\d{9}", resident.phone)
            assert resident.phone_digest == crypto.digest(resident.phone)
        assert resident.area_id == resident.household.area_id
    assert len({r.id_number for r in residents}) == len(residents)
    phones = [r.phone for r in residents if r.phone]
    assert len(set(phones)) == len(phones)
    assert len(phones) > len(residents) / 2


def test_no_plaintext_phone_or_id_number_in_the_database(accounts):
    secrets = {r.phone for r in Resident.objects.all() if r.phone}
    secrets |= {r.id_number for r in Resident.objects.all()}
    secrets |= {m.contact_phone for m in Merchant.objects.all() if m.contact_phone}
    assert len(secrets) > 100
    for table in (Resident._meta.db_table, Merchant._meta.db_table, AuditEvent._meta.db_table):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - our table names
            rows = cursor.fetchall()
        text = "\n".join("|".join(str(value) for value in row) for row in rows)
        leaked = [value for value in secrets if value in text]
        assert leaked == [], f"{table} holds plaintext: {leaked[:3]}"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT phone, id_number FROM {Resident._meta.db_table}")  # noqa: S608
        for phone, id_number in cursor.fetchall():
            assert phone == "" or phone.startswith("v1:")
            assert id_number.startswith("v1:")


def test_every_demo_account_has_its_role_and_scope(accounts):
    assert [a.username for a in accounts] == list(USERNAMES)
    users = {u.username: u for u in User.objects.prefetch_related("areas")}
    for account in accounts:
        assert users[account.username].check_password(PASSWORD)
        assert users[account.username].first_name
        assert account.scope

    def area_codes(username):
        return {a.code for a in users[username].areas.all()}

    assert users["admin"].is_superuser
    assert users["admin"].is_staff
    assert users["jilin_street"].role == Role.STREET_OFFICER
    assert area_codes("jilin_street") == {"220105-JL"}
    for username, code in (
        ("redian_admin", "220105-JL-RD"),
        ("queli_admin", "370881-LC-QL"),
        ("kongmu_admin", "360502-CB-KMJ"),
    ):
        assert users[username].role == Role.COMMUNITY_ADMIN
        assert area_codes(username) == {code}

    leader = users["redian_leader"]
    assert leader.role == Role.GRID_LEADER
    leader_grids = list(leader.areas.all())
    assert len(leader_grids) >= 2
    assert all(a.kind == AreaKind.GRID and a.parent.code == "220105-JL-RD" for a in leader_grids)

    grids = []
    for username in ("redian_grid1", "redian_grid2"):
        user = users[username]
        assert user.role == Role.GRID_WORKER
        [grid] = user.areas.all()
        assert grid.kind == AreaKind.GRID
        assert grid.parent.code == "220105-JL-RD"
        grids.append(grid)
    assert grids[0] != grids[1]

    assert users["jiugai_handler"].role == Role.ORG_HANDLER
    assert users["jiugai_handler"].organisation.short_name == "旧改办"
    assert users["wuye_handler"].role == Role.ORG_HANDLER
    wuye = users["wuye_handler"].organisation
    assert wuye.kind == OrganisationKind.PROPERTY
    assert wuye.managed_buildings.filter(name="3号楼").exists()

    assert users["volunteer"].role == Role.VOLUNTEER
    resident_user = users["resident"]
    assert resident_user.role == Role.RESIDENT
    assert resident_user.resident.status == ResidentStatus.ACTIVE
    assert resident_user.resident.household.building.name == "3号楼"
    assert resident_user.resident.area.parent.code == "220105-JL-RD"

    table = format_accounts(accounts)
    for account in accounts:
        assert account.username in table


def test_random_passwords_differ_per_account(db):
    accounts = seed(scale=0.01)
    passwords = [a.password for a in accounts]
    assert len(set(passwords)) == len(passwords)
    assert all(len(p) >= 16 for p in passwords)
    assert User.objects.get(username="redian_admin").check_password(accounts[2].password)


def test_queli_has_22_streets_and_the_15_merchant_noodle_street(accounts):
    streets = Street.objects.filter(community__code="370881-LC-QL")
    assert streets.count() == 22
    counts = {s.name: s.merchants.count() for s in streets}
    assert counts["五马祠街"] == 15
    assert Merchant.objects.filter(street__name="五马祠街", name__contains="面馆").exists()
    assert all(n >= 1 for n in counts.values())
    merchants = list(Merchant.objects.all())
    codes = [m.credit_code for m in merchants]
    assert len(set(codes)) == len(codes)
    for merchant in merchants:
        assert validate_credit_code(merchant.credit_code) == merchant.credit_code
        assert merchant.contact_name
        assert merchant.contact_phone_digest == crypto.digest(merchant.contact_phone)
        if merchant.street_id:
            assert merchant.area.parent.code == "370881-LC-QL"
    assert {m.category for m in merchants} >= {"餐饮", "文创", "住宿", "零售"}


def test_organisations_serve_their_places(accounts):
    def org(name):
        return Organisation.objects.get(name=name)

    assert org("热电社区居委会").kind == OrganisationKind.COMMUNITY
    renovation = org("二道区旧改办")
    assert renovation.short_name == "旧改办"
    assert renovation.kind == OrganisationKind.DEPARTMENT
    assert list(renovation.areas.values_list("name", flat=True)) == ["二道区"]
    assert org("热电物业服务有限公司").areas.get().code == "220105-JL-RD"
    for name in ("鲁城街道办事处", "曲阜市综合行政执法局", "曲阜市市场监督管理局", "曲阜市社会信用中心"):
        assert org(name).areas.exists()
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert kinds >= {"community", "street_office", "department", "property", "utility", "police"}
    assert Contact.objects.count() >= Organisation.objects.count()
    assert Organisation.objects.filter(areas__code="360502", short_name="河长办").exists()


def test_tags_are_plausible_and_sensitive_ones_have_a_legal_basis(accounts):
    today = timezone.localdate()
    tags = list(ResidentTag.objects.select_related("tag_type", "resident"))
    names = {t.tag_type.name for t in tags}
    assert names >= {"独居老人", "高龄", "党员", "楼栋长", "电动轮椅使用者", "残疾"}
    for tag in tags:
        if tag.tag_type.sensitive:
            assert tag.legal_basis.strip()
        if tag.tag_type.name == "高龄":
            assert _age(tag.resident.birth_date, today) >= 80
        if tag.tag_type.name == "独居老人":
            assert _age(tag.resident.birth_date, today) >= 60
            household = tag.resident.household
            assert household.residents.filter(status=ResidentStatus.ACTIVE).count() == 1
        if tag.tag_type.name == "留守儿童":
            assert _age(tag.resident.birth_date, today) < 18
        assert tag.resident.status == ResidentStatus.ACTIVE
    for name in ("残疾", "低保", "留守儿童", "电动轮椅使用者"):
        tag_type = TagType.objects.get(name=name)
        assert tag_type.sensitive
        assert tag_type.default_legal_basis
    # S7: the elderly resident whose husband uses an electric wheelchair.
    wheelchair = ResidentTag.objects.get(tag_type__name="电动轮椅使用者", resident__name="田德福").resident
    assert wheelchair.household.residents.filter(relation="spouse", sex="F").exists()
    assert "充电" in wheelchair.household.note


def test_some_residents_moved_out_or_died_with_history(accounts):
    for status in (ResidentStatus.MOVED_OUT, ResidentStatus.DECEASED):
        gone = Resident.objects.filter(status=status)
        assert gone.exists()
        for resident in gone:
            last = resident.status_changes.first()
            assert last.to_status == status
            assert last.effective_date == resident.status_since
            assert last.actor is not None
    # Someone left and came back: two entries, active again.
    returned = StatusChange.objects.filter(to_status=ResidentStatus.ACTIVE).select_related("resident")
    assert returned.exists()
    assert all(c.resident.status == ResidentStatus.ACTIVE for c in returned)


def test_one_audit_event_for_the_registry_and_true_timelines_for_the_cases(accounts):
    from minqing.cases.models import Case

    events = AuditEvent.objects.exclude(action__startswith="cases.")
    assert [e.action for e in events] == ["demo.seed"]
    assert events[0].changes["residents"][1] == Resident.objects.count()
    registered = AuditEvent.objects.filter(action="cases.case.register")
    assert registered.count() == Case.objects.count() > 0
    for case in Case.objects.all()[:20]:  # each timeline starts when the case was recorded
        first = AuditEvent.objects.filter(target_id=str(case.pk), action="cases.case.register").get()
        assert first.at == case.created_at


class _Rollback(Exception):
    pass


def _seed_and_read() -> list[tuple]:
    """Seed, read what was generated, and roll it all back."""
    try:
        with transaction.atomic():
            seed(scale=0.01, password=PASSWORD)
            rows = list(
                Resident.objects.order_by("id").values_list(
                    "name", "sex", "birth_date", "id_digest", "phone_digest", "household__code", "status"
                )
            )
            rows += list(Merchant.objects.order_by("id").values_list("name", "credit_code", "street__name"))
            raise _Rollback
    except _Rollback:
        return rows


def test_the_same_scale_gives_the_same_data(db):
    first = _seed_and_read()
    assert first
    assert not Area.objects.exists()
    assert _seed_and_read() == first


def test_seeding_twice_is_refused_and_changes_nothing(accounts):
    before = (
        Area.objects.count(),
        Resident.objects.count(),
        User.objects.count(),
        AuditEvent.objects.count(),
    )
    with pytest.raises(DemoAlreadySeeded):
        seed(scale=SCALE, password=PASSWORD)
    after = (Area.objects.count(), Resident.objects.count(), User.objects.count(), AuditEvent.objects.count())
    assert before == after


@pytest.mark.parametrize("scale", [0, -1, 1.5])
def test_bad_scale_is_refused(db, scale):
    with pytest.raises(InvalidInput):
        seed(scale=scale)
    assert not Area.objects.exists()


def test_the_demo_directory_answers_story_s8(db):
    from minqing.demo.seed import seed
    from minqing.directory import selectors
    from minqing.directory.models import Category
    from minqing.places.models import Area

    seed(scale=0.02, password="pw-for-tests-2026")
    grid = Area.objects.filter(kind="grid", parent__name="热电社区").first()
    handlers = selectors.handlers_for(Category.objects.get(code="C23"), grid)
    assert handlers[0].organisation.short_name == "物业"
    assert handlers[0].responsibility.duty == "first"
    assert handlers[-1].responsibility.duty == "escalation"
    assert selectors.match_categories("下水道堵了")[0].code == "C23"
