"""bench/api.py still runs (a tiny registry, a few cases, one measurement). No timing is asserted."""

from django.test import Client

from bench import api as bench_api
from bench import generate, measure
from minqing.cases.models import Case


def test_the_api_bench_generates_cases_and_measures_one(db):
    generate.generate_registry(residents=300, households=100, progress=lambda _: None)
    bench_api.generate_cases(40)
    assert bench_api.bench_case_count() == 40
    assert Case.objects.filter(status="closed").exists()
    assert Case.objects.dates("created_at", "month").count() > 1  # spread over the year, not "now"

    targets = measure.pick_targets()
    tokens = bench_api.api_users(targets)
    [case] = [c for c in bench_api.build_cases(targets) if c.name == "open cases" and c.scope == "grid"]
    result = measure.run_case(Client(HTTP_AUTHORIZATION=f"Token {tokens['grid']}"), case, repeat=1, warmup=0)

    assert result.status == 200
    assert result.queries > 0
    assert "open cases" in measure.format_table([result])
