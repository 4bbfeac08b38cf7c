"""Bench: the p95 latency of the REST API's case list (/api/v1/cases/) at district scale, with a token.

    .venv/bin/python bench/api.py [--small] [--cases 100000] [--database-url URL] [--repeat N] [--only TEXT]

On top of a registry made by bench/registry.py's generator (same shape and marker, see bench/README.md), in its
own database (var/bench-api.sqlite3 by default, or --database-url postgres://…, created if missing), it
generates `--cases` cases spread over the grids and over the year before the bench's day, in every state
of the workflow (70 % closed), with categories from the default taxonomy and, once dispatched, one of eight
handling organisations; some overdue (督办). Cases are written with bulk_create (created_at as generated, not
"now"); they carry no reporters, photos or audit events, which the list does not read.

Then it requests each list case `--repeat` times (after `--warmup` untimed ones) through django.test.Client
with `Authorization: Token …`: the whole request (middleware, token lookup, scope, selector, filters,
pagination's COUNT and page, serializer, JSON), as four accounts: a grid worker (网格员) of the first grid, a
community admin of its community, a street-office officer of its street office and an organisation handler of
the first organisation (whose cases are spread over the district). It prints median, nearest-rank p95 and the
SQL query count per case, and writes the timings to bench/out/api-*.json. Target: p95 under 150 ms (the
registry pages' target). It measures, it does not judge: it exits 0 whenever it ran.

--small: 4,000 residents in 2,000 households (2 grids) and 3,000 cases, 10 timed requests per case, in its
own database (var/bench-api-small.sqlite3 unless --database-url is given): a minute, to check that it works.

Not measured: concurrency, network, a cold cache; the case page, writes and webhooks.
"""

import argparse
import datetime
import random
import sys
import time
from contextlib import contextmanager
from pathlib import Path

if __package__ in (None, ""):  # `python bench/api.py`: make `bench` importable as a package
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.registry import OUT_DIR, REPO_DIR, configure_django, ensure_database, migrate, planner_statistics

# Its own database: the registry bench's pages would otherwise show the generated cases too.
DEFAULT_SQLITE = REPO_DIR / "var" / "bench-api.sqlite3"
SMALL_SQLITE = REPO_DIR / "var" / "bench-api-small.sqlite3"
TARGET_MS = 150
CASE_SEED = 20250602
BENCH_CHANNEL_PREFIX = "BENCH-"  # external_reference of generated cases: how a later run counts them
ORGANISATIONS = 8
# Status of a generated case, by weight: most concerns of the past year are closed.
STATUS_WEIGHTS = {
    "closed": 70,
    "registered": 5,
    "referred": 3,
    "dispatched": 6,
    "accepted": 10,
    "answered": 4,
    "verified": 2,
}
WORDS = (
    "下水道堵了",
    "楼道灯不亮",
    "暖气不热",
    "屋顶漏水",
    "垃圾没人清",
    "车占了消防通道",
    "噪音扰民",
    "路面塌陷",
    "水管爆了",
    "电梯坏了",
)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="a small registry and 3,000 cases, quickly")
    parser.add_argument("--residents", type=int, default=None, help="default 300,000 (--small: 4,000)")
    parser.add_argument("--households", type=int, default=None, help="default 100,000 (--small: 2,000)")
    parser.add_argument("--cases", type=int, default=None, help="default 100,000 (--small: 3,000)")
    parser.add_argument("--database-url", default=None, help="default: sqlite:///var/bench-api.sqlite3")
    parser.add_argument("--regenerate", action="store_true", help="drop the bench database and generate anew")
    parser.add_argument(
        "--repeat", type=int, default=None, help="timed requests per case (default 20; small 10)"
    )
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests per case first (default 2)")
    parser.add_argument("--only", default="", help="run only cases whose name contains this text")
    args = parser.parse_args(argv)
    small = args.small
    args.residents = args.residents or (4_000 if small else 300_000)
    args.households = args.households or (2_000 if small else 100_000)
    args.cases = args.cases if args.cases is not None else (3_000 if small else 100_000)
    args.repeat = args.repeat or (10 if small else 20)
    args.database_url = args.database_url or f"sqlite:///{SMALL_SQLITE if small else DEFAULT_SQLITE}"
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    ensure_database(args.database_url, drop=args.regenerate)
    configure_django(args.database_url)

    from django.db import connection, connections

    from bench import generate

    vendor = connection.vendor
    print(f"Bench database: {connection.settings_dict['NAME']} ({vendor})")
    migrate()
    wanted = generate.marker(
        generate.Shape(residents=args.residents, households=args.households), generate.DEFAULT_SEED
    )
    found = generate.existing_marker()
    if found != wanted:
        if found is not None:
            print(f"The bench database holds another registry ({found}): regenerating.")
            connections.close_all()
            ensure_database(args.database_url, drop=True)
            migrate()
        generate.generate_registry(residents=args.residents, households=args.households)
    else:
        print(f"Using the registry already generated ({found}).")
    if bench_case_count() != args.cases:
        generate_cases(args.cases)
        started = time.perf_counter()
        generate.analyze()
        print(f"Statistics refreshed ({time.perf_counter() - started:.1f} s).")
    else:
        print(f"Using the {args.cases:,} cases already generated.")
    if vendor == "sqlite":
        print(planner_statistics(keep=True))
    return measure_api(args, vendor)


# --- cases ------------------------------------------------------------------------------------------------


def bench_case_count() -> int:
    from minqing.cases.models import Case

    return Case.objects.filter(external_reference__startswith=BENCH_CHANNEL_PREFIX).count()


def organisations():
    """The eight organisations cases are dispatched to (made once, serving the whole bench district)."""
    from bench.generate import DISTRICT_CODE
    from minqing.organisations.models import Organisation, OrganisationKind
    from minqing.places.models import Area

    district = Area.objects.get(code=DISTRICT_CODE)
    found = []
    for n in range(ORGANISATIONS):
        organisation, created = Organisation.objects.get_or_create(
            name=f"基准处置单位{n + 1}",
            defaults={"kind": OrganisationKind.DEPARTMENT, "service_phone": "12345"},
        )
        if created:
            organisation.areas.set([district])
        found.append(organisation)
    return found


@contextmanager
def keep_generated_times(model):
    """bulk_create with the generated created_at/updated_at, not "now" (auto_now_add/auto_now off)."""
    created, updated = model._meta.get_field("created_at"), model._meta.get_field("updated_at")
    saved = created.auto_now_add, updated.auto_now
    created.auto_now_add = updated.auto_now = False
    try:
        yield
    finally:
        created.auto_now_add, updated.auto_now = saved


def generate_cases(count: int, *, seed: int = CASE_SEED, today: datetime.date | None = None) -> None:
    """`count` cases over the bench district's grids and the year before `today` (default: the generator's
    day), replacing the bench cases already there."""
    from django.db import transaction
    from django.utils import timezone

    from bench.generate import DISTRICT_CODE, TODAY
    from minqing.cases.models import Case, Status
    from minqing.directory.models import Category
    from minqing.places.models import Area, AreaKind, Building

    started = time.perf_counter()
    Case.objects.filter(external_reference__startswith=BENCH_CHANNEL_PREFIX).delete()
    rng = random.Random(seed)
    district = Area.objects.get(code=DISTRICT_CODE)
    grids = list(Area.objects.filter(path__startswith=district.path, kind=AreaKind.GRID).order_by("path"))
    buildings: dict[int, list[int]] = {}
    for building_id, area_id in Building.objects.filter(area__in=grids).values_list("pk", "area_id"):
        buildings.setdefault(area_id, []).append(building_id)
    categories = list(Category.objects.filter(active=True).values_list("pk", flat=True))
    orgs = [o.pk for o in organisations()]
    statuses, weights = zip(*STATUS_WEIGHTS.items(), strict=True)
    end = timezone.make_aware(datetime.datetime.combine(today or TODAY, datetime.time(18)))
    print(f"Generating {count:,} cases over {len(grids)} grids …")
    batch: list[Case] = []
    with keep_generated_times(Case):
        for n in range(count):
            grid = grids[n % len(grids)]
            created = end - datetime.timedelta(seconds=rng.randrange(365 * 24 * 3600))
            status = rng.choices(statuses, weights)[0]
            with_handler = status not in (Status.REGISTERED, Status.REFERRED)
            open_ = status != Status.CLOSED
            escalation = rng.choice((0, 0, 0, 1, 2)) if open_ and with_handler else 0
            words = rng.choice(WORDS)
            batch.append(
                Case(
                    reference=f"BQ{n + 1:010d}",
                    external_reference=f"{BENCH_CHANNEL_PREFIX}{n + 1}",
                    channel="phone",
                    description=f"{words}，{rng.randrange(1, 30)}号楼居民反映",
                    category_id=rng.choice(categories) if categories else None,
                    area=grid,
                    building_id=rng.choice(buildings[grid.pk]) if buildings.get(grid.pk) else None,
                    status=status,
                    organisation_id=rng.choice(orgs) if with_handler else None,
                    dispatched_at=created + datetime.timedelta(hours=1) if with_handler else None,
                    due_at=created + datetime.timedelta(days=5) if open_ and with_handler else None,
                    warned=escalation > 0,
                    escalation=escalation,
                    overdue=escalation > 0 or rng.random() < 0.1,
                    closed_at=created + datetime.timedelta(days=rng.randrange(1, 10)) if not open_ else None,
                    created_at=created,
                    updated_at=created,
                )
            )
            if len(batch) == 1000 or n + 1 == count:
                with transaction.atomic():
                    Case.objects.bulk_create(batch)
                batch = []
            if (n + 1) % 20_000 == 0:
                print(f"  {n + 1:,} cases ({time.perf_counter() - started:.0f} s)")
    print(f"Generated {count:,} cases in {time.perf_counter() - started:.1f} s.")


# --- measuring --------------------------------------------------------------------------------------------


def api_users(targets):
    """The registry bench's three staff accounts, and a handler of the first organisation; a token each."""
    from rest_framework.authtoken.models import Token

    from bench import measure
    from minqing.accounts.models import User
    from minqing.accounts.roles import Role

    users = measure.bench_users(targets)
    handler, _ = User.objects.get_or_create(
        username="bench-handler",
        defaults={
            "role": Role.ORG_HANDLER,
            "first_name": "bench handler",
            "organisation": organisations()[0],
        },
    )
    users["handler"] = handler
    return {scope: Token.objects.get_or_create(user=user)[0].key for scope, user in users.items()}


def build_cases(targets) -> list:
    from urllib.parse import urlencode

    from bench.generate import TODAY
    from bench.measure import Case

    base = "/api/v1/cases/"
    month_ago = datetime.datetime.combine(TODAY - datetime.timedelta(days=30), datetime.time()).isoformat()
    everyone = ("grid", "community", "street", "handler")
    staff_above_grid = ("community", "street")
    plan = [
        ("case list", base, everyone),
        ("case list, 100 a page", f"{base}?page_size=100", everyone),
        ("case list, page 5", f"{base}?page=5", everyone),
        ("open cases", f"{base}?clock=open", everyone),
        ("overdue (督办)", f"{base}?clock=overdue", everyone),
        ("dispatched", f"{base}?status=dispatched", everyone),
        ("last 30 days", f"{base}?{urlencode({'created_after': month_ago})}", everyone),
        ("search '下水道'", f"{base}?{urlencode({'q': '下水道'})}", everyone),
        ("search a reference", f"{base}?q=BQ0000000123", everyone),
        ("one grid's open cases", f"{base}?area={targets.grid.pk}&clock=open", ("grid", *staff_above_grid)),
        ("one community's cases", f"{base}?area={targets.community.pk}", staff_above_grid),
    ]
    return [
        Case(name=name, scope=scope, url=url, target_ms=TARGET_MS)
        for name, url, scopes in plan
        for scope in scopes
    ]


def measure_api(args, vendor: str) -> int:
    from django.test import Client

    from bench import measure

    targets = measure.pick_targets()
    tokens = api_users(targets)
    cases = [c for c in build_cases(targets) if args.only in c.name]
    print(
        f"\nMeasuring {len(cases)} cases, {args.repeat} timed requests each after {args.warmup} warm-up, "
        f"on {vendor}: {bench_case_count():,} cases; grid {targets.grid} (id {targets.grid.pk}), community "
        f"{targets.community}, street office {targets.street}, handler: the first of {ORGANISATIONS} organisations"
    )
    clients = {scope: Client(HTTP_AUTHORIZATION=f"Token {key}") for scope, key in tokens.items()}
    results = []
    for case in cases:
        result = measure.run_case(
            clients[case.scope],
            case,
            repeat=args.repeat,
            warmup=args.warmup,
            between_requests=measure.emulate_wsgi_request_end,
        )
        print(
            f"  {case.name:<28} {case.scope:<10} median {result.median_ms:7.1f} ms  p95 {result.p95_ms:7.1f} ms "
            f"({result.queries} queries) {result.verdict}"
        )
        results.append(result)
    print()
    print(measure.format_table(results))
    worst = max(results, key=lambda r: r.p95_ms)
    print(
        f"\nWorst p95: {worst.p95_ms:.1f} ms ({worst.case.name}, {worst.case.scope}); target < {TARGET_MS} ms."
    )

    OUT_DIR.mkdir(exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = OUT_DIR / f"api-{vendor}-{args.cases}-{stamp}.json"
    out.write_text(
        measure.to_json(
            results,
            vendor=vendor,
            residents=args.residents,
            households=args.households,
            cases=args.cases,
            repeat=args.repeat,
            statistics=True,
            at=stamp,
        )
    )
    print(f"Figures written to {out.relative_to(REPO_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
