"""Server time of the registry's search and pages, through django.test.Client, for one account of each scope.

Each case is requested a few times to warm up, then `repeat` times timed (the whole request: middleware,
session, view, queries, template), then once more under CaptureQueriesContext to count its SQL queries.
"""

import json
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from urllib.parse import urlencode

from django.db import close_old_connections, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from minqing.accounts.models import User
from minqing.accounts.roles import Role
from minqing.people.models import Resident
from minqing.places.models import Area, AreaKind, Building, Household

from .generate import DISTRICT_CODE, tag_type

SEARCH_TARGET_MS = 100
PAGE_TARGET_MS = 150
# Two characters no generated name contains: the search has to look at everybody in scope (the worst case).
NO_MATCH = "翠花"
# One character, the commonest surname: about one person in ten matches (a broad search).
SURNAME = "王"


@dataclass(frozen=True)
class Targets:
    """The places and people the cases open: one street office, its first community and that community's
    first grid, a building in the grid, a household in it and one of its members."""

    street: Area
    community: Area
    grid: Area
    building: Building
    household: Household
    resident: Resident

    @property
    def name_fragment(self) -> str:
        # Two characters of a real name: the given name of a three-character name.
        return self.resident.name[-2:]

    @property
    def address_words(self) -> str:
        # Building and room: the search reads it as an address (3号楼 301 → 3号楼, room 301).
        return f"{self.building.name} {self.household.room}"

    @property
    def unit_room_words(self) -> str:
        # Unit and room without the building: two words, each matched against names and addresses.
        return f"{self.household.unit.name} {self.household.room}"


@dataclass(frozen=True)
class Case:
    name: str
    scope: str
    url: str
    target_ms: int


@dataclass
class Result:
    case: Case
    status: int
    times_ms: list[float] = field(default_factory=list)
    queries: int = 0
    slowest_sql: str = ""
    slowest_sql_ms: float = 0.0

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95_ms(self) -> float:
        # Nearest rank: with 20 runs, the 19th fastest.
        ordered = sorted(self.times_ms)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def verdict(self) -> str:
        if self.status != 200:
            return f"ERROR {self.status}"
        if self.median_ms > self.case.target_ms:
            return "SLOW"
        if self.p95_ms > self.case.target_ms:
            return "OK (p95 over)"
        return "OK"


def pick_targets() -> Targets:
    district = Area.objects.get(code=DISTRICT_CODE)
    street = Area.objects.filter(parent=district).order_by("code").first()
    community = Area.objects.filter(parent=street, kind=AreaKind.COMMUNITY).order_by("code").first()
    grid = Area.objects.filter(parent=community, kind=AreaKind.GRID).order_by("code").first()
    buildings = list(Building.objects.filter(area=grid).order_by("code"))
    building = buildings[len(buildings) // 2]
    # A household of a few people, and in it somebody with a phone and a three-character name.
    candidates = (
        Resident.objects.filter(household__building=building, status="active")
        .exclude(phone_digest="")
        .order_by("household_id", "id")
    )
    resident = next((r for r in candidates if len(r.name) == 3), None) or candidates.first()
    if resident is None:
        resident = Resident.objects.filter(household__building=building).order_by("id").first()
    return Targets(
        street=street,
        community=community,
        grid=grid,
        building=building,
        household=resident.household,
        resident=resident,
    )


def bench_users(targets: Targets) -> dict[str, User]:
    """One staff account per scope: a grid worker, a community admin, a street-office officer."""
    plan = {
        "grid": (Role.GRID_WORKER, targets.grid),
        "community": (Role.COMMUNITY_ADMIN, targets.community),
        "street": (Role.STREET_OFFICER, targets.street),
    }
    users = {}
    for scope, (role, area) in plan.items():
        user, created = User.objects.get_or_create(
            username=f"bench-{scope}", defaults={"role": role, "first_name": f"bench {scope}"}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        user.areas.set([area])
        users[scope] = user
    return users


def build_cases(targets: Targets) -> list[Case]:
    aged = tag_type("aged")

    def q(query: str) -> str:
        return f"{reverse('core:search')}?{urlencode({'q': query})}"

    all_scopes = ("grid", "community", "street")
    above_grid = ("community", "street")
    plan: list[tuple[str, str, tuple[str, ...], bool]] = [
        (f"search name '{targets.name_fragment}'", q(targets.name_fragment), all_scopes, False),
        (f"search name '{NO_MATCH}' (nobody)", q(NO_MATCH), all_scopes, False),
        (f"search name '{SURNAME}' (surname)", q(SURNAME), all_scopes, False),
        ("search phone", q(targets.resident.phone), all_scopes, False),
        (f"search '{targets.address_words}'", q(targets.address_words), all_scopes, False),
        (f"search '{targets.unit_room_words}'", q(targets.unit_room_words), all_scopes, False),
        ("grid page", reverse("places:area", args=[targets.grid.pk]), all_scopes, True),
        ("community page", reverse("places:area", args=[targets.community.pk]), above_grid, True),
        ("street office page", reverse("places:area", args=[targets.street.pk]), ("street",), True),
        ("grid residents", reverse("places:area_residents", args=[targets.grid.pk]), all_scopes, True),
        (
            "community residents",
            reverse("places:area_residents", args=[targets.community.pk]),
            above_grid,
            True,
        ),
        (
            f"community residents, tag {aged.name}",
            f"{reverse('places:area_residents', args=[targets.community.pk])}?{urlencode({'tag': aged.code})}",
            above_grid,
            True,
        ),
        (
            "street office residents",
            reverse("places:area_residents", args=[targets.street.pk]),
            ("street",),
            True,
        ),
        ("building page", reverse("places:building", args=[targets.building.pk]), all_scopes, True),
        ("household page", reverse("places:household", args=[targets.household.pk]), all_scopes, True),
        ("resident page", reverse("people:resident", args=[targets.resident.pk]), all_scopes, True),
    ]
    return [
        Case(name=name, scope=scope, url=url, target_ms=PAGE_TARGET_MS if is_page else SEARCH_TARGET_MS)
        for name, url, scopes, is_page in plan
        for scope in scopes
    ]


def run_case(client: Client, case: Case, *, repeat: int, warmup: int = 2, between_requests=None) -> Result:
    """Time `case` `repeat` times after `warmup` untimed runs, then count its queries once."""
    between_requests = between_requests or (lambda: None)
    result = Result(case=case, status=0)
    for run in range(warmup + repeat):
        started = time.perf_counter()
        response = client.get(case.url)
        elapsed_ms = (time.perf_counter() - started) * 1000
        between_requests()
        result.status = response.status_code
        if run >= warmup:
            result.times_ms.append(elapsed_ms)
    with CaptureQueriesContext(connection) as captured:
        client.get(case.url)
    between_requests()
    result.queries = len(captured.captured_queries)
    if captured.captured_queries:
        slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
        result.slowest_sql, result.slowest_sql_ms = slowest["sql"], float(slowest["time"]) * 1000
    return result


def emulate_wsgi_request_end() -> None:
    """What Django's handler does around each request (the test client skips it): close the connection
    unless CONN_MAX_AGE keeps it (SQLite here: closed, so every request opens its own, as in production)."""
    close_old_connections()


def run_cases(
    cases: list[Case],
    users: dict[str, User],
    *,
    repeat: int,
    warmup: int = 2,
    between_requests=emulate_wsgi_request_end,
    progress: Callable[[str], None] = print,
) -> list[Result]:
    clients = {}
    for scope, user in users.items():
        clients[scope] = Client()
        clients[scope].force_login(user)
    results = []
    for case in cases:
        result = run_case(
            clients[case.scope], case, repeat=repeat, warmup=warmup, between_requests=between_requests
        )
        progress(
            f"  {case.name:<32} {case.scope:<10} {result.median_ms:8.1f} ms  ({result.queries} queries) "
            f"{result.verdict}"
        )
        results.append(result)
    return results


def format_table(results: list[Result]) -> str:
    header = ("case", "scope", "median ms", "p95 ms", "queries", "target", "result")
    rows = [
        (
            r.case.name,
            r.case.scope,
            f"{r.median_ms:.1f}",
            f"{r.p95_ms:.1f}",
            str(r.queries),
            f"< {r.case.target_ms} ms",
            r.verdict,
        )
        for r in results
    ]
    widths = [max(_width(row[i]) for row in (header, *rows)) for i in range(len(header))]

    def line(row) -> str:
        return " | ".join(
            cell + " " * (width - _width(cell)) for cell, width in zip(row, widths, strict=True)
        )

    return "\n".join([line(header), "-+-".join("-" * w for w in widths), *(line(row) for row in rows)])


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def explain(sql: str) -> str:
    """The plan of a captured query: EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite."""
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        rows = cursor.fetchall()
    if connection.vendor == "postgresql":
        return "\n".join(row[0] for row in rows)
    return "\n".join(" ".join(str(c) for c in row) for row in rows)


def to_json(results: list[Result], **meta) -> str:
    return json.dumps(
        {
            **meta,
            "results": [
                {
                    **asdict(r.case),
                    "status": r.status,
                    "median_ms": round(r.median_ms, 2),
                    "p95_ms": round(r.p95_ms, 2),
                    "times_ms": [round(t, 2) for t in r.times_ms],
                    "queries": r.queries,
                    "verdict": r.verdict,
                    "slowest_sql_ms": round(r.slowest_sql_ms, 2),
                    "slowest_sql": r.slowest_sql,
                }
                for r in results
            ],
        },
        ensure_ascii=False,
        indent=2,
    )
