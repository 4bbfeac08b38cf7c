"""Bench: a district-scale registry, and the server time of resident search and of the registry pages on it.

    .venv/bin/python bench/registry.py [--residents 300000] [--households 100000] [--regenerate]
                                       [--database-url URL] [--repeat N]

Uses its own database (default SQLite var/bench.sqlite3; or e.g.
--database-url postgres://postgres@127.0.0.1:5432/minqing_bench, created if missing), migrates it, generates
the registry unless one of that size is already there, then prints a table of timings. It always exits 0
when it ran: it measures, it does not judge (see bench/README.md).
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = REPO_DIR / "var" / "bench.sqlite3"
OUT_DIR = REPO_DIR / "bench" / "out"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=300_000)
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--regenerate", action="store_true", help="drop the bench database and generate anew")
    parser.add_argument(
        "--database-url",
        default=f"sqlite:///{DEFAULT_SQLITE}",
        help="default: sqlite:///var/bench.sqlite3; e.g. postgres://postgres@127.0.0.1:5432/minqing_bench",
    )
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per case (default 20)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed requests per case first (default 2)")
    parser.add_argument("--seed", type=int, default=None, help="random seed of the generator")
    parser.add_argument("--only", default="", help="run only cases whose name contains this text")
    parser.add_argument("--no-explain", action="store_true", help="do not print query plans of SLOW cases")
    parser.add_argument("--generate-only", action="store_true", help="generate, do not measure")
    parser.add_argument(
        "--no-stats",
        action="store_true",
        help="SQLite: measure without planner statistics, as on a database nobody ran ANALYZE on "
        "(Django never does); by default the bench measures with fresh statistics",
    )
    return parser.parse_args(argv)


def configure_django(database_url: str) -> None:
    """Point Django at the bench database and set it up. Must run before anything imports minqing models."""
    if str(REPO_DIR / "bench") in sys.path:  # `python bench/registry.py` puts bench/ first on the path
        sys.path.remove(str(REPO_DIR / "bench"))
    for path in (REPO_DIR / "src", REPO_DIR):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()


def ensure_database(database_url: str, *, drop: bool) -> None:
    """Create the bench database if it is missing; drop it first when `drop`."""
    import dj_database_url

    config = dj_database_url.parse(database_url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        path = Path(config["NAME"])
        path.parent.mkdir(parents=True, exist_ok=True)
        if drop:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit(f"The bench runs on SQLite or PostgreSQL, not {config['ENGINE']}.")
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        autocommit=True,
    ) as admin:
        name = config["NAME"]
        if drop:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created database {name}.")


def migrate() -> None:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    print(f"Migrated ({time.perf_counter() - started:.1f} s).")


def main(argv=None) -> int:
    args = parse_args(argv)
    ensure_database(args.database_url, drop=args.regenerate)
    configure_django(args.database_url)

    from django.db import connection, connections

    from bench import generate

    vendor = connection.vendor
    print(f"Bench database: {connection.settings_dict['NAME']} ({vendor})")
    migrate()
    seed = generate.DEFAULT_SEED if args.seed is None else args.seed
    wanted = generate.marker(generate.Shape(residents=args.residents, households=args.households), seed)
    found = generate.existing_marker()
    if found != wanted:
        if found is not None:
            print(f"The bench database holds another registry ({found}): regenerating.")
            connections.close_all()
            ensure_database(args.database_url, drop=True)
            migrate()
        generate.generate_registry(residents=args.residents, households=args.households, seed=seed)
        started = time.perf_counter()
        generate.analyze()
        print(f"Statistics refreshed ({time.perf_counter() - started:.1f} s).")
    else:
        print(f"Using the registry already generated ({found}).")
    if args.generate_only:
        return 0

    if vendor == "sqlite":
        print(planner_statistics(keep=not args.no_stats))
    return _measure(args, vendor)


def planner_statistics(*, keep: bool) -> str:
    """SQLite: make sure sqlite_stat1 is filled (keep) or empty. Each run says which state it measured."""
    from django.db import connection

    with connection.cursor() as cursor:
        if keep:
            # All tables, every time: statistics for some tables only (say, after an index was rebuilt)
            # mislead the planner as much as none.
            cursor.execute("ANALYZE")
        else:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone()[0]:
                cursor.execute("DELETE FROM sqlite_stat1")
    # A new connection reads the statistics afresh.
    connection.close()
    return "Planner statistics: " + ("fresh (ANALYZE)" if keep else "none (sqlite_stat1 emptied)")


def _measure(args, vendor: str) -> int:
    from bench import measure

    targets = measure.pick_targets()
    users = measure.bench_users(targets)
    cases = [c for c in measure.build_cases(targets) if args.only in c.name]
    print(
        f"\nMeasuring {len(cases)} cases, {args.repeat} timed requests each after {args.warmup} warm-up, "
        f"on {vendor}: grid {targets.grid} (id {targets.grid.pk}), community {targets.community}, "
        f"street office {targets.street}, building {targets.building.pk}, household {targets.household.pk}, "
        f"resident {targets.resident.pk}"
    )
    results = measure.run_cases(cases, users, repeat=args.repeat, warmup=args.warmup)
    print()
    print(measure.format_table(results))

    slow = [r for r in results if r.verdict != "OK"]
    if slow and not args.no_explain:
        print("\nSlowest query of each case over its target:")
        for result in slow:
            print(f"\n## {result.case.name} · {result.case.scope} ({result.slowest_sql_ms:.1f} ms)")
            print(result.slowest_sql)
            print(measure.explain(result.slowest_sql))

    OUT_DIR.mkdir(exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    label = "-nostats" if args.no_stats else ""
    out = OUT_DIR / f"{vendor}-{args.residents}{label}-{stamp}.json"
    out.write_text(
        measure.to_json(
            results,
            vendor=vendor,
            residents=args.residents,
            households=args.households,
            repeat=args.repeat,
            statistics=vendor != "sqlite" or not args.no_stats,
            at=stamp,
        )
    )
    print(f"\nFigures written to {out.relative_to(REPO_DIR)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
