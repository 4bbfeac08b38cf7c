"""A district-scale registry, generated: 区 → 街道 → 社区 → 网格 → 楼栋 (单元) → 户 → 居民, with tags and the
audit rows the actions would have written.

Rows are built the way the actions build them (area paths through places.tree.insert_area, phone and ID
number through people.actions.apply_identity, so digests and ciphertext are real) but written with
bulk_create, one transaction per grid, so 300,000 residents take minutes rather than hours.
"""

import datetime
import math
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Q

from minqing.core.identity import id_check_digit
from minqing.core.models import AuditEvent
from minqing.people.actions import apply_identity
from minqing.people.models import Relation, ResidenceType, Resident, ResidentStatus, ResidentTag, TagType
from minqing.places.models import (
    Area,
    AreaKind,
    Building,
    DrainType,
    GasSupply,
    Household,
    RenovationStatus,
    Unit,
)
from minqing.places.tree import insert_area

DISTRICT_CODE = "BENCH-D"
DEFAULT_SEED = 20250601
# Ages are counted from a fixed day so that a seed always gives the same registry.
TODAY = datetime.date(2025, 6, 1)
BATCH = 1000

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
# Common surnames are much more common (王 and 李 alone are about one person in seven).
SURNAME_WEIGHTS = [1 / (rank + 1) ** 0.9 for rank in range(len(SURNAMES))]
MALE_CHARS = "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆旭宁龙林国建志文海东成峰春庆德福永振家宏"
FEMALE_CHARS = "芳娜敏静丽艳娟霞秀玲桂英兰萍红梅琳燕洁倩婷雪慧颖晶丹玉凤云莲珍欣悦月琴佳"
STREET_OFFICES = ("吉林", "东站", "远达", "荣光", "长青", "八里堡", "南岭", "东盛")
COMMUNITIES = (
    "热电",
    "阙里",
    "惠民",
    "幸福",
    "和平",
    "胜利",
    "光明",
    "新华",
    "春城",
    "民康",
    "东风",
    "团结",
    "建设",
    "兴业",
    "安居",
    "育才",
    "锦江",
    "桃源",
    "明珠",
    "永安",
)
ROADS = (
    "吉林大路",
    "东盛大街",
    "荣光路",
    "自由大路",
    "临河街",
    "东站街",
    "公平路",
    "仁爱路",
    "和顺街",
    "岭东路",
)
LOCAL_REGION = "220105"  # 长春市二道区
OTHER_REGIONS = ("220102", "220104", "220122", "220182", "370881", "410102", "230103", "210102", "510104")
PHONE_PREFIXES = tuple(f"{p}" for p in (*range(130, 140), *range(150, 160), *range(180, 190)))

# Tag types (code, name, sensitive): the usual 居民标签 of a community register.
TAG_TYPES = (
    ("aged", "高龄", False),
    ("elderly_alone", "独居老人", False),
    ("party", "党员", False),
    ("veteran", "退役军人", False),
    ("disability", "残疾", True),
    ("dibao", "低保", True),
)


def tag_type(code: str) -> TagType:
    """The tag type of TAG_TYPES with this code: the database's own if it has one of that code or name."""
    name, sensitive = next((n, s) for c, n, s in TAG_TYPES if c == code)
    found = TagType.objects.filter(Q(code=code) | Q(name=name)).first()
    return found or TagType.objects.create(code=code, name=name, sensitive=sensitive)


@dataclass(frozen=True)
class Shape:
    """How many of each level. The defaults give 1 district, 5 street offices, 20 communities, 100 grids
    and 2,000 buildings for 100,000 households."""

    residents: int
    households: int
    households_per_building: int = 50
    buildings_per_grid: int = 20
    grids_per_community: int = 5
    communities_per_street: int = 4

    @property
    def buildings(self) -> int:
        return max(1, math.ceil(self.households / self.households_per_building))

    @property
    def grids(self) -> int:
        return max(1, math.ceil(self.buildings / self.buildings_per_grid))

    @property
    def communities(self) -> int:
        return max(1, math.ceil(self.grids / self.grids_per_community))

    @property
    def streets(self) -> int:
        return max(1, math.ceil(self.communities / self.communities_per_street))


def marker(shape: Shape, seed: int) -> str:
    """What the district's description says, so a later run knows what it finds."""
    return f"bench registry: residents={shape.residents} households={shape.households} seed={seed}"


def existing_marker() -> str | None:
    """The marker of the registry already in the database, or None."""
    district = Area.objects.filter(code=DISTRICT_CODE).first()
    return district.description if district else None


@dataclass
class Report:
    shape: Shape
    seconds: float = 0.0
    counts: Counter = field(default_factory=Counter)


def _split(total: int, parts: int) -> list[int]:
    """`total` in `parts` near-equal whole numbers."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


class _People:
    """Names, birth dates, ID numbers and phones, unique where the registry needs them to be."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.id_numbers: set[str] = set()
        self.phones: set[str] = set()

    def surname(self) -> str:
        return self.rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]

    def given_name(self, sex: str) -> str:
        chars = MALE_CHARS if sex == "M" else FEMALE_CHARS
        length = 2 if self.rng.random() < 0.7 else 1
        return "".join(self.rng.choice(chars) for _ in range(length))

    def birth_date(self, age: int) -> datetime.date:
        return TODAY - datetime.timedelta(days=age * 365 + self.rng.randrange(365))

    def id_number(self, birth: datetime.date, sex: str, local: bool) -> str:
        region = LOCAL_REGION if local else self.rng.choice(OTHER_REGIONS)
        while True:
            # The 17th digit is odd for men, even for women (GB 11643).
            seq = self.rng.randrange(0, 500) * 2 + (1 if sex == "M" else 0)
            first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
            if first17 not in self.id_numbers:
                self.id_numbers.add(first17)
                return first17 + id_check_digit(first17)

    def phone(self) -> str:
        while True:
            number = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number


def _member_plan(rng: random.Random, size: int) -> list[tuple[str, int, str]]:
    """(relation, age, sex) for each member of a household of `size` people; the head comes first."""
    head_age = rng.randint(24, 88)
    head_sex = rng.choice("MF")
    plan = [(Relation.HEAD, head_age, head_sex)]
    if size >= 2:
        plan.append(
            (Relation.SPOUSE, max(20, head_age + rng.randint(-5, 5)), "F" if head_sex == "M" else "M")
        )
    for _ in range(size - len(plan)):
        roll = rng.random()
        if head_age >= 50 and roll < 0.25:
            child_age = max(0, head_age - rng.randint(45, 60))
            plan.append((Relation.GRANDCHILD, child_age, rng.choice("MF")))
        elif head_age - 20 > 0 and roll < 0.8:
            plan.append((Relation.CHILD, max(0, head_age - rng.randint(22, 34)), rng.choice("MF")))
        elif head_age < 60 and roll < 0.92:
            plan.append((Relation.PARENT, min(99, head_age + rng.randint(22, 32)), rng.choice("MF")))
        else:
            plan.append((Relation.TENANT, rng.randint(18, 60), rng.choice("MF")))
    return plan


def _status(rng: random.Random, age: int) -> str:
    roll = rng.random()
    if roll < 0.02 and age >= 60:
        return ResidentStatus.DECEASED
    if roll < 0.06:
        return ResidentStatus.MOVED_OUT
    return ResidentStatus.ACTIVE


def generate_registry(
    *,
    residents: int,
    households: int,
    seed: int = DEFAULT_SEED,
    progress: Callable[[str], None] = print,
    **shape_options,
) -> Report:
    """Write a registry of this size into the default database (which should hold no bench registry yet)."""
    if residents < 1 or households < 1:
        raise ValueError("A registry needs at least one household and one resident.")
    shape = Shape(residents=residents, households=households, **shape_options)
    rng = random.Random(seed)
    people = _People(rng)
    report = Report(shape=shape)
    started = time.perf_counter()
    progress(
        f"Generating {shape.residents:,} residents in {shape.households:,} households, "
        f"{shape.buildings:,} buildings, {shape.grids} grids, {shape.communities} communities, "
        f"{shape.streets} street offices …"
    )

    tag_types = {code: tag_type(code) for code, _, _ in TAG_TYPES}
    content_types = {
        model: ContentType.objects.get_for_model(model) for model in (Area, Building, Household, Resident)
    }
    grids = _area_tree(shape, seed, content_types, report)
    progress(f"  area tree: {len(grids)} grids ({time.perf_counter() - started:.1f} s)")

    # Every household has somebody; the rest of the people are spread at random (mean ≈ 3 per household).
    sizes = [1] * min(shape.households, shape.residents) + [0] * max(0, shape.households - shape.residents)
    for index, extra in Counter(
        rng.choices(range(shape.households), k=max(0, shape.residents - shape.households))
    ).items():
        sizes[index] += extra

    buildings_per_grid = _split(shape.buildings, len(grids))
    households_per_building = _split(shape.households, shape.buildings)
    building_no = household_no = 0
    every = max(1, len(grids) // 20)
    for grid_index, grid in enumerate(grids):
        building_counts = households_per_building[building_no : building_no + buildings_per_grid[grid_index]]
        with transaction.atomic():
            _grid(
                rng=rng,
                people=people,
                grid=grid,
                first_building=building_no,
                building_counts=building_counts,
                sizes=sizes[household_no : household_no + sum(building_counts)],
                first_household=household_no,
                tag_types=tag_types,
                content_types=content_types,
                report=report,
            )
        building_no += len(building_counts)
        household_no += sum(building_counts)
        if (grid_index + 1) % every == 0 or grid_index + 1 == len(grids):
            elapsed = time.perf_counter() - started
            progress(
                f"  grid {grid_index + 1}/{len(grids)}: {report.counts['residents']:,} residents, "
                f"{report.counts['households']:,} households ({elapsed:.0f} s, "
                f"{report.counts['residents'] / elapsed:,.0f} residents/s)"
            )
    report.seconds = time.perf_counter() - started
    progress(
        f"Generated in {report.seconds:.0f} s: " + ", ".join(f"{n:,} {k}" for k, n in report.counts.items())
    )
    return report


def _area_tree(shape: Shape, seed: int, content_types, report: Report) -> list[Area]:
    def named(names: tuple[str, ...], i: int, suffix: str) -> str:
        base = names[i % len(names)]
        return f"{base}{i // len(names) + 1 if i >= len(names) else ''}{suffix}"

    district = insert_area(
        parent=None,
        kind=AreaKind.DISTRICT,
        name="二道区（基准）",
        code=DISTRICT_CODE,
        city="长春市",
        description=marker(shape, seed),
    )
    areas = [district]
    grids: list[Area] = []
    communities_left = shape.communities
    grids_left = shape.grids
    for s, communities in enumerate(_split(shape.communities, shape.streets)):
        street = insert_area(
            parent=district,
            kind=AreaKind.STREET_OFFICE,
            name=named(STREET_OFFICES, s, "街道"),
            code=f"BENCH-S{s + 1:02d}",
        )
        areas.append(street)
        for _ in range(communities):
            c = shape.communities - communities_left
            communities_left -= 1
            community = insert_area(
                parent=street,
                kind=AreaKind.COMMUNITY,
                name=named(COMMUNITIES, c, "社区"),
                code=f"BENCH-C{c + 1:03d}",
            )
            areas.append(community)
            # Grids go to communities as evenly as the totals allow.
            n = math.ceil(grids_left / (communities_left + 1))
            grids_left -= n
            for g in range(n):
                grid = insert_area(
                    parent=community,
                    kind=AreaKind.GRID,
                    name=f"第{g + 1}网格",
                    code=f"BENCH-G{len(grids) + 1:04d}",
                )
                areas.append(grid)
                grids.append(grid)
    AuditEvent.objects.bulk_create(
        [_event("places.area.create", content_types[Area], area, area.path) for area in areas],
        batch_size=BATCH,
    )
    report.counts["areas"] += len(areas)
    return grids


def _event(action: str, content_type, target, area_path: str, changes: dict | None = None) -> AuditEvent:
    return AuditEvent(
        actor=None,
        action=action,
        target_type=content_type,
        target_id=str(target.pk),
        target_label=str(target)[:200],
        area_path=area_path,
        changes=changes or {},
    )


def _grid(
    *,
    rng: random.Random,
    people: _People,
    grid: Area,
    first_building: int,
    building_counts: list[int],
    sizes: list[int],
    first_household: int,
    tag_types: dict[str, TagType],
    content_types,
    report: Report,
) -> None:
    road = ROADS[grid.pk % len(ROADS)]
    buildings = Building.objects.bulk_create(
        [
            Building(
                area=grid,
                code=f"BENCH-B{first_building + i + 1:05d}",
                name=f"{i + 1}号楼",
                address=f"{road}{(first_building + i) * 2 + 1}号",
                floors=rng.choice((5, 6, 6, 7, 11, 18)),
                year_built=(year := rng.randint(1958, 2015)),
                water_pipe_year=year if rng.random() < 0.7 else rng.randint(year, 2020),
                sewer_pipe_year=year,
                drain_type=rng.choice([c for c, _ in DrainType.choices]),
                has_elevator=rng.choice((None, False, False, True)),
                gas_supply=rng.choice([c for c, _ in GasSupply.choices]),
                renovation_status=rng.choice([c for c, _ in RenovationStatus.choices]),
                extra_facts={"化粪池": f"{rng.randint(1, 3)}个"} if rng.random() < 0.3 else {},
            )
            for i in range(len(building_counts))
        ],
        batch_size=BATCH,
    )
    # Units: 2 to 4 per building, households spread over them, rooms numbered floor + door (301, 302 …).
    unit_plan = []
    for building, count in zip(buildings, building_counts, strict=True):
        n_units = min(count, rng.choice((2, 3, 4))) or 1
        unit_plan.append((building, _split(count, n_units)))
    units = Unit.objects.bulk_create(
        [Unit(building=b, name=f"{u + 1}单元") for b, per_unit in unit_plan for u in range(len(per_unit))],
        batch_size=BATCH,
    )
    unit_iter = iter(units)
    households = []
    for building, per_unit in unit_plan:
        for count in per_unit:
            unit = next(unit_iter)
            doors = 2 if count <= 14 else 4
            for k in range(count):
                households.append(
                    Household(
                        building=building,
                        unit=unit,
                        room=f"{k // doors + 1}{k % doors + 1:02d}",
                        code=f"BENCH-H{first_household + len(households) + 1:06d}",
                        area=grid,
                    )
                )
    Household.objects.bulk_create(households, batch_size=BATCH)

    residents: list[Resident] = []
    plans: list[tuple[Resident, int, int]] = []  # (resident, age, household size)
    for household, size in zip(households, sizes, strict=True):
        surname = people.surname()
        local = rng.random() < 0.8
        residence = rng.choice((ResidenceType.REGISTERED, ResidenceType.PERMANENT))
        if not local:
            residence = ResidenceType.FLOATING
        for relation, age, sex in _member_plan(rng, size):
            own_surname = people.surname() if relation in (Relation.SPOUSE, Relation.TENANT) else surname
            birth = people.birth_date(age)
            status = _status(rng, age)
            resident = Resident(
                name=own_surname + people.given_name(sex),
                sex=sex,
                birth_date=birth,
                household=household,
                relation=relation,
                area=grid,
                residence_type=residence,
                status=status,
                status_since=None if status == ResidentStatus.ACTIVE else TODAY - datetime.timedelta(days=90),
            )
            apply_identity(
                resident,
                phone=people.phone() if age >= 14 and rng.random() < 0.9 else "",
                id_number=people.id_number(birth, sex, local) if rng.random() < 0.97 else "",
            )
            residents.append(resident)
            plans.append((resident, age, size))
    Resident.objects.bulk_create(residents, batch_size=BATCH)

    # 楼栋长: most buildings have one, a resident of the building.
    first_in_building: dict[int, Resident] = {}
    for resident in residents:
        first_in_building.setdefault(resident.household.building_id, resident)
    leaders = []
    for building in buildings:
        if building.pk in first_in_building and rng.random() < 0.6:
            building.building_leader = first_in_building[building.pk]
            leaders.append(building)
    Building.objects.bulk_update(leaders, ["building_leader"], batch_size=BATCH)

    tags = []
    for resident, age, size in plans:
        codes = []
        if age >= 80 and rng.random() < 0.7:
            codes.append("aged")
        if age >= 65 and size == 1:
            codes.append("elderly_alone")
        if age >= 18 and rng.random() < 0.06:
            codes.append("party")
        if resident.sex == "M" and age >= 30 and rng.random() < 0.03:
            codes.append("veteran")
        if rng.random() < 0.03:
            codes.append("disability")
        if resident.relation == Relation.HEAD and rng.random() < 0.02:
            codes.append("dibao")
        for code in codes:
            tag_type = tag_types[code]
            tags.append(
                ResidentTag(
                    resident=resident,
                    tag_type=tag_type,
                    legal_basis="《残疾人保障法》/低保审批表" if tag_type.sensitive else "",
                    review_date=TODAY + datetime.timedelta(days=365) if tag_type.sensitive else None,
                )
            )
    ResidentTag.objects.bulk_create(tags, batch_size=BATCH)

    # The audit trail the actions would have left: one row per created building, household and resident,
    # and one per tag.
    path = grid.path
    events = [_event("places.building.create", content_types[Building], b, path) for b in buildings]
    events += [_event("places.household.create", content_types[Household], h, path) for h in households]
    events += [_event("people.resident.create", content_types[Resident], r, path) for r in residents]
    events += [
        _event(
            "people.resident.tag", content_types[Resident], t.resident, path, {"tag": [None, str(t.tag_type)]}
        )
        for t in tags
    ]
    AuditEvent.objects.bulk_create(events, batch_size=BATCH)

    report.counts["buildings"] += len(buildings)
    report.counts["units"] += len(units)
    report.counts["households"] += len(households)
    report.counts["residents"] += len(residents)
    report.counts["tags"] += len(tags)
    report.counts["audit events"] += len(events)


def analyze() -> None:
    """Refresh the planner's statistics (and PostgreSQL's visibility map), as autovacuum would after a bulk
    load: a registry in use has both."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
