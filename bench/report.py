"""Merge the figures of several bench runs into one Markdown table: median and p95 over all timed requests of
all the runs given, per case and scope, for each database with and without the proposed fixes.

    .venv/bin/python bench/report.py bench/out/*-300000-*.json

Pooling several short runs, taken at different moments, evens out what other work on the machine did to any
one of them. Needs no Django.
"""

import json
import math
import statistics
import sys
from collections import defaultdict
from pathlib import Path


def load(paths: list[str]) -> dict:
    """{(vendor, statistics, fixes): {(case, scope): {"times": [...], "queries": n, "target": ms, "runs": n}}}."""
    runs: dict = defaultdict(dict)
    order: list = []
    for path in paths:
        data = json.loads(Path(path).read_text())
        cases = [(row["name"], row["scope"]) for row in data["results"]]
        if len(cases) > len(order):  # the fullest run gives the order of the cases
            order = cases
        key = (data["vendor"], data.get("statistics", True), bool(data.get("proposals")))
        for row in data["results"]:
            cell = runs[key].setdefault(
                (row["name"], row["scope"]),
                {"times": [], "queries": row["queries"], "target": row["target_ms"], "runs": 0},
            )
            cell["times"].extend(row["times_ms"])
            cell["runs"] += 1
    return {
        key: {c: cells[c] for c in order + [c for c in cells if c not in order] if c in cells}
        for key, cells in runs.items()
    }


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _cell(cell) -> str:
    if not cell:
        return ""
    median, high = statistics.median(cell["times"]), p95(cell["times"])
    mark = " **SLOW**" if median > cell["target"] else (" (p95 over)" if high > cell["target"] else "")
    return f"{median:.0f} / {high:.0f} ({cell['queries']}){mark}"


def tables(runs: dict) -> str:
    """One table per database (and SQLite statistics state): the code as it is, and with the fixes."""
    out = []
    for vendor, stats in sorted({(v, s) for v, s, _ in runs}, key=lambda k: (k[0] != "sqlite", not k[1])):
        now, fixed = runs.get((vendor, stats, False), {}), runs.get((vendor, stats, True), {})
        name = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(vendor, vendor)
        if vendor == "sqlite":
            name += " (fresh statistics)" if stats else " (no statistics: Django never runs ANALYZE)"
        counts = "/".join(str(max((c["runs"] for c in r.values()), default=0)) for r in (now, fixed))
        out.append(f"### {name}\n")
        out.append("| case | scope | target ms | now: median / p95 ms (queries) | with the fixes |")
        out.append("|---|---|---|---|---|")
        for case in list(now) + [c for c in fixed if c not in now]:
            target = (now.get(case) or fixed.get(case))["target"]
            out.append(
                f"| {case[0]} | {case[1]} | < {target} | {_cell(now.get(case))} | {_cell(fixed.get(case))} |"
            )
        out.append(f"\n(runs pooled, now/with fixes: {counts})\n")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    print(tables(load(argv)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
