"""Bench: Open311 at district scale, the throughput of POST requests.json and GET requests.json.

    .venv/bin/python bench/open311.py [--small] [--cases 100000] [--households 100000] [--regenerate]
                                      [--database-url URL] [--repeat N] [--posts N]

Uses its own database (default SQLite var/bench-open311.sqlite3; or e.g.
--database-url postgres://postgres@127.0.0.1:5432/minqing_bench_open311, created if missing), migrates it,
generates a district (the registry generator of bench/generate.py, one resident a household: Open311 does
not read residents) and a year of concerns across it, makes the first community a jurisdiction offering
every category, then measures through django.test.Client, one process, one request at a time:

- GET requests.json as a client polls it (the last 90 days, up to 1000 requests, status notes included),
  with extensions=true, one page of 100, and one request by ID;
- POST requests.json: a new request placed by lat/long at the nearest building (each one writes a case).

It prints median and p95 server time, requests per second (timed requests / their total time) and SQL
queries per request, and writes the figures to bench/out/. It measures; it does not judge (bench/README.md).
`--small` proves it runs in seconds (1,000 households, 3,000 concerns).
"""

import argparse
import datetime
import json
import random
import statistics
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

REPO_DIR = Path(__file__).resolve().parent.parent
if str(REPO_DIR / "bench") in sys.path:  # `python bench/open311.py` puts bench/ first on the path
    sys.path.remove(str(REPO_DIR / "bench"))
if str(REPO_DIR) not in sys.path:
    sys.path.insert(0, str(REPO_DIR))

from bench.registry import configure_django, ensure_database, migrate  # noqa: E402

DEFAULT_SQLITE = REPO_DIR / "var" / "bench-open311.sqlite3"
OUT_DIR = REPO_DIR / "bench" / "out"
BENCH_KEY = "bench-open311-key-not-secret"
SEED = 20260301
MARKER_ACTION = "bench.open311.generate"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="a small district, to prove the bench runs")
    parser.add_argument("--households", type=int, default=None, help="default 100,000 (--small: 1,000)")
    parser.add_argument("--cases", type=int, default=None, help="concerns over a year (default 100,000)")
    parser.add_argument("--regenerate", action="store_true", help="drop the bench database and generate anew")
    parser.add_argument("--database-url", default=f"sqlite:///{DEFAULT_SQLITE}")
    parser.add_argument("--repeat", type=int, default=None, help="timed GETs per case (default 20)")
    parser.add_argument("--posts", type=int, default=None, help="timed POSTs (default 200)")
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args(argv)
    small = args.small
    args.households = args.households or (1_000 if small else 100_000)
    args.cases = args.cases or (3_000 if small else 100_000)
    args.repeat = args.repeat or (5 if small else 20)
    args.posts = args.posts or (20 if small else 200)
    return args


def marker(args) -> str:
    return f"bench open311: households={args.households} cases={args.cases} seed={SEED}"


# --- generation -------------------------------------------------------------------------------------------


@contextmanager
def keeping_timestamps(*models):
    """Let bulk_create write the created/updated times we give (a year of history), not "now"."""
    fields = [
        f
        for model in models
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def generate(args) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from bench import generate as registry
    from minqing.cases.models import Case, Channel, Status
    from minqing.core.models import AuditEvent
    from minqing.directory.models import Category
    from minqing.open311.actions import ensure_demo_client
    from minqing.organisations.models import Organisation, OrganisationKind
    from minqing.places.models import Area, Building

    rng = random.Random(SEED)
    if registry.existing_marker() is None:
        registry.generate_registry(residents=args.households, households=args.households, seed=SEED)
    started = time.perf_counter()
    print(f"Generating {args.cases:,} concerns over a year …")
    communities = list(Area.objects.filter(kind="community", code__startswith="BENCH-").order_by("pk"))
    # Coordinates: each community a block of the city, its buildings on a grid of streets 60 m apart.
    buildings = list(
        Building.objects.filter(code__startswith="BENCH-B").select_related("area").order_by("pk")
    )
    community_of = {}
    for area in Area.objects.filter(kind="grid", code__startswith="BENCH-"):
        community_of[area.pk] = area.parent_id
    for n, building in enumerate(buildings):
        c = [x.pk for x in communities].index(community_of[building.area_id])
        building.latitude = f"{43.85 + (c // 5) * 0.02 + (n % 40) * 0.00055:.6f}"
        building.longitude = f"{125.30 + (c % 5) * 0.03 + (n // 40 % 50) * 0.00075:.6f}"
    Building.objects.bulk_update(buildings, ["latitude", "longitude"], batch_size=1000)

    categories = list(Category.objects.filter(active=True))
    handler = Organisation.objects.get_or_create(
        name="基准测试物业公司", defaults={"kind": OrganisationKind.PROPERTY, "short_name": "基准物业"}
    )[0]
    case_type = ContentType.objects.get_for_model(Case)
    now = datetime.datetime.now(datetime.UTC)
    channels = [Channel.WALK_IN, Channel.PHONE, Channel.VISIT, Channel.PORTAL, Channel.OPEN311]
    batch = 2000
    with keeping_timestamps(Case, AuditEvent):
        for first in range(0, args.cases, batch):
            rows, events = [], []
            for i in range(first, min(first + batch, args.cases)):
                building = rng.choice(buildings)
                created = now - datetime.timedelta(seconds=rng.randint(0, 365 * 86400))
                closed = created < now - datetime.timedelta(days=5) and rng.random() < 0.85
                rows.append(
                    Case(
                        reference=f"BQ{i + 1:08d}",
                        description="楼道灯坏了，晚上上下楼看不见" if i % 2 else "下水道堵了，雨天返水",
                        channel=rng.choice(channels),
                        category=rng.choice(categories),
                        area=building.area,
                        building=building,
                        status=Status.CLOSED
                        if closed
                        else rng.choice([Status.REGISTERED, Status.DISPATCHED]),
                        organisation=handler if closed or i % 3 == 0 else None,
                        created_at=created,
                        updated_at=created + datetime.timedelta(days=3 if closed else 0),
                        closed_at=created + datetime.timedelta(days=3) if closed else None,
                        due_at=None if closed else created + datetime.timedelta(days=5),
                    )
                )
            with transaction.atomic():
                cases = Case.objects.bulk_create(rows, batch_size=1000)
                for case in cases:
                    steps = [("register", None, Status.REGISTERED, "")]
                    if case.organisation_id:
                        steps.append(("dispatch", Status.REGISTERED, Status.DISPATCHED, ""))
                    if case.status == Status.CLOSED:
                        steps += [
                            ("answer", Status.ACCEPTED, Status.ANSWERED, "已修好，请居民确认"),
                            ("close", Status.VERIFIED, Status.CLOSED, ""),
                        ]
                    for k, (name, before, after, note) in enumerate(steps):
                        events.append(
                            AuditEvent(
                                at=case.created_at + datetime.timedelta(hours=k * 20),
                                action=f"cases.case.{name}",
                                target_type=case_type,
                                target_id=str(case.pk),
                                target_label=case.reference,
                                area_path=case.area.path,
                                changes={"status": [before, after]},
                                reason=note,
                            )
                        )
                AuditEvent.objects.bulk_create(events, batch_size=1000)
            print(f"  {first + len(rows):,} concerns ({time.perf_counter() - started:.0f} s)")
    ensure_demo_client(key=BENCH_KEY, communities=communities[:1])
    AuditEvent.objects.create(action=MARKER_ACTION, reason=marker(args))
    if not connection.in_atomic_block:  # VACUUM cannot run in a transaction (the smoke test runs in one)
        registry.analyze()
    print(f"Generated in {time.perf_counter() - started:.0f} s.")


def existing_marker() -> str | None:
    from minqing.core.models import AuditEvent

    return AuditEvent.objects.filter(action=MARKER_ACTION).values_list("reason", flat=True).first()


# --- measurement ------------------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    status: int = 0
    times_ms: list[float] = field(default_factory=list)
    queries: int = 0
    size: int = 0

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95_ms(self) -> float:
        ordered = sorted(self.times_ms)
        return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]

    @property
    def per_second(self) -> float:
        return len(self.times_ms) / (sum(self.times_ms) / 1000)


def measure(args, between_requests=None) -> list[Result]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.measure import emulate_wsgi_request_end
    from minqing.open311.models import Jurisdiction
    from minqing.places.models import Building

    between_requests = between_requests or emulate_wsgi_request_end
    jurisdiction = Jurisdiction.objects.select_related("community").get(clients__name="Demo client")
    jid = jurisdiction.jurisdiction_id
    client = Client()
    reference = client.get("/open311/v2/requests.json", {"jurisdiction_id": jid, "page_size": 1}).json()
    gets = [
        ("GET requests.json (90 days, ≤1000)", {"jurisdiction_id": jid}, "/open311/v2/requests.json"),
        (
            "GET requests.json extensions=true",
            {"jurisdiction_id": jid, "extensions": "true"},
            "/open311/v2/requests.json",
        ),
        (
            "GET requests.json page_size=100",
            {"jurisdiction_id": jid, "page_size": 100},
            "/open311/v2/requests.json",
        ),
    ]
    if reference:
        rid = reference[0]["service_request_id"]
        gets.append(("GET requests/{id}.json", {"jurisdiction_id": jid}, f"/open311/v2/requests/{rid}.json"))
    results = []
    for name, params, path in gets:
        result = Result(name)
        for run in range(args.warmup + args.repeat):
            started = time.perf_counter()
            response = client.get(path, params)
            elapsed = (time.perf_counter() - started) * 1000
            between_requests()
            result.status, result.size = response.status_code, len(response.json())
            if run >= args.warmup:
                result.times_ms.append(elapsed)
        with CaptureQueriesContext(connection) as captured:
            client.get(path, params)
        between_requests()
        result.queries = len(captured.captured_queries)
        results.append(result)
        print(
            f"  {name:<38} {result.median_ms:8.1f} ms  {result.per_second:7.1f}/s  ({result.queries} queries)"
        )

    rng = random.Random(SEED)
    points = list(
        Building.objects.filter(area__path__startswith=jurisdiction.community.path).values_list(
            "latitude", "longitude"
        )
    )
    codes = list(jurisdiction.services.values_list("code", flat=True))

    def body() -> str:
        lat, long = rng.choice(points)
        return urlencode(
            {
                "api_key": BENCH_KEY,
                "jurisdiction_id": jid,
                "service_code": rng.choice(codes),
                "lat": f"{float(lat) + rng.uniform(-0.0001, 0.0001):.6f}",
                "long": f"{float(long) + rng.uniform(-0.0001, 0.0001):.6f}",
                "description": "路灯不亮（基准测试）",
                "first_name": "测试",
                "last_name": "王",
                "phone": "13800138000",
            }
        )

    result = Result("POST requests.json (lat/long)")
    for run in range(args.warmup + args.posts):
        data = body()
        started = time.perf_counter()
        response = client.post(
            "/open311/v2/requests.json", data, content_type="application/x-www-form-urlencoded"
        )
        elapsed = (time.perf_counter() - started) * 1000
        between_requests()
        result.status = response.status_code
        if run >= args.warmup:
            result.times_ms.append(elapsed)
    with CaptureQueriesContext(connection) as captured:
        client.post("/open311/v2/requests.json", body(), content_type="application/x-www-form-urlencoded")
    between_requests()
    result.queries, result.size = len(captured.captured_queries), 1
    results.append(result)
    print(
        f"  {result.name:<38} {result.median_ms:8.1f} ms  {result.per_second:7.1f}/s  ({result.queries} queries)"
    )
    return results


def format_table(results: list[Result]) -> str:
    from bench.measure import _width

    header = ("case", "status", "items", "median ms", "p95 ms", "requests/s", "queries")
    rows = [
        (
            r.name,
            str(r.status),
            str(r.size),
            f"{r.median_ms:.1f}",
            f"{r.p95_ms:.1f}",
            f"{r.per_second:.1f}",
            str(r.queries),
        )
        for r in results
    ]
    widths = [max(_width(row[i]) for row in (header, *rows)) for i in range(len(header))]

    def line(row) -> str:
        return " | ".join(
            cell + " " * (width - _width(cell)) for cell, width in zip(row, widths, strict=True)
        )

    return "\n".join([line(header), "-+-".join("-" * w for w in widths), *(line(row) for row in rows)])


def main(argv=None) -> int:
    args = parse_args(argv)
    ensure_database(args.database_url, drop=args.regenerate)
    configure_django(args.database_url)

    from django.db import connection, connections

    vendor = connection.vendor
    print(f"Bench database: {connection.settings_dict['NAME']} ({vendor})")
    migrate()
    found = existing_marker()
    if found != marker(args):
        if found is not None or _other_data(args):
            print("The bench database holds other data: regenerating.")
            connections.close_all()
            ensure_database(args.database_url, drop=True)
            migrate()
        generate(args)
    else:
        print(f"Using the data already generated ({found}).")

    from minqing.cases.models import Case

    print(
        f"\nMeasuring on {vendor}: {Case.objects.count():,} cases in the district, one process, one request at a time"
    )
    results = measure(args)
    print()
    print(format_table(results))

    OUT_DIR.mkdir(exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = OUT_DIR / f"open311-{vendor}-{args.cases}-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "vendor": vendor,
                "households": args.households,
                "cases": args.cases,
                "at": stamp,
                "results": [
                    {
                        "name": r.name,
                        "status": r.status,
                        "items": r.size,
                        "median_ms": round(r.median_ms, 2),
                        "p95_ms": round(r.p95_ms, 2),
                        "per_second": round(r.per_second, 1),
                        "queries": r.queries,
                        "times_ms": [round(t, 2) for t in r.times_ms],
                    }
                    for r in results
                ],
            },
            ensure_ascii=False,
            indent=1,
        )
    )
    print(f"\nFigures written to {out.relative_to(REPO_DIR)}")
    return 0


def _other_data(args) -> bool:
    """A registry of another size, or concerns from an interrupted run."""
    from bench import generate as registry
    from minqing.cases.models import Case

    wanted = registry.marker(registry.Shape(residents=args.households, households=args.households), SEED)
    return registry.existing_marker() not in (None, wanted) or Case.objects.exists()


if __name__ == "__main__":
    sys.exit(main())
