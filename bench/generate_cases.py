"""Cases over the bench registry (bench/generate.py): two years of concerns in every grid, building and
household, each with the story the workflow would have written.

A case's story is simulated step by step from the moment it was registered (登记 → 派单 → 签收 → 反馈 → 核查 →
结案, or 就地办结, or 告知 and follow-up), with the category's time limits, late steps (warned, yellow, red),
handlers who return or are replaced, checks that send the work back, call-backs (回访) with a rating, and a
reopening when the resident was not satisfied. Whatever the story has reached by the bench's day (`NOW`) is
the case's state: so recent cases are open at every stage and old ones closed, except the few that got stuck
(open and red for months). Every step leaves the audit event the action would have written, which is what
the case page's timeline reads.

Written with bulk_create in batches of 1,000, one transaction per chunk of cases, with the generated times
(auto_now off). Cases get explicit ids in order of registration, as in a database that grew day by day.
"""

import datetime
import math
import random
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from minqing.accounts.models import User
from minqing.accounts.roles import Role
from minqing.cases import deadlines
from minqing.cases.models import (
    Case,
    Channel,
    Escalation,
    Extension,
    Feedback,
    Nature,
    Rating,
    Reporter,
    Status,
)
from minqing.core import workcal
from minqing.core.models import AuditEvent
from minqing.directory.models import Category
from minqing.organisations.models import Organisation, OrganisationKind
from minqing.people.models import Resident
from minqing.places.models import Area, AreaKind, Building, Household

from . import generate as registry

DEFAULT_SEED = 20250603
DEFAULT_CASES = 1_000_000
MARKER_ACTION = "bench.cases.generate"
DAYS = 730
# The bench's "now": the registry's day, at six in the evening. Two years of cases end here.
NOW = timezone.make_aware(datetime.datetime.combine(registry.TODAY, datetime.time(18)))
FIRST_DAY = NOW - datetime.timedelta(days=DAYS)
CHUNK = 10_000  # cases per transaction
BATCH = registry.BATCH
HOT_PER_GRID = 2  # cases a whole building raised (many reporters, a long timeline), per grid

DAY = datetime.timedelta(days=1)

# How often each category comes up (the rest: 1). Heating only in the heating season (see _category).
CATEGORY_WEIGHTS = {
    "C23": 9, "C22": 8, "C09": 7, "C02": 6, "C04": 6, "C15": 6, "C06": 5, "C07": 4, "C13": 4, "C18": 4,
    "C01": 3, "C19": 3, "C20": 3, "C30": 3, "C03": 2, "C11": 2, "C14": 2, "C21": 2, "C25": 2, "C29": 2,
    "C33": 2, "C34": 2, "C36": 2, "C40": 2,
}  # fmt: skip
# Who handles a category: a key of _Organisations (per community, per street office or district-wide).
ROUTES = {
    "C01": "property", "C02": "property", "C03": "property", "C04": "property", "C05": "community",
    "C06": "property", "C07": "property", "C08": "gas", "C09": "property", "C10": "urban",
    "C11": "urban", "C12": "urban", "C13": "urban", "C14": "urban", "C15": "police", "C16": "environment",
    "C17": "housing", "C18": "urban", "C19": "urban", "C20": "water", "C21": "power", "C22": "heating",
    "C23": "drainage", "C24": "telecom", "C25": "parks", "C26": "market", "C27": "police",
    "C28": "police", "C29": "police", "C30": "community", "C31": "community", "C32": "labour",
    "C33": "street", "C34": "community", "C35": "community", "C36": "labour", "C37": "health",
    "C38": "education", "C39": "police", "C40": "housing", "C41": "housing", "C42": "transport",
    "C43": "street",
}  # fmt: skip
# What residents say, by category ({b}: the building, {u}: the unit); other categories use their keywords.
SAYINGS = {
    "C23": ("{b}{u}下水道堵了，一楼返水", "化粪池满了，院里有味", "地漏冒水，厨房下水不走", "雨后楼前积水排不出去"),
    "C22": ("{b}{u}暖气不热，屋里才十四度", "暖气片不热，老人受不了", "供暖开始了家里还是凉的"),
    "C09": ("垃圾桶满了两天没人清", "{b}楼下垃圾堆着没清运", "垃圾站味大，夏天招苍蝇"),
    "C02": ("{b}{u}楼道灯不亮", "单元门门禁坏了关不上", "{b}二次供水水泵响"),
    "C04": ("{b}屋顶漏水，顶楼墙皮掉", "外墙皮脱落，怕砸着人", "楼上漏水到我家，找不到人"),
    "C15": ("晚上广场舞太吵", "楼上装修声大，周末一早就开始", "楼下饭店夜里噪音扰民"),
    "C06": ("车堵了消防通道", "有人私装地锁占车位", "{b}门口乱停车，救护车进不来"),
    "C07": ("{b}{u}楼道里电动车飞线充电", "楼道堆物，消防通道堵了", "灭火器过期了"),
    "C13": ("小区里有辆僵尸车好几个月了", "旧家具堆在楼下没人管"),
    "C18": ("{b}门前井盖缺了一块", "路面坑洼，下雨积水"),
    "C20": ("{b}停水了，没通知", "水压低，楼上用不上水", "自来水发黄"),
    "C30": ("邻居在楼道放杂物，说不通", "楼上楼下因为漏水吵起来了"),
}  # fmt: skip
NATURES = {
    Nature.HELP: 55,
    Nature.COMPLAINT: 20,
    Nature.ENQUIRY: 12,
    Nature.SUGGESTION: 6,
    Nature.REPORT: 4,
    Nature.PRAISE: 3,
}
CHANNELS = {
    Channel.VISIT: 20,
    Channel.PHONE: 20,
    Channel.WALK_IN: 15,
    Channel.PATROL: 15,
    Channel.HOTLINE: 15,
    Channel.PORTAL: 10,
    Channel.INBOX: 3,
    Channel.OPEN311: 2,
}
# Channels without a staff member at the desk: registered by "the system", the reporter being known.
SELF_SERVICE = {Channel.HOTLINE, Channel.PORTAL, Channel.INBOX, Channel.OPEN311}
RATINGS = {Rating.SATISFIED: 72, Rating.BASICALLY: 20, Rating.UNSATISFIED: 8}
ANSWERS = (
    "已派人疏通，恢复正常",
    "已维修完毕，居民确认",
    "已清运",
    "已现场处置，张贴告知",
    "已联系产权单位，本周内修复",
    "已约谈当事人，问题解决",
    "已更换配件",
)
PROPERTY_COMPANIES = ("安泰", "恒通", "嘉禾", "和顺", "金桥", "瑞丰", "华城", "宏达")
DISTRICT_ORGANISATIONS = (
    # (route key, name, short name, kind)
    ("urban", "二道区城市管理行政执法局", "城管", OrganisationKind.DEPARTMENT),
    ("housing", "二道区住房和城乡建设局", "住建", OrganisationKind.DEPARTMENT),
    ("environment", "二道区生态环境分局", "生态环境", OrganisationKind.DEPARTMENT),
    ("market", "二道区市场监督管理局", "市场监管", OrganisationKind.DEPARTMENT),
    ("labour", "二道区人力资源和社会保障局", "人社", OrganisationKind.DEPARTMENT),
    ("parks", "二道区园林绿化中心", "园林", OrganisationKind.DEPARTMENT),
    ("transport", "二道区交通运输局", "交通", OrganisationKind.DEPARTMENT),
    ("health", "二道区卫生健康局", "卫健", OrganisationKind.DEPARTMENT),
    ("education", "二道区教育局", "教育", OrganisationKind.DEPARTMENT),
    ("water", "长春水务集团二道供水所", "供水", OrganisationKind.UTILITY),
    ("power", "国网长春二道供电中心", "供电", OrganisationKind.UTILITY),
    ("heating", "长春热力二道分公司", "热力", OrganisationKind.UTILITY),
    ("gas", "长春燃气二道营业所", "燃气", OrganisationKind.UTILITY),
    ("drainage", "长春市政排水二道管理所", "排水", OrganisationKind.UTILITY),
    ("telecom", "二道区通信运营商联合服务站", "通信", OrganisationKind.UTILITY),
)


def marker(*, cases: int, seed: int, registry_marker: str) -> str:
    """What the bench records, so a later run knows which cases it finds (and over which registry)."""
    return f"bench cases: cases={cases} seed={seed} over {registry_marker}"


def existing_marker() -> str | None:
    return AuditEvent.objects.filter(action=MARKER_ACTION).values_list("reason", flat=True).first()


@contextmanager
def generated_times(*models):
    """bulk_create with the times we give (two years of history), not "now": auto_now(_add) off meanwhile."""
    fields = [
        f
        for model in models
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


# ---- who: organisations, staff, residents ----


@dataclass
class _World:
    grids: list[Area]
    community_of: dict[int, Area]  # grid id → its community
    street_of: dict[int, Area]  # grid id → its street office
    categories: list[Category]
    category_weights: list[float]
    organisations: dict[tuple, Organisation]  # (route key, area id or None) → organisation
    worker_of: dict[int, int]  # grid id → its grid worker's user id
    handler_of: dict[int, int]  # organisation id → a handler's user id
    buildings: dict[int, list[tuple[int, str, float]]]  # grid id → [(building id, name, weight)]
    units: dict[int, list[str]]  # building id → unit names
    households: dict[int, list[tuple[int, str]]]  # building id → [(household id, unit name)]
    members: dict[int, list[tuple[int, str]]]  # household id → [(resident id, name)]

    def organisation(self, key: str, grid_id: int) -> Organisation:
        community, street = self.community_of[grid_id], self.street_of[grid_id]
        for scope in (community.pk, street.pk, None):
            if (key, scope) in self.organisations:
                return self.organisations[(key, scope)]
        raise KeyError(key)


def _area_of_kind(grid: Area, by_id: dict[int, Area], kind: str) -> Area:
    for pk in reversed(grid.ancestor_ids()):
        area = by_id.get(pk)
        if area is not None and area.kind == kind:
            return area
    return grid


def _organisations(district: Area, communities: list[Area], streets: list[Area]) -> dict[tuple, Organisation]:
    """The organisations cases go to: a property company and the residents' committee of each community,
    each street office and its police station, and the district's departments and utilities."""
    plan = []  # (key, scope area or None, name, short name, kind, areas served)
    for n, community in enumerate(communities):
        company = PROPERTY_COMPANIES[n % len(PROPERTY_COMPANIES)]
        plan.append(
            (
                "property",
                community,
                f"{company}物业服务有限公司（{community.name}）",
                f"{company}物业",
                OrganisationKind.PROPERTY,
                [community],
            )
        )
        plan.append(
            (
                "community",
                community,
                f"{community.name}居民委员会",
                community.name,
                OrganisationKind.COMMUNITY,
                [community],
            )
        )
    for street in streets:
        plan.append(
            ("street", street, f"{street.name}办事处", street.name, OrganisationKind.STREET_OFFICE, [street])
        )
        plan.append(
            (
                "police",
                street,
                f"{street.name.removesuffix('街道')}派出所",
                "",
                OrganisationKind.POLICE,
                [street],
            )
        )
    for key, name, short, kind in DISTRICT_ORGANISATIONS:
        plan.append((key, None, f"{name}（基准）", short, kind, [district]))
    found = {}
    for key, scope, name, short, kind, areas in plan:
        organisation, created = Organisation.objects.get_or_create(
            name=name, defaults={"short_name": short, "kind": kind, "service_phone": "12345"}
        )
        if created:
            organisation.areas.set(areas)
        found[(key, scope.pk if scope else None)] = organisation
    return found


def _users(grids: list[Area], organisations: list[Organisation]) -> tuple[dict[int, int], dict[int, int]]:
    """A grid worker per grid and a handler per organisation: the actors of the timelines."""
    password = make_password(None)
    wanted = [
        User(
            username=f"bench-gw-{grid.code}",
            first_name=f"网格员{grid.code[-3:]}",
            role=Role.GRID_WORKER,
            password=password,
        )
        for grid in grids
    ] + [
        User(
            username=f"bench-org-{o.pk}",
            first_name=f"{o}经办人",
            role=Role.ORG_HANDLER,
            organisation=o,
            password=password,
        )
        for o in organisations
    ]
    existing = set(
        User.objects.filter(username__in=[u.username for u in wanted]).values_list("username", flat=True)
    )
    User.objects.bulk_create([u for u in wanted if u.username not in existing], batch_size=BATCH)
    by_name = dict(
        User.objects.filter(username__in=[u.username for u in wanted]).values_list("username", "pk")
    )
    through = User.areas.through
    through.objects.filter(user_id__in=[by_name[f"bench-gw-{g.code}"] for g in grids]).delete()
    through.objects.bulk_create([through(user_id=by_name[f"bench-gw-{g.code}"], area_id=g.pk) for g in grids])
    workers = {grid.pk: by_name[f"bench-gw-{grid.code}"] for grid in grids}
    handlers = {o.pk: by_name[f"bench-org-{o.pk}"] for o in organisations}
    return workers, handlers


def _world() -> _World:
    district = Area.objects.get(code=registry.DISTRICT_CODE)
    areas = list(Area.objects.filter(path__startswith=district.path).order_by("path"))
    by_id = {a.pk: a for a in areas}
    grids = sorted((a for a in areas if a.kind == AreaKind.GRID), key=lambda a: a.code)
    communities = sorted((a for a in areas if a.kind == AreaKind.COMMUNITY), key=lambda a: a.code)
    streets = sorted((a for a in areas if a.kind == AreaKind.STREET_OFFICE), key=lambda a: a.code)
    organisations = _organisations(district, communities, streets)
    workers, handlers = _users(grids, list(organisations.values()))
    categories = list(Category.objects.filter(active=True).order_by("code"))
    if not categories:
        raise SystemExit("No concern categories: the directory's migrations seed them (migrate first).")

    buildings: dict[int, list] = {}
    for pk, area_id, name, year in Building.objects.filter(area__in=grids).values_list(
        "pk", "area_id", "name", "year_built"
    ):
        # Old buildings have more to complain about.
        weight = 2.0 if year and year < 1990 else 1.0
        buildings.setdefault(area_id, []).append((pk, name, weight))
    households: dict[int, list] = {}
    units: dict[int, list] = {}
    for pk, building_id, unit in (
        Household.objects.filter(area__in=grids).values_list("pk", "building_id", "unit__name").order_by("pk")
    ):
        households.setdefault(building_id, []).append((pk, unit or ""))
        if unit and unit not in units.setdefault(building_id, []):
            units[building_id].append(unit)
    members: dict[int, list] = {}
    for pk, household_id, name in (
        Resident.objects.filter(area__in=grids, status="active")
        .values_list("pk", "household_id", "name")
        .order_by("pk")
    ):
        members.setdefault(household_id, []).append((pk, name))
    return _World(
        grids=grids,
        community_of={g.pk: _area_of_kind(g, by_id, AreaKind.COMMUNITY) for g in grids},
        street_of={g.pk: _area_of_kind(g, by_id, AreaKind.STREET_OFFICE) for g in grids},
        categories=categories,
        category_weights=[CATEGORY_WEIGHTS.get(c.code, 1) for c in categories],
        organisations=organisations,
        worker_of=workers,
        handler_of=handlers,
        buildings=buildings,
        units=units,
        households=households,
        members=members,
    )


# ---- the story of one case ----


@dataclass
class _Story:
    """A case being simulated: its fields, and what the audit trail, reporters and call-backs record."""

    case: Case
    grid: Area
    worker: int
    events: list[AuditEvent] = field(default_factory=list)
    reporters: list[Reporter] = field(default_factory=list)
    feedback: list[tuple[int, Feedback]] = field(default_factory=list)  # (reporter index, call-back)
    extensions: list[Extension] = field(default_factory=list)
    stopped: bool = False  # the story has reached the bench's day: nothing more happens

    def event(
        self, at, action: str, actor: int | None, changes: dict | None = None, reason: str = ""
    ) -> bool:
        """Record a step at `at`, unless that is after the bench's day (then the story stops here)."""
        if self.stopped or at > NOW:
            self.stopped = True
            return False
        self.events.append(
            AuditEvent(
                at=at,
                actor_id=actor,
                action=f"cases.case.{action}",
                target_id=str(self.case.pk),
                target_label=self.case.reference,
                area_path=self.grid.path,
                changes=changes or {},
                reason=reason,
            )
        )
        self.case.updated_at = at
        return True

    def move(self, at, action: str, actor: int | None, target: str, reason: str = "", **changes) -> bool:
        before = self.case.status
        if not self.event(at, action, actor, {"status": [before, target], **changes}, reason):
            return False
        self.case.status = target
        self.case.version += 1
        return True


_ZONE = timezone.get_default_timezone()
# Working time as the deadlines count it (core.workcal: weekdays, the official calendar, settings.WORKING_HOURS),
# read once: the bench database's calendar covers these two years.
_CALENDAR = None
_SPANS = None


def _calendar() -> workcal.WorkCalendar:
    global _CALENDAR
    if _CALENDAR is None:
        _CALENDAR = workcal.WorkCalendar.load(FIRST_DAY.date(), (NOW + 800 * DAY).date())
    return _CALENDAR


def _local(at: datetime.datetime) -> datetime.datetime:
    """`at` in the site's time zone (timezone.localtime without its per-call lookups: 1,000,000 cases)."""
    return at.astimezone(_ZONE)


def _working(at: datetime.datetime, hours: float) -> datetime.datetime:
    """`hours` of working time after `at`: workcal.add_working_hours, on the calendar read once and the
    working hours parsed once (it runs a few million times here). The site's zone has no summer time."""
    global _SPANS
    if _SPANS is None:
        _SPANS = [(workcal._seconds(s.start), workcal._seconds(s.end)) for s in workcal.working_spans()]
    calendar = _calendar()
    local = at.astimezone(_ZONE)
    remaining = hours * 3600
    day = local.date()
    position = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
    while True:
        if calendar.is_workday(day):
            for span_start, span_end in _SPANS:
                start = max(span_start, position)
                if start >= span_end:
                    continue
                if remaining <= span_end - start:
                    midnight = datetime.datetime.combine(day, datetime.time(0), tzinfo=_ZONE)
                    return midnight + datetime.timedelta(seconds=start + remaining)
                remaining -= span_end - start
        day += DAY
        position = 0


def _after(rng: random.Random, at, median: float, spread: float = 0.7, *, stuck=None) -> datetime.datetime:
    """A step taken a lognormal number of working hours (around `median`) after `at`, plus `stuck`
    calendar time when it got stuck."""
    if stuck:
        at += stuck
    return _working(at, median * math.exp(rng.gauss(0, spread)))


def _stuck(rng: random.Random, hot: bool, share: float = 0.005) -> datetime.timedelta:
    """Now and then a step takes months (nobody answers, the money is not there)."""
    if not hot and rng.random() < share:
        return datetime.timedelta(days=rng.uniform(20, 400))
    return datetime.timedelta(0)


def _clock(story: _Story, stage: str, start, done, *, due=None) -> bool:
    """The time limit of `stage` running from `start` until the step is `done`, as cases/deadlines.py sets
    it: warned at 80 % of the time, yellow when it passes, red when it has passed twice over; each of these
    leaves its audit event. True when the step was done before the bench's day; otherwise the clock is left
    running on the case and the story stops."""
    case = story.case
    hours = deadlines.limit_hours(case, stage)
    if due is None:
        due, warn = _working(start, hours), _working(start, hours * deadlines.WARN_SHARE)
    else:  # a limit kept from before (a send-back) or extended
        warn = due if due <= start else start + (due - start) * deadlines.WARN_SHARE
    red = _working(due, hours)
    setattr(case, f"{stage}_due_at", due)
    end = min(done, NOW)
    stamp = {"due_at": [None, _local(due).isoformat(timespec="minutes")]}
    if end > warn and warn > start:
        story.event(warn, "deadline_warning", None, stamp)
    if end > due:
        case.overdue = True
        story.event(due, "escalated_yellow", None, stamp)
    if end > red:
        story.event(red, "escalated_red", None, stamp)
    if done <= NOW:
        return True
    case.due_at, case.warn_at, case.red_at = due, warn, red
    case.warned = warn < NOW
    case.escalation = Escalation.RED if red < NOW else Escalation.YELLOW if due < NOW else Escalation.NONE
    story.stopped = True
    return False


def _stop_clock(case: Case) -> None:
    case.due_at = case.warn_at = case.red_at = None
    case.warned, case.escalation = False, Escalation.NONE


def _round(rng, world: _World, story: _Story, category: Category, at, *, hot: bool):
    """派单 → 签收 → 反馈 → 核查 → 结案 from `at`, with what goes wrong on the way (a handler returns it, it
    is reassigned, the check sends the work back, a late step). Returns the closing time, or None when the
    story stopped before."""
    case = story.case
    key = ROUTES.get(category.code, "community")
    organisation = world.organisation(key, story.grid.pk)
    returns = 1 if rng.random() < 0.02 or hot else 0
    reassigns = 1 if rng.random() < 0.03 or hot else 0
    sent_back = rng.random() < 0.04 or hot

    at = _after(rng, at, 1.5, 1.0)
    if not _dispatch(story, world, organisation, category, at, "dispatch"):
        return None
    while True:
        handler = world.handler_of[organisation.pk]
        if returns and rng.random() < 0.7:
            # 退回: not ours. Back to the grid, dispatched again, to the residents' committee.
            returns -= 1
            back = _after(rng, at, 2)
            if not _clock(story, "accept", at, back):
                return None
            changes = {"organisation": [str(organisation), None]}
            if not story.move(back, "return", handler, Status.REGISTERED, "不属于我单位职责", **changes):
                return None
            case.organisation = None
            _stop_clock(case)
            organisation = world.organisation("community", story.grid.pk)
            at = _after(rng, back, 1.5)
            if not _dispatch(story, world, organisation, category, at, "dispatch"):
                return None
            continue
        accepted = _after(rng, at, 1.0, stuck=_stuck(rng, hot, 0.002))
        if not _clock(story, "accept", at, accepted):
            return None
        if not story.move(accepted, "accept", handler, Status.ACCEPTED):
            return None
        case.accepted_at, case.answered_at = accepted, None
        if not reassigns:
            break
        # 改派: accepted, then found to be somebody else's job.
        reassigns -= 1
        again = _after(rng, accepted, 6)
        if not _clock(story, "finish", accepted, again):
            return None
        previous = organisation
        organisation = world.organisation("urban" if key != "urban" else "housing", story.grid.pk)
        note = f"应由{organisation}处理"
        if not _dispatch(
            story, world, organisation, category, again, "reassign", note=note, previous=previous
        ):
            return None
        at = again

    finish_due = None
    while True:
        answered = _after(rng, accepted, 10, stuck=_stuck(rng, hot, 0.006))
        if hot and finish_due is None:
            # A whole building's problem: more time asked for, and granted.
            asked = _after(rng, accepted, 8)
            if asked < answered and story.event(
                asked,
                "extension_requested",
                handler,
                {"days": [None, 5]},
                "需协调产权单位，申请延期5个工作日",
            ):
                granted = _after(rng, asked, 2)
                story.event(granted, "extension_granted", story.worker, {"days": [None, 5]})
                story.extensions.append(
                    Extension(
                        case=case,
                        requested_by_id=handler,
                        days=5,
                        reason="需协调产权单位",
                        state=Extension.State.GRANTED,
                        decided_by_id=story.worker,
                        decided_at=granted,
                        created_at=asked,
                    )
                )
                limit = deadlines.limit_hours(case, "finish")
                finish_due = _working(_working(accepted, limit), 5 * workcal.workday_hours())
        if not _clock(story, "finish", accepted, answered, due=finish_due):
            return None
        if not story.move(answered, "answer", handler, Status.ANSWERED, rng.choice(ANSWERS)):
            return None
        case.answered_at = answered
        checked = _after(rng, answered, 4, 0.6, stuck=_stuck(rng, hot, 0.002))
        if not _clock(story, "verify", answered, checked):
            return None
        if not sent_back:
            break
        # 核查不通过: back to work against the original limit (or one more working day if it has passed).
        sent_back = False
        if not story.move(checked, "send_back", story.worker, Status.ACCEPTED, "现场查看未修好"):
            return None
        finish_due = case.finish_due_at
        if finish_due <= checked:
            finish_due = _working(checked, workcal.workday_hours())
        accepted = checked

    case.verified_by_id = story.worker
    if not story.move(checked, "verify", story.worker, Status.VERIFIED):
        return None
    _stop_clock(case)
    closed = _after(rng, checked, 2)
    if not story.move(closed, "close", story.worker, Status.CLOSED, "已办结"):
        return None
    case.closed_at = closed
    return closed


def _dispatch(story, world, organisation, category, at, name, *, note="", previous=None) -> bool:
    case = story.case
    changes = {"organisation": [str(previous) if previous else None, str(organisation)]}
    if case.category_id is None:
        changes["category"] = [None, str(category)]
    if not story.move(at, name, story.worker, Status.DISPATCHED, note, **changes):
        return False
    case.organisation = organisation
    case.category = category
    case.dispatched_at, case.accepted_at, case.answered_at = at, None, None
    return True


def _callback(rng, story: _Story, closed, *, hot: bool, second: bool = False) -> str:
    """回访 a few days after closing: the rating the resident gave ("" when none or not reached)."""
    case = story.case
    if not story.reporters or rng.random() > (1.0 if hot else 0.9):
        return ""
    at = _after(rng, closed, 16)
    contacted = rng.random() < 0.93
    rating = ""
    if contacted:
        rating = rng.choices(list(RATINGS), list(RATINGS.values()))[0]
        if second and rating == Rating.UNSATISFIED:
            rating = Rating.BASICALLY
    note = {Rating.UNSATISFIED: "问题没解决，还是老样子"}.get(rating, "")
    changes = {"rating": [case.rating or None, rating]} if rating else {}
    if not story.event(at, "feedback", story.worker, changes, note):
        return ""
    story.feedback.append(
        (
            0,
            Feedback(
                case=case,
                area_id=case.area_id,
                contacted=contacted,
                solved=(rating != Rating.UNSATISFIED) if contacted else None,
                rating=rating,
                note=note,
                recorded_by_id=story.worker,
                recorded_at=at,
            ),
        )
    )
    if rating:
        case.rating = rating
        case.version += 1
    return rating


def _reporters(rng, world: _World, people, story: _Story, *, count: int, at, hot: bool) -> None:
    """1–3 people raised it (a whole staircase for a hot case): residents of the household or building when
    it is about one, else people who gave a name or a phone number."""
    case = story.case
    household = world.members.get(case.household_id, []) if case.household_id else []
    building = []
    if case.building_id:
        for household_id, _unit in world.households.get(case.building_id, []):
            building.extend(world.members.get(household_id, ()))
    taken = set()
    for n in range(count):
        pool = household if (n == 0 and household and rng.random() < 0.85) else building
        resident = None
        if pool and rng.random() < (0.9 if hot else 0.55):
            resident = rng.choice(pool)
            if resident[0] in taken:
                resident = None
        if resident is not None:
            taken.add(resident[0])
            name, phone = resident[1], people.phone() if rng.random() < 0.2 else ""
        else:
            sex = rng.choice("MF")
            name = people.surname() + people.given_name(sex) if rng.random() < 0.9 else ""
            phone = people.phone() if rng.random() < 0.85 or not name else ""
        added = at if n == 0 else _after(rng, at, 12 if hot else 4, 1.0)
        if n > 0 and not story.event(added, "me_too", story.worker):
            break
        story.reporters.append(
            Reporter(
                case=case,
                resident_id=resident[0] if resident else None,
                name=name,
                phone=phone,
                confidential=rng.random() < 0.05,
                wants_news=rng.random() < 0.85 or hot,
                share_phone=rng.random() < 0.2,
                added_at=added,
            )
        )
    story.stopped = False  # a late "me too" stops nothing else


def _story(rng, world: _World, people, pk: int, created, grid: Area, *, hot: bool, recent: dict) -> _Story:
    """Case `pk`, registered at `created` in `grid`, and everything that happened to it until NOW.
    `recent`: the last case of each building (id, reference, time), for duplicates."""
    channel = rng.choices(list(CHANNELS), list(CHANNELS.values()))[0]
    self_service = channel in SELF_SERVICE
    worker = world.worker_of[grid.pk]
    category = _category(rng, world, created, hot)
    building = household = None
    unit = ""
    weights = world.buildings.get(grid.pk)
    if weights and (hot or rng.random() < 0.9):
        building = rng.choices(weights, [w for _pk, _name, w in weights])[0]
        homes = world.households.get(building[0], [])
        if homes and not hot and rng.random() < 0.5:
            household_id, unit = rng.choice(homes)
            household = household_id
        elif world.units.get(building[0]):
            unit = rng.choice(world.units[building[0]])
    sayings = SAYINGS.get(category.code) or (
        f"反映{category.keywords.split()[0]}的问题" if category.keywords else category.name[:30],
    )
    description = rng.choice(sayings).format(b=building[1] if building else "", u=unit)
    if hot and building:
        description = f"{building[1]}全楼反映：{description}，多次报修未解决"
    duplicate_of = None
    if building and not hot and rng.random() < 0.01:
        # Now and then the same concern is registered again within days: a duplicate, merged.
        last = recent.get(building[0])
        if last and created - last[2] < 14 * DAY:
            duplicate_of = last
    if building:
        recent[building[0]] = (pk, f"MQ{_local(created):%y%m%d}{pk:05d}", created)
    case = Case(
        id=pk,
        reference=f"MQ{_local(created):%y%m%d}{pk:05d}",
        external_reference=f"GD{_local(created):%y%m%d}{pk:07d}" if channel == Channel.HOTLINE else "",
        description=description,
        nature=rng.choices(list(NATURES), list(NATURES.values()))[0],
        channel=channel,
        # Staff pick the category when they register; the hotline and the portal leave it to dispatch.
        category=None if self_service and rng.random() < 0.6 else category,
        urgent=rng.random() < 0.03,
        people_affected=rng.randint(10, 200) if hot else rng.choice((1, 1, 1, 1, 2, 3, 5)),
        risk=rng.random() < 0.02,
        area=grid,
        building_id=building[0] if building else None,
        household_id=household,
        address="" if building else f"{rng.choice(registry.ROADS)}与{rng.choice(registry.ROADS)}交口",
        status=Status.REGISTERED,
        registered_by_id=None if self_service else worker,
        created_at=created,
        updated_at=created,
        version=1,
    )
    story = _Story(case=case, grid=grid, worker=worker)
    story.event(
        created,
        "register",
        None if self_service else worker,
        {"status": [None, Status.REGISTERED], "channel": [None, channel]},
        {Channel.HOTLINE: "12345", Channel.PORTAL: "portal", Channel.OPEN311: "open311"}.get(channel, ""),
    )
    reporters = (
        0 if channel == Channel.PATROL and rng.random() < 0.7 else rng.choices((1, 2, 3), (75, 18, 7))[0]
    )
    if hot:
        reporters = rng.randint(20, 60)
    if reporters:
        _reporters(rng, world, people, story, count=reporters, at=created, hot=hot)

    if duplicate_of is not None:
        # The same concern registered twice: merged into the earlier case, which keeps the reporters.
        at = _after(rng, created, 2)
        if story.move(at, "merged_into", worker, Status.CLOSED, f"与{duplicate_of[1]}为同一诉求"):
            case.merged_into_id, case.closed_at = duplicate_of[0], at
            story.events.append(
                AuditEvent(
                    at=at,
                    actor_id=worker,
                    action="cases.case.merged_from",
                    target_id=str(duplicate_of[0]),
                    target_label=duplicate_of[1],
                    area_path=grid.path,
                    changes={"merged": [None, case.reference]},
                )
            )
            for reporter in story.reporters:
                reporter.case_id = duplicate_of[0]
                reporter.resident_id = None  # may already report the kept case
        return story

    roll = rng.random()
    if not hot and roll < 0.08 and channel in (Channel.VISIT, Channel.PATROL, Channel.WALK_IN):
        # 就地办结: sorted out on the spot.
        at = created + datetime.timedelta(minutes=rng.uniform(10, 120))
        if story.move(at, "resolve_on_spot", worker, Status.CLOSED, rng.choice(ANSWERS)):
            case.closed_at = at
            case.category = category
            _callback(rng, story, at, hot=False)
        return story
    if not hot and roll < 0.14:
        # 告知: told whom to contact; followed up the next working day or so.
        at = created + datetime.timedelta(minutes=rng.uniform(5, 40))
        if not story.move(at, "refer", worker, Status.REFERRED, "已告知联系方式"):
            return story
        case.category = category
        case.follow_up_on = workcal.add_working_days(_local(at).date(), 1, calendar=_calendar())
        follow = _after(rng, _working(at, workcal.workday_hours()), 3, stuck=_stuck(rng, False, 0.03))
        if story.move(follow, "close_referral", worker, Status.CLOSED, "已回访，问题已解决"):
            case.closed_at = follow
        return story
    start = created
    if not hot and rng.random() < 0.003:
        start += datetime.timedelta(days=rng.uniform(5, 300))  # nobody dispatched it for a long time
    closed = _round(rng, world, story, category, start, hot=hot)
    if closed is None:
        return story
    if _callback(rng, story, closed, hot=hot) == Rating.UNSATISFIED:
        # 不满意重办: reopened with the resident's words, and handled again.
        at = _after(rng, closed, 20)
        if not story.move(at, "reopen", story.worker, Status.REGISTERED, "不满意：问题没解决，还是老样子"):
            return story
        case.closed_at, case.verified_by_id, case.rating = None, None, ""
        closed = _round(rng, world, story, category, at, hot=hot)
        if closed is not None:
            _callback(rng, story, closed, hot=hot, second=True)
    return story


def _category(rng, world: _World, created, hot: bool) -> Category:
    """A category by weight; heating complaints in the heating season (mid-October to mid-April) only."""
    month = _local(created).month
    while True:
        category = rng.choices(world.categories, world.category_weights)[0]
        in_season = category.code != "C22" or month in (10, 11, 12, 1, 2, 3, 4)
        if in_season and (
            not hot or ROUTES.get(category.code) in ("property", "heating", "drainage", "water")
        ):
            return category


# ---- the generator ----


@dataclass
class CaseReport:
    cases: int
    seed: int
    seconds: float = 0.0
    counts: dict = field(default_factory=dict)


def generate_cases(
    *, cases: int = DEFAULT_CASES, seed: int = DEFAULT_SEED, progress: Callable[[str], None] = print
) -> CaseReport:
    """`cases` cases over the bench registry in the default database (which must hold one and no cases yet),
    then the marker that says so."""
    if cases < 1:
        raise ValueError("Generate at least one case.")
    registry_marker = registry.existing_marker()
    if registry_marker is None:
        raise RuntimeError("No bench registry in this database: generate one first (bench/generate.py).")
    started = time.perf_counter()
    rng = random.Random(seed)
    people = registry._People(rng)
    world = _world()
    case_type = ContentType.objects.get_for_model(Case)
    report = CaseReport(cases=cases, seed=seed)
    counts = report.counts
    for name in ("cases", "reporters", "call-backs", "audit events", "extensions", "open", "overdue now"):
        counts[name] = 0
    progress(
        f"Generating {cases:,} cases over {len(world.grids)} grids and {DAYS} days "
        f"({registry.TODAY - datetime.timedelta(days=DAYS)} to {registry.TODAY}), seed {seed} …"
    )

    # When and where, decided up front: registration times in order (ids grow with time, as in a database
    # filled day by day), busier and quieter grids, and which cases a whole building raised.
    span = (NOW - FIRST_DAY).total_seconds()
    grid_weights = [rng.uniform(0.5, 1.5) for _ in world.grids]
    whens = sorted(_registration_offset(rng, span) for _ in range(cases))
    where = rng.choices(range(len(world.grids)), grid_weights, k=cases)
    hot = set()
    by_grid: dict[int, list[int]] = {}
    for n, g in enumerate(where):
        by_grid.setdefault(g, []).append(n)
    for indexes in by_grid.values():
        # Old enough to have a long story: registered in the first twenty-two months.
        early = [n for n in indexes if whens[n] < span * 0.9]
        hot.update(rng.sample(early, min(HOT_PER_GRID, len(early))))
    first_pk = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    recent: dict[int, tuple[int, str, datetime.datetime]] = {}  # building → its last case (id, ref, time)

    with generated_times(Case, Reporter, Feedback, AuditEvent, Extension):
        for chunk_start in range(0, cases, CHUNK):
            stories = []
            for n in range(chunk_start, min(chunk_start + CHUNK, cases)):
                created = FIRST_DAY + datetime.timedelta(seconds=whens[n])
                grid = world.grids[where[n]]
                pk = first_pk + n
                stories.append(_story(rng, world, people, pk, created, grid, hot=n in hot, recent=recent))
            _write(stories, case_type, counts)
            done = min(chunk_start + CHUNK, cases)
            if done % 50_000 == 0 or done == cases:
                elapsed = time.perf_counter() - started
                progress(
                    f"  {done:,} cases, {counts['audit events']:,} audit events, {counts['reporters']:,} "
                    f"reporters ({elapsed:.0f} s, {done / elapsed:,.0f} cases/s, "
                    f"about {elapsed / done * (cases - done):.0f} s to go)"
                )
    _reset_sequence()
    AuditEvent.objects.create(
        action=MARKER_ACTION, reason=marker(cases=cases, seed=seed, registry_marker=registry_marker)
    )
    report.seconds = time.perf_counter() - started
    progress(f"Generated in {report.seconds:.0f} s: " + ", ".join(f"{n:,} {k}" for k, n in counts.items()))
    return report


def _registration_offset(rng: random.Random, span: float) -> float:
    """Seconds after FIRST_DAY: any day, mostly in the daytime, a little busier towards the end (more people
    use it every month)."""
    days = int(span // 86400)
    while True:
        day = min(days - 1, int(days * rng.random() ** 0.8))
        hour = rng.uniform(8, 20) if rng.random() < 0.8 else rng.uniform(0, 24)
        offset = day * 86400 + hour * 3600
        if offset < span:
            return offset


def _write(stories: list[_Story], case_type, counts: dict) -> None:
    """One chunk of cases and all they recorded, in one transaction."""
    events = [e for s in stories for e in s.events]
    for event in events:
        event.target_type_id = case_type.pk
    events.sort(key=lambda e: e.at)  # the trail is written as things happen
    reporters = sorted((r for s in stories for r in s.reporters), key=lambda r: r.added_at)
    with transaction.atomic():
        Case.objects.bulk_create([s.case for s in stories], batch_size=BATCH)
        Reporter.objects.bulk_create(reporters, batch_size=BATCH)
        callbacks = []
        for story in stories:
            for index, feedback in story.feedback:
                feedback.reporter = (
                    story.reporters[index] if story.reporters[index].case_id == story.case.pk else None
                )
                callbacks.append(feedback)
        Feedback.objects.bulk_create(callbacks, batch_size=BATCH)
        Extension.objects.bulk_create([x for s in stories for x in s.extensions], batch_size=BATCH)
        AuditEvent.objects.bulk_create(events, batch_size=BATCH)
    counts["cases"] += len(stories)
    counts["reporters"] += len(reporters)
    counts["call-backs"] += len(callbacks)
    counts["audit events"] += len(events)
    counts["extensions"] += sum(len(s.extensions) for s in stories)
    counts["open"] += sum(s.case.status != Status.CLOSED for s in stories)
    counts["overdue now"] += sum(s.case.escalation > 0 for s in stories)


def _reset_sequence() -> None:
    """Cases were written with their ids: PostgreSQL's sequence has to hear about it."""
    statements = connection.ops.sequence_reset_sql(no_style(), [Case])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
