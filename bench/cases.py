"""Bench: a million cases over the district registry, and the server time of the case list, the case page and
the dashboards on them.

    .venv/bin/python bench/cases.py [--cases 1000000] [--regenerate] [--database-url URL] [--repeat N]
                                    [--warmup N] [--only TEXT] [--seed N] [--generate-only] [--small]

Uses its own database (default SQLite var/bench-cases.sqlite3; or e.g.
--database-url postgres://postgres@127.0.0.1:5432/minqing_bench_cases, created if missing) and migrates it.
Generates the registry of bench/registry.py there if it lacks one (bench/generate.py), then `--cases` cases
over it (bench/generate_cases.py: two years, every grid, building and household, every stage of the
workflow, reporters, call-backs, and an audit event per step), unless the database already holds exactly
those (the marker records size and seed). Then it times, through django.test.Client as bench/measure.py
does, the case list of a grid worker, a community admin and a street officer (unfiltered, by status, overdue,
page 50), case pages (a typical closed one, an overdue one, a new one, and the one with most reporters and
the longest timeline), and the dashboards of a grid, a community and a street office over a month and a year
and the organisation dashboard. Prints median, p95 and queries per case, the plans of the slowest query of
every case over its target, and writes the timings to bench/out/cases-*.json. Targets: list and case page
under 150 ms, dashboards under 500 ms. It measures, it does not judge: it exits 0 whenever it ran.

--small: 4,000 residents in 2,000 households (2 grids) and 20,000 cases in var/bench-cases-small.sqlite3
(unless --database-url is given), 5 timed requests per case: a minute or two, to see that it works.
"""

import argparse
import datetime
import sys
from pathlib import Path
from urllib.parse import urlencode

if __package__ in (None, ""):  # `python bench/cases.py`: make `bench` importable as a package
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.registry import OUT_DIR, REPO_DIR, configure_django, ensure_database, migrate, planner_statistics

DEFAULT_SQLITE = REPO_DIR / "var" / "bench-cases.sqlite3"
SMALL_SQLITE = REPO_DIR / "var" / "bench-cases-small.sqlite3"
LIST_TARGET_MS = 150
PAGE_TARGET_MS = 150
DASHBOARD_TARGET_MS = 500


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", action="store_true", help="a small registry and 20,000 cases, quickly")
    parser.add_argument("--cases", type=int, default=None, help="default 1,000,000 (--small: 20,000)")
    parser.add_argument("--residents", type=int, default=None, help="default 300,000 (--small: 4,000)")
    parser.add_argument("--households", type=int, default=None, help="default 100,000 (--small: 2,000)")
    parser.add_argument(
        "--database-url",
        default=None,
        help="default: sqlite:///var/bench-cases.sqlite3; "
        "e.g. postgres://postgres@127.0.0.1:5432/minqing_bench_cases",
    )
    parser.add_argument("--regenerate", action="store_true", help="drop the bench database and generate anew")
    parser.add_argument(
        "--repeat", type=int, default=None, help="timed requests per case (default 20; small 5)"
    )
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests per case first (default 2)")
    parser.add_argument("--only", default="", help="run only cases whose name contains this text")
    parser.add_argument("--seed", type=int, default=None, help="random seed of the case generator")
    parser.add_argument("--generate-only", action="store_true", help="generate, do not measure")
    parser.add_argument("--no-explain", action="store_true", help="do not print query plans of slow cases")
    parser.add_argument(
        "--explain-all", action="store_true", help="print the plan of every case's slowest query"
    )
    parser.add_argument(
        "--no-stats",
        action="store_true",
        help="SQLite: measure without planner statistics (Django never runs ANALYZE); default: fresh ones",
    )
    args = parser.parse_args(argv)
    small = args.small
    args.residents = args.residents or (4_000 if small else 300_000)
    args.households = args.households or (2_000 if small else 100_000)
    args.cases = args.cases if args.cases is not None else (20_000 if small else 1_000_000)
    args.repeat = args.repeat or (5 if small else 20)
    args.database_url = args.database_url or f"sqlite:///{SMALL_SQLITE if small else DEFAULT_SQLITE}"
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    ensure_database(args.database_url, drop=args.regenerate)
    configure_django(args.database_url)

    from django.db import connection

    vendor = connection.vendor
    print(f"Bench database: {connection.settings_dict['NAME']} ({vendor})")
    migrate()
    ensure_data(args)
    if args.generate_only:
        return 0
    if vendor == "sqlite":
        print(planner_statistics(keep=not args.no_stats))
    return _measure(args, vendor)


def ensure_data(args) -> None:
    """The registry and the cases asked for: found (the markers say so), or generated. A database holding
    anything else (another registry, other cases, an interrupted generation) is dropped and made anew."""
    import time

    from django.db import connections

    from bench import generate, generate_cases
    from minqing.cases.models import Case

    seed = generate_cases.DEFAULT_SEED if args.seed is None else args.seed
    registry_wanted = generate.marker(
        generate.Shape(residents=args.residents, households=args.households), generate.DEFAULT_SEED
    )
    cases_wanted = generate_cases.marker(cases=args.cases, seed=seed, registry_marker=registry_wanted)
    found, found_cases = generate.existing_marker(), generate_cases.existing_marker()
    if found_cases == cases_wanted:
        print(f"Using the cases already generated ({found_cases}).")
        return
    if found is not None and (found != registry_wanted or found_cases is not None or Case.objects.exists()):
        print(f"The bench database holds other data ({found_cases or found}): regenerating.")
        connections.close_all()
        ensure_database(args.database_url, drop=True)
        migrate()
        found = None
    if found is None:
        generate.generate_registry(residents=args.residents, households=args.households)
    else:
        print(f"Using the registry already generated ({found}).")
    generate_cases.generate_cases(cases=args.cases, seed=seed)
    started = time.perf_counter()
    generate.analyze()
    print(f"Statistics refreshed ({time.perf_counter() - started:.1f} s).")


# ---- what is measured ----


def pick_cases(grid) -> list[tuple[str, object]]:
    """Case pages to open, all in the bench's grid (so every scope sees them): a typical closed case, one
    long overdue, a new one, and the one with most reporters (a whole building's; the longest timeline)."""
    from django.db.models import Count

    from minqing.cases.models import OPEN_STATUSES, Case, Escalation, Reporter, Status

    in_grid = Case.objects.filter(area=grid).order_by("-created_at", "-id")
    picks = [
        ("closed", in_grid.filter(status=Status.CLOSED, merged_into=None, rating="satisfied").first()),
        ("red overdue", in_grid.filter(status__in=OPEN_STATUSES, escalation=Escalation.RED).first()),
        ("registered", in_grid.filter(status=Status.REGISTERED).first()),
    ]
    most = (
        Reporter.objects.filter(case__area=grid)
        .values("case")
        .annotate(n=Count("*"))
        .order_by("-n", "case")
        .first()
    )
    if most:
        picks.append(("most reporters", Case.objects.get(pk=most["case"])))
    return [(label, case) for label, case in picks if case is not None]


def handler_user():
    """A handler of the organisation with the most cases (the heaviest organisation dashboard)."""
    from django.db.models import Count

    from minqing.accounts.models import User
    from minqing.accounts.roles import Role
    from minqing.cases.models import Case
    from minqing.organisations.models import Organisation

    busiest = (
        Case.objects.exclude(organisation=None)
        .values("organisation")
        .annotate(n=Count("*"))
        .order_by("-n", "organisation")
        .first()
    )
    organisation = Organisation.objects.get(pk=busiest["organisation"])
    user, _ = User.objects.update_or_create(
        username="bench-handler",
        defaults={"role": Role.ORG_HANDLER, "first_name": "bench handler", "organisation": organisation},
    )
    return user, busiest["n"]


def periods():
    """The month before the bench's day, and the year before it."""
    from bench.generate import TODAY

    month_end = TODAY - datetime.timedelta(days=1)
    month = (month_end.replace(day=1), month_end)
    year = (TODAY.replace(year=TODAY.year - 1), month_end)
    return {"month": month, "year": year}


def timeline_length(case) -> int:
    from minqing.core import audit

    return audit.events_for(case).count()


def build_cases(targets, picks) -> list:
    from django.urls import reverse

    from bench.measure import Case

    cases_url = reverse("cases:list")
    dashboard_url = reverse("dashboards:area")
    organisation_url = reverse("dashboards:organisation")
    everyone = ("grid", "community", "street")
    plan: list[tuple[str, str, tuple[str, ...], int]] = [
        ("case list", cases_url, everyone, LIST_TARGET_MS),
        ("case list, accepted", f"{cases_url}?status=accepted", everyone, LIST_TARGET_MS),
        ("case list, overdue (督办)", f"{cases_url}?clock=overdue", everyone, LIST_TARGET_MS),
        ("case list, page 50", f"{cases_url}?page=50", everyone, LIST_TARGET_MS),
    ]
    for label, case in picks:
        scopes = everyone if label == "most reporters" else ("grid",)
        name = f"case page, {label} ({case.reporters.count()} rep., {timeline_length(case)} events)"
        plan.append((name, reverse("cases:detail", args=[case.pk]), scopes, PAGE_TARGET_MS))
    areas = {"grid": targets.grid, "community": targets.community, "street": targets.street}
    for period, (start, end) in periods().items():
        dates = {"from": start.isoformat(), "to": end.isoformat()}
        for scope, area in areas.items():
            url = f"{dashboard_url}?{urlencode({'area': area.pk, **dates})}"
            plan.append((f"dashboard, {period}", url, (scope,), DASHBOARD_TARGET_MS))
        plan.append(
            (
                f"organisation dashboard, {period}",
                f"{organisation_url}?{urlencode(dates)}",
                ("handler",),
                DASHBOARD_TARGET_MS,
            )
        )
    return [
        Case(name=name, scope=scope, url=url, target_ms=target)
        for name, url, scopes, target in plan
        for scope in scopes
    ]


def _measure(args, vendor: str) -> int:
    from bench import measure
    from minqing.cases.models import Case
    from minqing.core.models import AuditEvent

    targets = measure.pick_targets()
    users = measure.bench_users(targets)
    users["handler"], handled = handler_user()
    picks = pick_cases(targets.grid)
    cases = [c for c in build_cases(targets, picks) if args.only in c.name]
    print(
        f"\nMeasuring {len(cases)} cases, {args.repeat} timed requests each after {args.warmup} warm-up, on "
        f"{vendor}: {Case.objects.count():,} cases, {AuditEvent.objects.count():,} audit events; grid "
        f"{targets.grid} ({Case.objects.filter(area=targets.grid).count():,} cases), community "
        f"{targets.community}, street office {targets.street}; handler of {users['handler'].organisation} "
        f"({handled:,} cases); case pages: " + ", ".join(f"{label} {case.pk}" for label, case in picks)
    )
    results = measure.run_cases(cases, users, repeat=args.repeat, warmup=args.warmup)
    print()
    print(measure.format_table(results))

    shown = results if args.explain_all else [r for r in results if r.verdict != "OK"]
    if shown and not args.no_explain:
        print("\nSlowest query of each case" + ("" if args.explain_all else " over its target") + ":")
        for result in shown:
            print(f"\n## {result.case.name} · {result.case.scope} ({result.slowest_sql_ms:.1f} ms)")
            print(result.slowest_sql)
            print(measure.explain(result.slowest_sql))

    OUT_DIR.mkdir(exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    label = "-nostats" if args.no_stats else ""
    out = OUT_DIR / f"cases-{vendor}-{args.cases}{label}-{stamp}.json"
    out.write_text(
        measure.to_json(
            results,
            vendor=vendor,
            residents=args.residents,
            households=args.households,
            cases=args.cases,
            repeat=args.repeat,
            statistics=vendor != "sqlite" or not args.no_stats,
            at=stamp,
        )
    )
    print(f"\nFigures written to {out.relative_to(REPO_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
