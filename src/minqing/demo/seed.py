"""The demo data: the three communities of the field study (BRIEF §1) with fictional people.

- 长春市 二道区 → 吉林街道 → 热电社区: a 1980s estate built for factory families, under old-estate renovation (旧改)
  since 2021, with more than a fifth of its residents aged 60 or over (stories S1–S8).
- 济宁市 曲阜市 → 鲁城街道 → 阙里社区: the old town by the Confucius temple, 22 commercial streets (S9–S12).
- 新余市 渝水区 → 城北街道 → 孔目江社区: riverside estates, anti-drowning patrols and youth volunteers (S13–S17).

Everything is drawn from seeded random generators (one per part: places, people, merchants …), so the same
scale gives the same people, places and shops on every run. Ages are counted back from the day of seeding so
that 高龄 (80+) and 留守儿童 stay true; only the ciphertexts differ between runs (fresh nonces).

This is a bulk loader, not an everyday write: residents, households and tags go in with `bulk_create`
(identity fields set through `people.actions.apply_identity`, so the digests are those the app computes),
and the whole seed writes one audit event, "demo.seed". It refuses to run twice into the same database.
"""

from __future__ import annotations

import datetime
import random
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TextIO

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minqing.accounts.models import User
from minqing.accounts.roles import Role
from minqing.cases.models import Case
from minqing.core import audit, crypto
from minqing.core.errors import ApplicationError, InvalidInput
from minqing.core.identity import credit_code_check_char, id_check_digit, validate_phone
from minqing.demo.cases import CaseBuilder
from minqing.directory.models import Category, Responsibility
from minqing.open311.actions import ensure_demo_client
from minqing.organisations.models import Contact, Merchant, Organisation, OrganisationKind
from minqing.people.actions import apply_identity
from minqing.people.models import (
    Relation,
    ResidenceType,
    Resident,
    ResidentStatus,
    ResidentTag,
    StatusChange,
    TagType,
)
from minqing.places.models import (
    Area,
    AreaKind,
    Building,
    DrainType,
    GasSupply,
    Household,
    RenovationStatus,
    Street,
    Unit,
)
from minqing.places.tree import insert_area

from . import names

RANDOM_SEED = 20210601
MAX_SCALE = 1.0  # the estates have rooms for this many households; more would need more buildings

# Residents at scale 1.
TARGET_RESIDENTS = {"redian": 2500, "queli": 1200, "kongmu": 1500}
# Region codes (GB/T 2260) that the residents' ID numbers start with.
REGION = {"redian": "220105", "queli": "370881", "kongmu": "360502"}

# Stable codes: other data (imports, tests, links) may refer to them.
ROOT_CODES = ("220105", "370881", "360502")
USERNAMES = (
    "admin",
    "jilin_street",
    "redian_admin",
    "redian_leader",
    "redian_grid1",
    "redian_grid2",
    "jiugai_handler",
    "wuye_handler",
    "volunteer",
    "resident",
    "queli_admin",
    "kongmu_admin",
)


class DemoAlreadySeeded(ApplicationError):
    status = 409
    default_message = _(
        "The demo data is already in this database. Use `manage.py demo_reset` to start again from an "
        "empty demo database."
    )


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str
    role_label: str
    scope: str
    password: str


def already_seeded() -> bool:
    return (
        Area.objects.filter(code__in=ROOT_CODES).exists()
        or User.objects.filter(username__in=USERNAMES).exists()
    )


def seed(
    *, scale: float = 1.0, password: str | None = None, stdout: TextIO | None = None
) -> list[DemoAccount]:
    """Create the demo data in an empty (migrated) database and return the login accounts.

    `password` is used for every account if given; otherwise each account gets its own random password.
    """
    if not 0 < scale <= MAX_SCALE:
        raise InvalidInput(_("The scale must be more than 0 and at most %(max)s.") % {"max": MAX_SCALE})
    if password is not None and not password.strip():
        raise InvalidInput(_("The demo password must not be empty."))
    try:
        with transaction.atomic():
            if already_seeded():
                raise DemoAlreadySeeded()
            return _Builder(scale=scale, password=password, stdout=stdout).build()
    except IntegrityError as exc:
        # Another seed got there first (the stable codes are unique).
        if already_seeded():
            raise DemoAlreadySeeded() from exc
        raise


# --- households: who lives together -------------------------------------------------------------------


@dataclass
class Spec:
    """One member of a family before it becomes a Resident."""

    relation: str
    sex: str
    age: int
    same_surname: bool = True
    name: str = ""  # fixed name for story characters
    flags: tuple[str, ...] = ()
    note: str = ""
    phone: bool | None = None  # None: decided by age


@dataclass
class Family:
    members: list[Spec]
    kind: str
    residence_type: str = ""
    note: str = ""
    place: tuple[str, str, str] | None = None  # (building name, unit name, room) for story households


def _elderly_age(rng: random.Random, low: int, high: int) -> int:
    """Fewer people at each higher age: the mode is near the young end."""
    return round(rng.triangular(low, high, low + 3))


def _elderly_couple(rng: random.Random) -> Family:
    husband = _elderly_age(rng, 62, 90)
    wife = max(58, min(92, husband - rng.randint(-2, 5)))
    return Family(
        [Spec(Relation.HEAD, "M", husband), Spec(Relation.SPOUSE, "F", wife, same_surname=False)],
        "elderly_couple",
    )


def _elderly_alone(rng: random.Random) -> Family:
    sex = "F" if rng.random() < 0.72 else "M"
    return Family([Spec(Relation.HEAD, sex, _elderly_age(rng, 66, 95))], "elderly_alone")


def _elderly_with_child(rng: random.Random) -> Family:
    family = _elderly_couple(rng)
    family.kind = "elderly_with_child"
    mother = family.members[1].age
    family.members.append(
        Spec(Relation.CHILD, rng.choice("MF"), rng.randint(max(28, mother - 40), max(30, mother - 22)))
    )
    return family


def _three_generations(rng: random.Random) -> Family:
    head = rng.randint(38, 56)
    wife = max(30, head - rng.randint(-2, 4))
    child = rng.randint(max(1, wife - 36), max(2, wife - 23))
    grandparent = rng.randint(head + 22, head + 34)
    members = [
        Spec(Relation.HEAD, "M", head),
        Spec(Relation.SPOUSE, "F", wife, same_surname=False),
        Spec(Relation.CHILD, rng.choice("MF"), child),
    ]
    parent_sex = "F" if rng.random() < 0.65 else "M"
    members.append(Spec(Relation.PARENT, parent_sex, grandparent, same_surname=parent_sex == "M"))
    return Family(members, "three_generations")


def _young_family(rng: random.Random) -> Family:
    head = rng.randint(28, 42)
    wife = max(25, head - rng.randint(-1, 4))
    members = [Spec(Relation.HEAD, "M", head), Spec(Relation.SPOUSE, "F", wife, same_surname=False)]
    for _i in range(1 if rng.random() < 0.7 else 2):
        members.append(Spec(Relation.CHILD, rng.choice("MF"), rng.randint(0, max(0, min(14, wife - 24)))))
    return Family(members, "young_family")


def _middle_family(rng: random.Random) -> Family:
    head = rng.randint(45, 59)
    wife = max(42, head - rng.randint(-2, 4))
    members = [Spec(Relation.HEAD, "M", head), Spec(Relation.SPOUSE, "F", wife, same_surname=False)]
    if rng.random() < 0.55:
        members.append(Spec(Relation.CHILD, rng.choice("MF"), rng.randint(15, max(16, wife - 22))))
    return Family(members, "middle_family")


def _tenants(rng: random.Random) -> Family:
    first = Spec(Relation.TENANT, rng.choice("MF"), rng.randint(20, 38), same_surname=False)
    members = [first]
    if rng.random() < 0.45:
        members.append(Spec(Relation.TENANT, rng.choice("MF"), rng.randint(20, 38), same_surname=False))
    return Family(members, "tenants", residence_type=ResidenceType.FLOATING)


def _single(rng: random.Random) -> Family:
    return Family([Spec(Relation.HEAD, rng.choice("MF"), rng.randint(35, 59))], "single")


def _left_behind(rng: random.Random) -> Family:
    """Grandparents raising grandchildren while the parents work in another city (留守儿童)."""
    grandfather = rng.randint(56, 72)
    members = [
        Spec(Relation.HEAD, "M", grandfather),
        Spec(Relation.SPOUSE, "F", max(52, grandfather - rng.randint(0, 4)), same_surname=False),
    ]
    for _i in range(1 if rng.random() < 0.6 else 2):
        members.append(
            Spec(Relation.GRANDCHILD, rng.choice("MF"), rng.randint(4, 15), flags=("left_behind",))
        )
    return Family(members, "left_behind", note="父母在外地务工，孩子由祖父母照看")


FamilyMaker = Callable[[random.Random], Family]

FAMILY_MIX: dict[str, list[tuple[FamilyMaker, int]]] = {
    # An ageing factory estate: many elderly couples and people living alone.
    "redian": [
        (_elderly_couple, 18),
        (_elderly_alone, 10),
        (_elderly_with_child, 8),
        (_three_generations, 10),
        (_young_family, 14),
        (_middle_family, 14),
        (_tenants, 10),
        (_single, 6),
    ],
    # The old town: families running shops, many young people working in tourism.
    "queli": [
        (_elderly_couple, 12),
        (_elderly_alone, 7),
        (_elderly_with_child, 5),
        (_three_generations, 14),
        (_young_family, 20),
        (_middle_family, 18),
        (_tenants, 14),
        (_single, 6),
        (_left_behind, 2),
    ],
    # Newer riverside estates: young families, and grandparents raising children of migrant workers.
    "kongmu": [
        (_elderly_couple, 10),
        (_elderly_alone, 5),
        (_elderly_with_child, 4),
        (_three_generations, 14),
        (_young_family, 28),
        (_middle_family, 16),
        (_tenants, 12),
        (_single, 7),
        (_left_behind, 5),
    ],
}

REGISTERED_SHARE = {"redian": 0.88, "queli": 0.8, "kongmu": 0.72}

# Story households (BRIEF §1), placed in fixed rooms.
STORY_FAMILIES: dict[str, list[Family]] = {
    "redian": [
        # S2: asks why every building but 3号楼 got clothes-drying poles; has the `resident` login.
        Family(
            [
                Spec(Relation.HEAD, "M", 71, name="钱永福"),
                Spec(Relation.SPOUSE, "F", 68, same_surname=False, name="赵桂芬", flags=("account",)),
            ],
            "story",
            ResidenceType.REGISTERED,
            place=("3号楼", "2单元", "301"),
        ),
        # S7: her husband uses an electric wheelchair; she charged it with a cord from the window.
        Family(
            [
                Spec(
                    Relation.HEAD,
                    "M",
                    79,
                    name="田德福",
                    flags=("wheelchair", "disability"),
                    note="使用电动轮椅出行",
                ),
                Spec(Relation.SPOUSE, "F", 76, same_surname=False, name="周淑琴"),
            ],
            "story",
            ResidenceType.REGISTERED,
            note="老伴使用电动轮椅，过去从窗户拉线给轮椅充电（飞线充电）；网格走访后反映，楼下新装了充电桩。",
            place=("5号楼", "1单元", "101"),
        ),
        # S6: a respected old Party member who said "I'll remove my shed first".
        Family(
            [
                Spec(
                    Relation.HEAD,
                    "M",
                    74,
                    name="孙长林",
                    flags=("party", "warm_hearted"),
                    note="老党员，带头拆除自家铁皮棚",
                ),
                Spec(Relation.SPOUSE, "F", 72, same_surname=False, name="李玉珍"),
            ],
            "story",
            ResidenceType.REGISTERED,
            place=("8号楼", "1单元", "102"),
        ),
    ],
    "queli": [],
    "kongmu": [
        # S14/S17: a member of the youth volunteer team 江小团; has the `volunteer` login.
        Family(
            [
                Spec(Relation.HEAD, "M", 52, name="黄海涛"),
                Spec(Relation.SPOUSE, "F", 50, same_surname=False, name="刘丽"),
                Spec(
                    Relation.CHILD,
                    "F",
                    24,
                    name="黄雨桐",
                    flags=("volunteer", "account"),
                    note="江小团志愿者",
                ),
            ],
            "story",
            ResidenceType.REGISTERED,
            place=("江景苑2栋", "1单元", "802"),
        ),
        # S14: a young police officer who joined the river clean-up.
        Family(
            [
                Spec(
                    Relation.HEAD,
                    "M",
                    27,
                    name="袁志远",
                    flags=("volunteer",),
                    note="辖区派出所民警，业余参加江小团河岸清洁",
                )
            ],
            "story",
            ResidenceType.PERMANENT,
            place=("滨江花园1栋", "2单元", "601"),
        ),
        # S16: asked for a public clothes-drying area.
        Family(
            [Spec(Relation.HEAD, "F", 72, name="胡秀英", note="提议在小区设置公共晾晒区")],
            "story",
            ResidenceType.REGISTERED,
            place=("孔目江小区2栋", "1单元", "201"),
        ),
    ],
}


# --- tags ---------------------------------------------------------------------------------------------

TAG_TYPES = [
    # code, name, sensitive, description, default legal basis, review months
    ("living_alone", "独居老人", False, "60岁以上独自居住的老人，需定期探访", "", 6),
    ("oldest_old", "高龄", False, "80周岁及以上", "", None),
    (
        "disability",
        "残疾",
        True,
        "持有残疾人证",
        "《个人信息保护法》第十三条第一款第三项（履行法定职责）；《残疾人保障法》，残联残疾人证信息核对",
        12,
    ),
    (
        "dibao",
        "低保",
        True,
        "城乡最低生活保障对象",
        "《个人信息保护法》第十三条第一款第三项（履行法定职责）；《社会救助暂行办法》，民政部门低保名单",
        12,
    ),
    (
        "left_behind_child",
        "留守儿童",
        True,
        "父母外出务工、由他人照看的未成年人",
        "《个人信息保护法》第三十一条（监护人同意）；《未成年人保护法》，民政部门留守儿童关爱台账",
        6,
    ),
    ("party_member", "党员", False, "中共党员（含离退休党员）", "", None),
    ("building_leader", "楼栋长", False, "协助网格员联系本楼居民", "", 12),
    ("warm_hearted", "热心居民", False, "常参与社区事务、愿意带头", "", None),
    ("volunteer", "志愿者", False, "登记的社区志愿者", "", 12),
    (
        "e_wheelchair",
        "电动轮椅使用者",
        True,
        "使用电动轮椅，关系到充电设施与无障碍需求（健康信息）",
        "本人单独书面同意（《个人信息保护法》第二十九条），用于充电桩与无障碍设施规划",
        12,
    ),
]


LEGAL_BASIS = {code: basis or "本人同意" for code, _n, _s, _d, basis, _r in TAG_TYPES}


# --- the builder --------------------------------------------------------------------------------------


@dataclass(eq=False)
class Person:
    """A resident being built, with what the tagging pass needs to know about them."""

    resident: Resident
    community: str
    age: int
    household_key: str
    flags: tuple[str, ...] = ()
    story: bool = False


@dataclass
class Slot:
    building: Building
    unit: Unit | None
    room: str


@dataclass
class CommunityData:
    key: str
    grids: list[Area] = field(default_factory=list)
    buildings: list[Building] = field(default_factory=list)
    slots: dict[str, list[Slot]] = field(default_factory=dict)  # building code → free rooms
    households: list[Household] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _coord(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


class _Builder:
    def __init__(self, *, scale: float, password: str | None, stdout: TextIO | None):
        self.scale = scale
        self.password = password
        self.stdout = stdout
        self.today = timezone.localdate()
        self.areas: dict[str, Area] = {}
        self.orgs: dict[str, Organisation] = {}
        self.tag_types: dict[str, TagType] = {}
        self.users: dict[str, User] = {}
        self.communities: dict[str, CommunityData] = {}
        self.streets: list[Street] = []
        self.merchants: list[Merchant] = []
        self.phones: set[str] = set()
        self.id_numbers: set[str] = set()
        self.credit_codes: set[str] = set()
        self.leaders: set[int] = set()  # resident ids of building leaders
        self._pending_changes: list[tuple[Person, list[tuple[str, str, datetime.date, str]]]] = []

    def log(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message + "\n")

    def rng(self, part: str) -> random.Random:
        # One generator per part, so changing one community does not reshuffle the others.
        return random.Random(f"{RANDOM_SEED}:{part}")

    # -- the order matters: places and organisations, then people, then accounts that point at them
    def build(self) -> list[DemoAccount]:
        self.build_areas()
        self.build_organisations()
        self.build_responsibilities()
        self.build_tag_types()
        self.build_redian()
        self.build_queli()
        self.build_kongmu()
        for key in ("redian", "queli", "kongmu"):
            self.build_people(self.communities[key])
        self.build_merchants()
        accounts = self.build_accounts()
        self.assign_building_leaders()
        self.build_tags()
        self.build_status_changes()
        CaseBuilder(self).build()
        ensure_demo_client(communities=[self.areas[key] for key in ("redian", "queli", "kongmu")])
        counts = self.counts()
        audit.record(
            actor=None,
            action="demo.seed",
            changes={name: [0, n] for name, n in counts.items()},
            reason=f"演示数据：三个田野调查社区，人物均为虚构（scale={self.scale}）",
        )
        self.log("Created: " + ", ".join(f"{n} {name}" for name, n in counts.items()))
        return accounts

    def counts(self) -> dict[str, int]:
        return {
            "areas": Area.objects.count(),
            "buildings": Building.objects.count(),
            "households": Household.objects.count(),
            "residents": Resident.objects.count(),
            "resident tags": ResidentTag.objects.count(),
            "status changes": StatusChange.objects.count(),
            "cases": Case.objects.count(),
            "streets": Street.objects.count(),
            "merchants": Merchant.objects.count(),
            "organisations": Organisation.objects.count(),
            "contacts": Contact.objects.count(),
            "accounts": User.objects.count(),
        }

    # -- areas ----------------------------------------------------------------------------------------
    def area(
        self, key: str, parent: str | None, kind: str, name: str, code: str, city: str, **fields
    ) -> Area:
        self.areas[key] = insert_area(
            parent=self.areas[parent] if parent else None,
            kind=kind,
            name=name,
            code=code,
            city=city,
            **fields,
        )
        return self.areas[key]

    def build_areas(self) -> None:
        self.area("erdao", None, AreaKind.DISTRICT, "二道区", "220105", "长春市")
        self.area("jilin", "erdao", AreaKind.STREET_OFFICE, "吉林街道", "220105-JL", "长春市")
        self.area(
            "redian",
            "jilin",
            AreaKind.COMMUNITY,
            "热电社区",
            "220105-JL-RD",
            "长春市",
            description="20世纪80年代为热电厂职工家庭建设的老旧小区，共32栋多层住宅楼；2021年起实施老旧小区改造"
            "（旧改）；60岁以上居民占比超过22%。",
        )
        redian_grids = ["1–6号楼", "7–12号楼", "13–17号楼", "18–22号楼", "23–27号楼", "28–32号楼"]
        for i, description in enumerate(redian_grids, start=1):
            self.area(
                f"redian_g{i}",
                "redian",
                AreaKind.GRID,
                f"第{'一二三四五六'[i - 1]}网格",
                f"220105-JL-RD-G{i}",
                "长春市",
                description=description,
            )

        # 曲阜 is a county-level city under 济宁市: it takes the district's place in the tree.
        self.area("qufu", None, AreaKind.DISTRICT, "曲阜市", "370881", "济宁市")
        self.area("lucheng", "qufu", AreaKind.STREET_OFFICE, "鲁城街道", "370881-LC", "济宁市")
        self.area(
            "queli",
            "lucheng",
            AreaKind.COMMUNITY,
            "阙里社区",
            "370881-LC-QL",
            "济宁市",
            description="曲阜明故城内、孔庙旁的旅游老城区，辖22条商业街巷，院落民居与沿街商铺交错。",
        )
        for i, (grid_name, streets) in enumerate(QUELI_GRIDS, start=1):
            self.area(
                f"queli_g{i}",
                "queli",
                AreaKind.GRID,
                grid_name,
                f"370881-LC-QL-G{i}",
                "济宁市",
                description="、".join(streets),
            )

        self.area("yushui", None, AreaKind.DISTRICT, "渝水区", "360502", "新余市")
        # Fictional: we do not know which street office 孔目江社区 belongs to; 城北街道 is a plausible name.
        self.area("chengbei", "yushui", AreaKind.STREET_OFFICE, "城北街道", "360502-CB", "新余市")
        self.area(
            "kongmu",
            "chengbei",
            AreaKind.COMMUNITY,
            "孔目江社区",
            "360502-CB-KMJ",
            "新余市",
            description="孔目江畔的社区，沿江有亲水步道；夏季有人野泳，社区组织防溺水巡河。",
        )
        for i, (grid_name, description) in enumerate(KONGMU_GRIDS, start=1):
            self.area(
                f"kongmu_g{i}",
                "kongmu",
                AreaKind.GRID,
                grid_name,
                f"360502-CB-KMJ-G{i}",
                "新余市",
                description=description,
            )
        self.log(f"Areas: {len(self.areas)}")

    # -- organisations --------------------------------------------------------------------------------
    def build_organisations(self) -> None:
        rng = self.rng("organisations")
        contacts: list[Contact] = []
        for spec in ORGANISATIONS:
            org = Organisation.objects.create(
                name=spec["name"],
                short_name=spec["short"],
                kind=spec["kind"],
                service_phone=spec["phone"],
                address=spec.get("address", ""),
                hours=spec.get("hours", "周一至周五 8:30–11:30，13:30–17:00"),
                description=spec["description"],
            )
            org.areas.set([self.areas[key] for key in spec["areas"]])
            self.orgs[spec["key"]] = org
            for name, title in spec.get("contacts", ()):
                contacts.append(
                    Contact(
                        organisation=org, name=name, title=title, phone=self.landline(rng, spec["areas"][0])
                    )
                )
        Contact.objects.bulk_create(contacts)
        self.log(f"Organisations: {len(self.orgs)}, contacts: {len(contacts)}")

    def build_responsibilities(self) -> None:
        """The responsibility directory of the three communities (category × place → organisation)."""
        categories = {c.code: c for c in Category.objects.all()}
        rules = [
            Responsibility(
                category=categories[code],
                area=self.areas[area],
                organisation=self.orgs[org],
                duty=duty,
                note=note,
            )
            for code, area, org, duty, note in RESPONSIBILITIES
            if code in categories
        ]
        Responsibility.objects.bulk_create(rules)
        self.log(f"Responsibility directory: {len(rules)} entries")

    def landline(self, rng: random.Random, area_key: str) -> str:
        code = {"erdao": "0431", "jilin": "0431", "redian": "0431", "yushui": "0790", "chengbei": "0790"}
        return f"{code.get(area_key, '0537')}-{rng.randint(8000, 8999)}{rng.randint(0, 9999):04d}"

    def build_tag_types(self) -> None:
        # A database may already have some of these (same code or name): reuse them as they are.
        for code, name, sensitive, description, basis, review in TAG_TYPES:
            existing = TagType.objects.filter(Q(code=code) | Q(name=name)).first()
            self.tag_types[code] = existing or TagType.objects.create(
                code=code,
                name=name,
                sensitive=sensitive,
                description=description,
                default_legal_basis=basis,
                review_months=review,
            )

    # -- places ---------------------------------------------------------------------------------------
    def add_buildings(
        self, data: CommunityData, rows: list[tuple[Building, list[tuple[str, list[str]]]]]
    ) -> None:
        """rows: (unsaved building, [(unit name or "", [rooms])])."""
        buildings = Building.objects.bulk_create([b for b, _units in rows])
        units: list[Unit] = []
        plan: list[tuple[Building, Unit | None, list[str]]] = []
        for building, (_b, unit_rows) in zip(buildings, rows, strict=True):
            for unit_name, rooms in unit_rows:
                unit = Unit(building=building, name=unit_name) if unit_name else None
                if unit:
                    units.append(unit)
                plan.append((building, unit, rooms))
        Unit.objects.bulk_create(units)
        for building, unit, rooms in plan:
            data.slots.setdefault(building.code, []).extend(Slot(building, unit, room) for room in rooms)
        data.buildings.extend(buildings)

    @staticmethod
    def rooms(floors: int, per_floor: int) -> list[str]:
        return [f"{floor}{i:02d}" for floor in range(1, floors + 1) for i in range(1, per_floor + 1)]

    def build_redian(self) -> None:
        rng = self.rng("redian:places")
        data = self.communities["redian"] = CommunityData("redian")
        data.grids = [self.areas[f"redian_g{i}"] for i in range(1, 7)]
        grid_of = [1] * 6 + [2] * 6 + [3] * 5 + [4] * 5 + [5] * 5 + [6] * 5
        # Phase 2 of the renovation (water and sewer pipes) goes building by building.
        phase2 = ["done"] * 11 + ["in_progress"] * 8 + ["planned"] * 13
        rng.shuffle(phase2)
        phase2[2] = "planned"  # 3号楼: still waiting (S2: "when will the water pipes reach us?")
        rows = []
        for n in range(1, 33):
            year = 1980 + (n - 1) * 10 // 32
            floors = rng.choice([5, 6, 6, 6, 7])
            units = rng.choice([3, 3, 4])
            stage = phase2[n - 1]
            pipes_year = rng.choice([2023, 2024, 2025]) if stage == "done" else year
            facts = {
                "化粪池": f"{rng.randint(1, 3)}个",
                "雨水井": f"{rng.randint(2, 6)}个",
                "晾衣杆": "未安装" if n == 3 else "已安装",
                "一期改造": "2021–2023年已完成：外墙保温、屋面防水、楼道粉刷、晾衣杆",
                "二期改造（供排水管网）": {
                    "done": f"{pipes_year}年已完成",
                    "in_progress": "施工中，预计明年完工",
                    "planned": "已列入计划，尚未开工",
                }[stage],
            }
            if n == 3:
                facts["备注"] = "一期改造后其他楼均已安装晾衣杆，3号楼尚未安装，居民多次询问。"
            sheds = rng.randint(0, 4)
            if stage != "done" and sheds:
                facts["违建铁皮棚"] = f"{sheds}处（改造前须拆除）"
            building = Building(
                area=self.areas[f"redian_g{grid_of[n - 1]}"],
                code=f"RD-B{n:02d}",
                name=f"{n}号楼",
                address=f"长春市二道区吉林街道热电社区{n}号楼",
                floors=floors,
                year_built=year,
                water_pipe_year=pipes_year,
                sewer_pipe_year=pipes_year if stage == "done" else year,
                drain_type=DrainType.SEPARATE
                if stage == "done" and rng.random() < 0.5
                else DrainType.COMBINED,
                ground_floor_own_drain=rng.choices([True, False, None], weights=[45, 45, 10])[0],
                has_elevator=False,
                gas_supply=GasSupply.PIPED,
                renovation_status={
                    "done": RenovationStatus.DONE,
                    "in_progress": RenovationStatus.IN_PROGRESS,
                    "planned": RenovationStatus.PLANNED,
                }[stage],
                property_company=self.orgs["redian_wuye"],
                extra_facts=facts,
                latitude=_coord(43.8760 + (n - 1) // 8 * 0.0011 + rng.uniform(-0.0002, 0.0002)),
                longitude=_coord(125.3615 + (n - 1) % 8 * 0.0009 + rng.uniform(-0.0002, 0.0002)),
            )
            rows.append((building, [(f"{u}单元", self.rooms(floors, 2)) for u in range(1, units + 1)]))
        self.add_buildings(data, rows)

    def build_queli(self) -> None:
        rng = self.rng("queli:places")
        data = self.communities["queli"] = CommunityData("queli")
        data.grids = [self.areas[f"queli_g{i}"] for i in range(1, len(QUELI_GRIDS) + 1)]
        rows = []
        courtyard = 0
        for g, (_grid_name, streets) in enumerate(QUELI_GRIDS, start=1):
            grid = self.areas[f"queli_g{g}"]
            numbers = dict.fromkeys(streets, 0)
            for i in range(18):
                street = streets[i % len(streets)]
                numbers[street] += rng.randint(1, 6)
                courtyard += 1
                year = rng.choice([1936, 1948, 1955, 1962, 1970, 1978, 1983, 1988])
                households = rng.randint(3, 8)
                rows.append(
                    (
                        Building(
                            area=grid,
                            code=f"QL-Y{courtyard:03d}",
                            name=f"{street}{numbers[street]}号院",
                            address=f"曲阜市鲁城街道{street}{numbers[street]}号",
                            floors=rng.choice([1, 1, 1, 2]),
                            year_built=year,
                            water_pipe_year=rng.randint(1995, 2015),
                            sewer_pipe_year=rng.randint(1998, 2016),
                            drain_type=DrainType.COMBINED,
                            ground_floor_own_drain=True,
                            has_elevator=False,
                            gas_supply=rng.choice([GasSupply.PIPED, GasSupply.PIPED, GasSupply.BOTTLED]),
                            renovation_status=rng.choice(
                                [RenovationStatus.NONE] * 3 + [RenovationStatus.PLANNED]
                            ),
                            extra_facts={
                                "院落类型": rng.choice(["大杂院", "四合院", "沿街商住院落"]),
                                "古城风貌保护": "是",
                                "公共水龙头": f"{rng.randint(0, 2)}处",
                            },
                            latitude=_coord(35.5965 + rng.uniform(-0.004, 0.004)),
                            longitude=_coord(116.9880 + rng.uniform(-0.005, 0.005)),
                        ),
                        [("", COURTYARD_ROOMS[:households])],
                    )
                )
        south = self.areas[f"queli_g{len(QUELI_GRIDS)}"]
        for n in (1, 2):
            rows.append(
                (
                    Building(
                        area=south,
                        code=f"QL-B{n:02d}",
                        name=f"阙里小区{n}号楼",
                        address=f"曲阜市鲁城街道南门大街阙里小区{n}号楼",
                        floors=5,
                        year_built=1992,
                        water_pipe_year=1992,
                        sewer_pipe_year=1992,
                        drain_type=DrainType.COMBINED,
                        ground_floor_own_drain=False,
                        has_elevator=False,
                        gas_supply=GasSupply.PIPED,
                        renovation_status=RenovationStatus.PLANNED,
                        extra_facts={"物业": "无物业，社区代管", "化粪池": "1个"},
                        latitude=_coord(35.5921 + n * 0.0004),
                        longitude=_coord(116.9869),
                    ),
                    [(f"{u}单元", self.rooms(5, 2)) for u in (1, 2, 3)],
                )
            )
        self.add_buildings(data, rows)

    def build_kongmu(self) -> None:
        rng = self.rng("kongmu:places")
        data = self.communities["kongmu"] = CommunityData("kongmu")
        data.grids = [self.areas[f"kongmu_g{i}"] for i in range(1, len(KONGMU_GRIDS) + 1)]
        rows = []
        for g, (estate, count, year, floors, units, per_floor, code) in enumerate(KONGMU_ESTATES, start=1):
            old = year < 2000
            for n in range(1, count + 1):
                facts = {"雨水井": f"{rng.randint(3, 8)}个", "化粪池": f"{rng.randint(1, 2)}个"}
                if old:
                    facts["物业"] = "无物业，社区代管"
                else:
                    facts["电梯"] = f"{units}部，困人拨打96333"
                rows.append(
                    (
                        Building(
                            area=self.areas[f"kongmu_g{g}"],
                            code=f"KMJ-{code}{n:02d}",
                            name=f"{estate}{n}栋",
                            address=f"新余市渝水区城北街道孔目江社区{estate}{n}栋",
                            floors=floors,
                            year_built=year,
                            water_pipe_year=year,
                            sewer_pipe_year=year,
                            drain_type=DrainType.COMBINED if old else DrainType.SEPARATE,
                            ground_floor_own_drain=rng.choice([True, False]) if old else True,
                            has_elevator=not old,
                            gas_supply=GasSupply.PIPED,
                            renovation_status=RenovationStatus.PLANNED if old else RenovationStatus.NONE,
                            property_company=None if old else self.orgs["kongmu_wuye"],
                            extra_facts=facts,
                            latitude=_coord(27.8395 + g * 0.0012 + rng.uniform(-0.0003, 0.0003)),
                            longitude=_coord(114.9480 + n * 0.0006 + rng.uniform(-0.0002, 0.0002)),
                        ),
                        [(f"{u}单元", self.rooms(floors, per_floor)) for u in range(1, units + 1)],
                    )
                )
        self.add_buildings(data, rows)

    # -- people ---------------------------------------------------------------------------------------
    def build_people(self, data: CommunityData) -> None:
        key = data.key
        rng = self.rng(f"{key}:people")
        target = max(1, round(TARGET_RESIDENTS[key] * self.scale))
        makers, weights = zip(*FAMILY_MIX[key], strict=True)
        families: list[Family] = list(STORY_FAMILIES[key])
        total = sum(len(f.members) for f in families)
        while total < target:
            family = rng.choices(makers, weights=weights)[0](rng)
            families.append(family)
            total += len(family.members)

        slots = self.allocate(rng, data, families)
        households = [
            Household(
                building=slot.building,
                unit=slot.unit,
                room=slot.room,
                area=slot.building.area,
                code=f"{slot.building.code}-{slot.unit.name.removesuffix('单元')}-{slot.room}"
                if slot.unit
                else f"{slot.building.code}-{slot.room}",
                note=family.note,
            )
            for family, slot in zip(families, slots, strict=True)
        ]
        data.households = Household.objects.bulk_create(households)

        residents: list[Resident] = []
        for family, household in zip(families, data.households, strict=True):
            family_name = names.surname(rng, key)
            residence = family.residence_type or (
                ResidenceType.REGISTERED if rng.random() < REGISTERED_SHARE[key] else ResidenceType.PERMANENT
            )
            for spec in family.members:
                person = self.person(
                    rng, data, spec, family_name, residence, household, story=family.kind == "story"
                )
                data.people.append(person)
                residents.append(person.resident)
        self.plan_status_changes(rng, data)
        Resident.objects.bulk_create(residents)
        self.log(f"{key}: {len(data.households)} households, {len(residents)} residents")

    def allocate(self, rng: random.Random, data: CommunityData, families: list[Family]) -> list[Slot]:
        """A room for each family: story households where the story needs them, then at least one household
        per building (when there are enough), then weighted by the rooms still free."""
        free = {code: list(slots) for code, slots in data.slots.items()}
        for slots in free.values():
            rng.shuffle(slots)
        by_name = {b.name: b for b in data.buildings}
        chosen: list[Slot | None] = [None] * len(families)
        for i, family in enumerate(families):
            if family.place:
                building_name, unit_name, room = family.place
                building = by_name[building_name]
                slot = next(
                    s
                    for s in free[building.code]
                    if s.room == room and (s.unit.name if s.unit else "") == unit_name
                )
                free[building.code].remove(slot)
                chosen[i] = slot
        codes = [b.code for b in data.buildings]
        occupied = {chosen_slot.building.code for chosen_slot in chosen if chosen_slot}
        first_round = [code for code in codes if code not in occupied]
        rng.shuffle(first_round)
        for i in range(len(families)):
            if chosen[i] is not None:
                continue
            weights = [len(free[c]) for c in codes]
            if not any(weights):
                raise InvalidInput(_("The demo estates have no room left for more households."))
            code = first_round.pop() if first_round else rng.choices(codes, weights=weights)[0]
            chosen[i] = free[code].pop()
        return [slot for slot in chosen if slot is not None]

    def person(
        self,
        rng: random.Random,
        data: CommunityData,
        spec: Spec,
        family_name: str,
        residence: str,
        household: Household,
        *,
        story: bool,
    ) -> Person:
        birth = _years_before(self.today, spec.age) - datetime.timedelta(days=rng.randint(1, 360))
        if spec.name:
            name = spec.name
        else:
            surname = family_name if spec.same_surname else names.surname(rng, data.key)
            name = surname + names.given_name(rng, spec.sex, birth.year)
        wants_phone = spec.phone
        if wants_phone is None:
            chance = 0.0 if spec.age < 12 else 0.5 if spec.age < 18 else 0.6 if spec.age >= 85 else 0.95
            wants_phone = rng.random() < chance
        resident = Resident(
            name=name,
            sex=spec.sex,
            birth_date=birth,
            household=household,
            relation=spec.relation,
            area=household.area,
            residence_type=residence,
            note=spec.note,
        )
        apply_identity(
            resident,
            phone=self.mobile(rng) if wants_phone else "",
            id_number=self.id_number(rng, REGION[data.key], birth, spec.sex),
        )
        return Person(resident, data.key, spec.age, household.code, spec.flags, story)

    def mobile(self, rng: random.Random) -> str:
        while True:
            phone = rng.choice(names.MOBILE_PREFIXES) + f"{rng.randint(0, 99_999_999):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def id_number(self, rng: random.Random, region: str, birth: datetime.date, sex: str) -> str:
        while True:
            # The 17th digit is odd for men and even for women.
            sequence = rng.randrange(1, 1000, 2) if sex == "M" else rng.randrange(2, 1000, 2)
            first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
            if first17 not in self.id_numbers:
                self.id_numbers.add(first17)
                return first17 + id_check_digit(first17)

    def plan_status_changes(self, rng: random.Random, data: CommunityData) -> None:
        """A few residents moved out or died; they stay in the registry with their history."""
        candidates = [p for p in data.people if not p.story]
        movers = [p for p in candidates if 18 <= p.age <= 60]
        size: dict[str, int] = {}
        for p in data.people:
            size[p.household_key] = size.get(p.household_key, 0) + 1
        elderly_with_partner = [p for p in candidates if p.age >= 72 and size[p.household_key] >= 2]
        n = len(data.people)
        moved = rng.sample(movers, min(len(movers), max(1, round(n * 0.015))))
        died = rng.sample(
            [p for p in elderly_with_partner if p not in moved],
            min(len(elderly_with_partner), max(1, round(n * 0.006))),
        )
        for person in moved:
            when = self.today - datetime.timedelta(days=rng.randint(30, 1000))
            self.set_status(
                person, [(ResidentStatus.ACTIVE, ResidentStatus.MOVED_OUT, when, rng.choice(MOVE_NOTES))]
            )
        for person in died:
            when = self.today - datetime.timedelta(days=rng.randint(30, 1000))
            self.set_status(
                person, [(ResidentStatus.ACTIVE, ResidentStatus.DECEASED, when, "病故，家属告知")]
            )
        # One who left and came back: the history shows both moves.
        back = next((p for p in movers if p not in moved), None)
        if back is not None:
            left = self.today - datetime.timedelta(days=rng.randint(500, 900))
            returned = left + datetime.timedelta(days=rng.randint(120, 400))
            self.set_status(
                back,
                [
                    (ResidentStatus.ACTIVE, ResidentStatus.MOVED_OUT, left, "外出务工"),
                    (ResidentStatus.MOVED_OUT, ResidentStatus.ACTIVE, returned, "返回本社区居住"),
                ],
            )

    def set_status(self, person: Person, changes: list[tuple[str, str, datetime.date, str]]) -> None:
        _from, to_status, when, _note = changes[-1]
        person.resident.status = to_status
        person.resident.status_since = when
        self._pending_changes.append((person, changes))

    def build_status_changes(self) -> None:
        rows = []
        for person, changes in self._pending_changes:
            actor = self.users[f"{person.community}_admin"]
            for from_status, to_status, when, note in changes:
                rows.append(
                    StatusChange(
                        resident=person.resident,
                        from_status=from_status,
                        to_status=to_status,
                        effective_date=when,
                        note=note,
                        actor=actor,
                    )
                )
        StatusChange.objects.bulk_create(rows)

    # -- merchants ------------------------------------------------------------------------------------
    def build_merchants(self) -> None:
        rng = self.rng("queli:merchants")
        queli = self.areas["queli"]
        grid_of_street = {
            street: self.areas[f"queli_g{g}"]
            for g, (_name, streets) in enumerate(QUELI_GRIDS, start=1)
            for street in streets
        }
        streets = [
            Street(
                community=queli,
                name=name,
                code=f"QL-S{i:02d}",
                length_m=rng.randrange(150, 820, 10),
                description=STREET_NOTES.get(name, ""),
            )
            for i, name in enumerate(QUELI_STREETS, start=1)
        ]
        self.streets = Street.objects.bulk_create(streets)
        used_names: set[str] = set()
        merchants: list[Merchant] = []
        for street in self.streets:
            if street.name == NOODLE_STREET:
                plan = NOODLE_STREET_SHOPS
            else:
                plan = [
                    rng.choices(list(names.SHOP_KINDS), weights=[40, 20, 15, 18, 7])[0]
                    for _i in range(rng.randint(2, 6))
                ]
            number = 0
            for entry in plan:
                category, fixed_name, note = entry if isinstance(entry, tuple) else (entry, "", "")
                number += rng.randint(1, 5)
                name = fixed_name or self.shop_name(rng, category, used_names)
                used_names.add(name)
                merchants.append(
                    self.merchant(
                        rng,
                        "queli",
                        name=name,
                        category=category,
                        street=street,
                        area=grid_of_street[street.name],
                        address=f"曲阜市鲁城街道{street.name}{number}号",
                        note=note,
                    )
                )
        # A few shops in the other two communities, not on a named street.
        for key, shops in OTHER_SHOPS.items():
            community = self.communities[key]
            for name, category in shops:
                merchants.append(
                    self.merchant(
                        rng,
                        key,
                        name=name,
                        category=category,
                        street=None,
                        area=community.grids[0],
                        address=self.areas[key].name,
                        note="",
                    )
                )
        self.merchants = Merchant.objects.bulk_create(merchants)
        self.log(f"Streets: {len(self.streets)}, merchants: {len(self.merchants)}")

    def shop_name(self, rng: random.Random, category: str, used: set[str]) -> str:
        while True:
            name = rng.choice(names.SHOP_PREFIXES) + rng.choice(names.SHOP_KINDS[category])
            if name not in used:
                return name

    def merchant(
        self, rng: random.Random, place: str, *, name, category, street, area, address, note
    ) -> Merchant:
        phone = validate_phone(self.mobile(rng))
        birth_year = self.today.year - rng.randint(25, 62)
        sex = rng.choice("MF")
        return Merchant(
            name=name,
            street=street,
            area=area,
            address=address,
            category=category,
            credit_code=self.credit_code(rng, REGION[place], company=category == "住宿"),
            contact_name=names.surname(rng, place) + names.given_name(rng, sex, birth_year),
            contact_phone=phone,
            contact_phone_digest=crypto.digest(phone),
            note=note,
        )

    def credit_code(self, rng: random.Random, region: str, *, company: bool) -> str:
        """A unified social credit code (GB 32100) that is valid in form: 91 company / 92 individual business,
        the region, a 9-character organisation code with its own GB 11714 check character, and the check."""
        while True:
            body = "MA" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _i in range(6))
            values = [int(c) if c.isdigit() else ord(c) - 55 for c in body]
            check = 11 - sum(v * w for v, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
            org_code = body + {10: "X", 11: "0"}.get(check, str(check))
            first17 = ("91" if company else "92") + region + org_code
            code = first17 + credit_code_check_char(first17)
            if code not in self.credit_codes:
                self.credit_codes.add(code)
                return code

    # -- accounts -------------------------------------------------------------------------------------
    def build_accounts(self) -> list[DemoAccount]:
        redian = self.communities["redian"]
        kongmu = self.communities["kongmu"]
        resident = next(p.resident for p in redian.people if "account" in p.flags)
        volunteer = next(p.resident for p in kongmu.people if "account" in p.flags)
        g = self.areas
        plan = [
            ("admin", "系统管理员", Role.STREET_OFFICER, [], None, None, "Superuser: all areas"),
            ("jilin_street", "邵文博", Role.STREET_OFFICER, [g["jilin"]], None, None, ""),
            ("redian_admin", "韩淑萍", Role.COMMUNITY_ADMIN, [g["redian"]], None, None, ""),
            (
                "redian_leader",
                "孙丽华",
                Role.GRID_LEADER,
                [g["redian_g1"], g["redian_g2"], g["redian_g3"]],
                None,
                None,
                "",
            ),
            ("redian_grid1", "马晓东", Role.GRID_WORKER, [g["redian_g1"]], None, None, ""),
            ("redian_grid2", "高婷", Role.GRID_WORKER, [g["redian_g2"]], None, None, ""),
            ("jiugai_handler", "郑立军", Role.ORG_HANDLER, None, self.orgs["jiugai"], None, ""),
            ("wuye_handler", "宋志刚", Role.ORG_HANDLER, None, self.orgs["redian_wuye"], None, ""),
            ("volunteer", volunteer.name, Role.VOLUNTEER, [], None, volunteer, ""),
            ("resident", resident.name, Role.RESIDENT, [], None, resident, ""),
            ("queli_admin", "颜秀梅", Role.COMMUNITY_ADMIN, [g["queli"]], None, None, ""),
            ("kongmu_admin", "万思琪", Role.COMMUNITY_ADMIN, [g["kongmu"]], None, None, ""),
        ]
        accounts = []
        shared_hash = ""
        for username, display, role, areas, org, linked, scope in plan:
            label = "Superuser" if username == "admin" else str(Role(role).label)
            password = self.password or secrets.token_urlsafe(12)
            # A shared demo password is hashed once: Argon2 is slow on purpose, twelve times over is seconds.
            encoded = shared_hash or make_password(password)
            if self.password:
                shared_hash = encoded
            user = User.objects.create(
                username=username,
                password=encoded,
                first_name=display,
                role=role,
                organisation=org,
                resident=linked,
                is_staff=username == "admin",
                is_superuser=username == "admin",
            )
            if areas is None:  # organisation handlers: the areas their organisation serves
                areas = list(org.areas.all())
            user.areas.set(areas)
            self.users[username] = user
            if not scope:
                scope = self.describe_scope(areas, org, linked)
            accounts.append(
                DemoAccount(
                    username=username,
                    display_name=display,
                    role=role,
                    role_label=label,
                    scope=scope,
                    password=password,
                )
            )
        return accounts

    @staticmethod
    def describe_scope(areas: list[Area], org: Organisation | None, linked: Resident | None) -> str:
        if org is not None:
            return f"{org.name} ({'、'.join(a.name for a in areas)})"
        if linked is not None:
            household = linked.household
            return f"{household.area.parent.name} {household}" if household else linked.area.name
        if not areas:
            return "—"
        parent = areas[0].parent
        if len(areas) > 1 and parent and all(a.parent_id == parent.pk for a in areas):
            return f"{parent.name} {'、'.join(a.name for a in areas)}"
        if areas[0].kind == AreaKind.GRID and parent:
            return f"{parent.name} {areas[0].name}"
        return "、".join(a.name for a in areas)

    # -- building leaders and tags --------------------------------------------------------------------
    def assign_building_leaders(self) -> None:
        rng = self.rng("leaders")
        changed = []
        for data in self.communities.values():
            by_building: dict[int, list[Person]] = {}
            for person in data.people:
                by_building.setdefault(person.resident.household.building_id, []).append(person)
            for building in data.buildings:
                pool = [
                    p
                    for p in by_building.get(building.pk, [])
                    if p.resident.status == ResidentStatus.ACTIVE
                    and 45 <= p.age <= 75
                    and p.resident.residence_type != ResidenceType.FLOATING
                ]
                if not pool:
                    continue
                leader = rng.choice(pool)
                building.building_leader = leader.resident
                self.leaders.add(leader.resident.pk)
                changed.append(building)
        Building.objects.bulk_update(changed, ["building_leader"])

    def build_tags(self) -> None:
        rng = self.rng("tags")
        rows: list[ResidentTag] = []

        def tag(person: Person, code: str, note: str = "", consent: str = "") -> None:
            tag_type = self.tag_types[code]
            basis = ""
            review = None
            if tag_type.sensitive:
                basis = (tag_type.default_legal_basis or LEGAL_BASIS[code]) + (
                    f"；{consent}" if consent else ""
                )
            if tag_type.review_months:
                review = self.today + datetime.timedelta(days=rng.randint(30, 30 * tag_type.review_months))
            rows.append(
                ResidentTag(
                    resident=person.resident,
                    tag_type=tag_type,
                    legal_basis=basis[:200],
                    review_date=review,
                    note=note,
                    added_by=self.users[f"{person.community}_admin"],
                )
            )

        for data in self.communities.values():
            prefix = {"redian": "RD", "queli": "QL", "kongmu": "KMJ"}[data.key]
            active = [p for p in data.people if p.resident.status == ResidentStatus.ACTIVE]
            living = {}
            for p in active:
                living[p.household_key] = living.get(p.household_key, 0) + 1
            heads_tagged_dibao: set[str] = set()
            for p in active:
                flags = p.flags
                if p.age >= 60 and living[p.household_key] == 1:
                    tag(p, "living_alone")
                if p.age >= 80:
                    tag(p, "oldest_old")
                if "wheelchair" in flags or (p.age >= 72 and rng.random() < 0.004):
                    tag(
                        p,
                        "e_wheelchair",
                        consent=f"同意书 {prefix}-{rng.randint(2023, 2025)}-{rng.randint(1, 400):03d}",
                    )
                if "disability" in flags or rng.random() < (0.05 if p.age >= 65 else 0.012):
                    tag(p, "disability", consent=f"残疾人证核对 {self.today.year}年")
                if (
                    p.resident.relation == Relation.HEAD
                    and p.household_key not in heads_tagged_dibao
                    and rng.random() < 0.02
                ):
                    heads_tagged_dibao.add(p.household_key)
                    tag(p, "dibao")
                if "left_behind" in flags and p.age < 16:
                    tag(p, "left_behind_child", consent="监护人（祖父母）书面同意", note="父母在外地务工")
                party_chance = (0.16 if p.resident.sex == "M" else 0.08) if p.age >= 60 else 0.05
                if "party" in flags or (p.age >= 18 and rng.random() < party_chance):
                    tag(p, "party_member")
                if p.resident.pk in self.leaders:
                    tag(p, "building_leader")
                if "warm_hearted" in flags or (45 <= p.age <= 75 and rng.random() < 0.025):
                    tag(p, "warm_hearted", note=p.resident.note if "warm_hearted" in flags else "")
                youth = data.key == "kongmu" and 16 <= p.age <= 35
                if "volunteer" in flags or (18 <= p.age <= 70 and rng.random() < (0.08 if youth else 0.03)):
                    tag(p, "volunteer", note="江小团" if data.key == "kongmu" and p.age <= 35 else "")
        ResidentTag.objects.bulk_create(rows)
        self.log(f"Resident tags: {len(rows)}")


# --- fixed place data ---------------------------------------------------------------------------------

# The 22 streets of 阙里社区. Some are the real streets of the old town of 曲阜 (鼓楼大街, 五马祠街, 半壁街,
# 西马道街, 东门大街 …); the rest are plausible inventions. Streets are places, not people.
QUELI_GRIDS = [
    ("鼓楼网格", ["鼓楼大街", "鼓楼北街", "钟楼街", "后作街", "仓巷"]),
    ("阙里网格", ["阙里街", "五马祠街", "半壁街", "杏坛街", "天官第街"]),
    ("西马道网格", ["西马道街", "北马道街", "西门大街", "书院街"]),
    ("东门网格", ["东门大街", "东马道街", "颜庙街", "陋巷街"]),
    ("南门网格", ["南门大街", "南马道街", "古泮池路", "棂星门街"]),
]
QUELI_STREETS = [street for _grid, streets in QUELI_GRIDS for street in streets]
NOODLE_STREET = "五马祠街"
STREET_NOTES = {
    NOODLE_STREET: "餐饮小店集中的老街，共15家商户；面馆店主提议把这条街打造成“网红街”。",
    "鼓楼大街": "古城南北主街，游客最多。",
    "半壁街": "紧邻孔庙东墙的窄街，文创小店多。",
}
COURTYARD_ROOMS = ["东屋", "西屋", "北屋", "南屋", "东厢房", "西厢房", "后院", "倒座房"]

# S10: exactly 15 merchants on the noodle-shop street.
NOODLE_STREET_SHOPS: list[tuple[str, str, str]] = [
    ("餐饮", "阙里手擀面馆", "店主提议把五马祠街打造成“网红街”"),
    ("餐饮", "五马祠煎饼铺", ""),
    ("餐饮", "老街熏豆腐坊", ""),
    ("餐饮", "鲁源糁汤馆", ""),
    ("餐饮", "杏坛水饺馆", ""),
    ("餐饮", "洙泗烧饼铺", ""),
    ("餐饮", "仁和家常菜馆", ""),
    ("餐饮", "书香咖啡馆", ""),
    ("文创", "六艺书画社", ""),
    ("文创", "金声篆刻坊", ""),
    ("文创", "春秋汉服馆", ""),
    ("零售", "尼山特产店", ""),
    ("零售", "和顺便利店", ""),
    ("住宿", "五马祠客栈", ""),
    ("生活服务", "古城照相馆", ""),
]

OTHER_SHOPS = {
    "redian": [("热电便民超市", "零售"), ("老厂区修车铺", "生活服务"), ("热电早餐店", "餐饮")],
    "kongmu": [("江畔生鲜超市", "零售"), ("滨江药店", "生活服务"), ("孔目江米粉店", "餐饮")],
}

# 孔目江: estates along the river, one grid each. (estate, buildings, year built, floors, units, rooms per
# floor, code).
KONGMU_GRIDS = [
    ("滨江第一网格", "江景苑，沿江亲水步道北段"),
    ("滨江第二网格", "滨江花园，沿江游泳点附近"),
    ("江畔网格", "孔目江小区（20世纪90年代多层住宅）"),
    ("湿地公园网格", "碧水湾，孔目江湿地公园旁"),
]
KONGMU_ESTATES = [
    ("江景苑", 4, 2012, 18, 2, 2, "JJY"),
    ("滨江花园", 4, 2016, 11, 2, 3, "BJHY"),
    ("孔目江小区", 4, 1998, 6, 3, 2, "KMJXQ"),
    ("碧水湾", 3, 2019, 15, 2, 2, "BSW"),
]

MOVE_NOTES = [
    "随子女迁往北京市",
    "工作调动迁往沈阳市",
    "购房迁往本市其他区",
    "到外地求学",
    "迁往上海市",
    "婚后迁出",
]

# Organisations: contact names are fictional; service phones are national hotlines or invented local numbers.
# (category, area, organisation, duty, note): who handles what, where. Nearest area wins, per duty.
RESPONSIBILITIES = [
    ("C01", "redian", "redian_wuye", "first", ""),
    ("C01", "jilin", "jilin_office", "escalation", "物业监管"),
    ("C02", "redian", "redian_wuye", "first", ""),
    ("C03", "redian", "redian_wuye", "first", "困人先拨 96333"),
    ("C03", "erdao", "erdao_scjg", "escalation", "特种设备"),
    ("C04", "redian", "redian_wuye", "first", ""),
    ("C06", "redian", "redian_wuye", "first", ""),
    ("C07", "redian", "redian_wuye", "first", ""),
    ("C07", "redian", "redian_committee", "first", "网格员劝导"),
    ("C08", "erdao", "erdao_gas", "first", "燃气泄漏先拨 119"),
    ("C09", "redian", "redian_wuye", "first", "小区内"),
    ("C09", "erdao", "erdao_chengguan", "escalation", "公共区域"),
    ("C10", "erdao", "erdao_chengguan", "first", ""),
    ("C11", "erdao", "erdao_chengguan", "first", ""),
    ("C13", "erdao", "erdao_chengguan", "first", ""),
    ("C20", "erdao", "erdao_water", "first", ""),
    ("C21", "erdao", "erdao_power", "first", ""),
    ("C22", "erdao", "erdao_heating", "first", ""),
    ("C23", "redian", "redian_wuye", "first", "小区内排水、化粪池"),
    ("C23", "erdao", "erdao_water", "escalation", "市政排水管网"),
    ("C26", "erdao", "erdao_scjg", "first", ""),
    ("C27", "jilin", "jilin_police", "first", "紧急情况拨 110"),
    ("C30", "redian", "redian_committee", "first", "网格长调解"),
    ("C40", "erdao", "jiugai", "first", ""),
    ("C40", "redian", "redian_committee", "escalation", "社区协商"),
    ("C11", "qufu", "qufu_zhifa", "first", ""),
    ("C26", "qufu", "qufu_scjg", "first", ""),
    ("C27", "lucheng", "lucheng_police", "first", ""),
    ("C30", "queli", "queli_committee", "first", ""),
    ("C09", "kongmu", "kongmu_wuye", "first", "小区内"),
    ("C11", "yushui", "yushui_chengguan", "first", ""),
    ("C16", "yushui", "yushui_hezhang", "first", "河道"),
    ("C27", "chengbei", "chengbei_police", "first", ""),
    ("C30", "kongmu", "kongmu_committee", "first", ""),
]

ORGANISATIONS: list[dict] = [
    # 热电社区
    {
        "key": "redian_committee",
        "name": "热电社区居委会",
        "short": "热电居委会",
        "kind": OrganisationKind.COMMUNITY,
        "phone": "0431-84610110",
        "address": "热电社区党群服务中心",
        "hours": "周一至周五 8:30–17:00；周六上午党群服务中心有人值班",
        "description": "居民事务与证明、养老保险资格认证协助（党群服务中心）、邻里纠纷调解、网格服务",
        "areas": ["redian"],
        "contacts": [("韩淑萍", "社区书记、居委会主任"), ("孙丽华", "网格长")],
    },
    {
        "key": "jilin_office",
        "name": "吉林街道办事处",
        "short": "吉林街道",
        "kind": OrganisationKind.STREET_OFFICE,
        "phone": "0431-84620000",
        "description": "辖区社区的统筹协调、民生诉求督办、跨部门问题协调",
        "areas": ["jilin"],
        "contacts": [("邵文博", "社区建设办公室"), ("吕建平", "综合执法协调")],
    },
    {
        "key": "jiugai",
        "name": "二道区旧改办",
        "short": "旧改办",
        "kind": OrganisationKind.DEPARTMENT,
        "phone": "0431-84633021",
        "description": "老旧小区改造（旧改）：改造计划与进度、外墙保温、晾衣杆等改造内容、供排水管网改造、施工问题答复",
        "areas": ["erdao"],
        "contacts": [("郑立军", "项目负责人"), ("冯建军", "工程部")],
    },
    {
        "key": "erdao_chengguan",
        "name": "二道区城市管理局（综合执法）",
        "short": "城管",
        "kind": OrganisationKind.DEPARTMENT,
        "phone": "12319",
        "description": "违章建筑（含私搭铁皮棚）、占道经营、乱堆乱放、户外广告、市容环境的综合执法",
        "areas": ["erdao"],
        "contacts": [("蒋卫国", "吉林街道执法中队")],
    },
    {
        "key": "erdao_scjg",
        "name": "二道区市场监督管理局",
        "short": "市场监管局",
        "kind": OrganisationKind.DEPARTMENT,
        "phone": "12315",
        "description": "食品安全、价格、无照经营、消费投诉",
        "areas": ["erdao"],
        "contacts": [("潘晓燕", "吉林市场监管所")],
    },
    {
        "key": "redian_wuye",
        "name": "热电物业服务有限公司",
        "short": "物业",
        "kind": OrganisationKind.PROPERTY,
        "phone": "0431-84625566",
        "address": "热电社区12号楼底商",
        "hours": "24小时报修",
        "description": "小区保洁、绿化、公共设施维修、楼内下水道疏通、楼道灯、单元门",
        "areas": ["redian"],
        "contacts": [("宋志刚", "项目经理"), ("曹师傅", "维修班长")],
    },
    {
        "key": "erdao_heating",
        "name": "二道区供热服务站",
        "short": "热力公司",
        "kind": OrganisationKind.UTILITY,
        "phone": "0431-84647788",
        "hours": "供暖期24小时",
        "description": "冬季供暖、暖气不热、暖气管道漏水",
        "areas": ["erdao"],
        "contacts": [("邓海", "客服")],
    },
    {
        "key": "erdao_water",
        "name": "二道区供水服务站",
        "short": "供水公司",
        "kind": OrganisationKind.UTILITY,
        "phone": "0431-84651234",
        "description": "停水、水压低、水表、室外供水管道漏水",
        "areas": ["erdao"],
        "contacts": [("魏强", "抢修调度")],
    },
    {
        "key": "erdao_power",
        "name": "二道区供电服务站",
        "short": "供电公司",
        "kind": OrganisationKind.UTILITY,
        "phone": "95598",
        "description": "停电、线路故障、电表；充电桩报装",
        "areas": ["erdao"],
        "contacts": [("许鹏", "客户经理")],
    },
    {
        "key": "erdao_gas",
        "name": "二道区燃气服务站",
        "short": "燃气公司",
        "kind": OrganisationKind.UTILITY,
        "phone": "0431-84669900",
        "hours": "24小时抢修",
        "description": "燃气泄漏（先关阀、开窗，到室外拨打）、燃气表、入户安检",
        "areas": ["erdao"],
        "contacts": [("彭亮", "安检员")],
    },
    {
        "key": "jilin_police",
        "name": "二道区公安分局吉林派出所",
        "short": "派出所",
        "kind": OrganisationKind.POLICE,
        "phone": "110",
        "hours": "24小时",
        "description": "治安、户籍、身份证办理、邻里纠纷中的治安问题",
        "areas": ["jilin"],
        "contacts": [("于杰", "社区民警")],
    },
    # 阙里社区
    {
        "key": "queli_committee",
        "name": "阙里社区居委会",
        "short": "阙里居委会",
        "kind": OrganisationKind.COMMUNITY,
        "phone": "0537-44110120",
        "description": "居民事务、商户走访、“民情日记”、读书会等社区活动",
        "areas": ["queli"],
        "contacts": [("颜秀梅", "社区党委书记")],
    },
    {
        "key": "lucheng_office",
        "name": "鲁城街道办事处",
        "short": "鲁城街道",
        "kind": OrganisationKind.STREET_OFFICE,
        "phone": "0537-44120000",
        "description": "街区提升、商户协调、议事协商",
        "areas": ["lucheng"],
        "contacts": [("孟凡军", "城市管理办公室")],
    },
    {
        "key": "qufu_zhifa",
        "name": "曲阜市综合行政执法局",
        "short": "综合执法局",
        "kind": OrganisationKind.DEPARTMENT,
        "phone": "12345",
        "description": "占道经营、店外经营、停车秩序、户外招牌的综合执法",
        "areas": ["qufu"],
        "contacts": [("曾志勇", "古城执法中队")],
    },
    {
        "key": "qufu_scjg",
        "name": "曲阜市市场监督管理局",
        "short": "市场监管局",
        "kind": OrganisationKind.DEPARTMENT,
        "phone": "12315",
        "description": "食品安全、明码标价、消费投诉、商户经营许可",
        "areas": ["qufu"],
        "contacts": [("韦丽", "鲁城市场监管所")],
    },
    {
        "key": "qufu_credit",
        "name": "曲阜市社会信用中心",
        "short": "信用中心",
        "kind": OrganisationKind.DEPARTMENT,
        "phone": "0537-44130010",
        "description": "商户信用承诺、诚信经营评价、诚信街区创建",
        "areas": ["qufu"],
        "contacts": [("孔德明", "信用建设科")],
    },
    {
        "key": "lucheng_police",
        "name": "曲阜市公安局鲁城派出所",
        "short": "派出所",
        "kind": OrganisationKind.POLICE,
        "phone": "110",
        "hours": "24小时",
        "description": "治安、户籍、游客求助",
        "areas": ["lucheng"],
        "contacts": [("颜斌", "社区民警")],
    },
    # 孔目江社区
    {
        "key": "kongmu_committee",
        "name": "孔目江社区居委会",
        "short": "孔目江居委会",
        "kind": OrganisationKind.COMMUNITY,
        "phone": "0790-64210110",
        "description": "居民事务、防溺水巡河、江小团志愿服务、一老一小活动",
        "areas": ["kongmu"],
        "contacts": [("万思琪", "团委书记")],
    },
    {
        "key": "chengbei_office",
        "name": "城北街道办事处",
        "short": "城北街道",
        "kind": OrganisationKind.STREET_OFFICE,
        "phone": "0790-64220000",
        "description": "辖区社区统筹协调（街道名称为演示虚构）",
        "areas": ["chengbei"],
        "contacts": [("敖建华", "社会事务办公室")],
    },
    {
        "key": "yushui_chengguan",
        "name": "渝水区城市管理局",
        "short": "城管",
        "kind": OrganisationKind.DEPARTMENT,
        "phone": "12319",
        "description": "市容环境、公共晾晒区等公共设施选址、违章搭建",
        "areas": ["yushui"],
        "contacts": [("钟海涛", "城北执法中队")],
    },
    {
        "key": "yushui_hezhang",
        "name": "渝水区河长制办公室（水利局）",
        "short": "河长办",
        "kind": OrganisationKind.DEPARTMENT,
        "phone": "0790-64233110",
        "description": "河湖管护、防溺水警示牌与救生设施、河岸保洁、水利设施",
        "areas": ["yushui"],
        "contacts": [("简文亮", "河道管护")],
    },
    {
        "key": "kongmu_wuye",
        "name": "新余江畔物业服务有限公司",
        "short": "物业",
        "kind": OrganisationKind.PROPERTY,
        "phone": "0790-64245678",
        "hours": "24小时报修；电梯困人请拨96333",
        "description": "江景苑、滨江花园、碧水湾的保洁、绿化、电梯、公共设施维修",
        "areas": ["kongmu"],
        "contacts": [("廖俊", "项目经理")],
    },
    {
        "key": "chengbei_police",
        "name": "渝水区公安分局城北派出所",
        "short": "派出所",
        "kind": OrganisationKind.POLICE,
        "phone": "110",
        "hours": "24小时",
        "description": "治安、户籍、反诈宣传",
        "areas": ["chengbei"],
        "contacts": [("熊宇", "社区民警")],
    },
]


# --- the account table --------------------------------------------------------------------------------


def _width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def format_accounts(accounts: list[DemoAccount]) -> str:
    header = ("Username", "Role", "Scope", "Password")
    rows = [header] + [(a.username, a.role_label, a.scope, a.password) for a in accounts]
    widths = [max(_width(row[i]) for row in rows) for i in range(len(header))]

    def line(row) -> str:
        return "  ".join(
            cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows[1:])])
