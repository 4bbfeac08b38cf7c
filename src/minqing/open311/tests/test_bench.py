"""bench/open311.py still runs (a tiny district, one request of each kind). No timing is asserted."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_bench_generates_and_measures(capsys):
    from bench import open311

    args = open311.parse_args(
        ["--small", "--households", "60", "--cases", "120", "--repeat", "1", "--posts", "1"]
    )
    args.warmup = 0
    open311.generate(args)
    assert open311.existing_marker() == open311.marker(args)
    results = open311.measure(args, between_requests=lambda: None)
    assert [r.status for r in results] == [200] * len(results)
    assert results[-1].name.startswith("POST")
    assert "requests/s" in open311.format_table(results)
