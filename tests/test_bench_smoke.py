"""The bench's generator and one of its measurements still work (bench/README.md). No timing is asserted."""

import pytest
from django.db.models import F

from bench import cases as bench_cases
from bench import generate, generate_cases, measure
from minqing.cases.models import Case, Feedback, Reporter, Status
from minqing.core import crypto
from minqing.core.models import AuditEvent
from minqing.people.models import Resident
from minqing.places.models import Area, Household


@pytest.fixture
def registry(db):
    return generate.generate_registry(residents=300, households=100, progress=lambda _: None)


def test_generator_builds_a_registry_of_the_asked_size(registry):
    assert registry.counts["residents"] == Resident.objects.count() == 300
    assert registry.counts["households"] == Household.objects.count() == 100
    assert generate.existing_marker() == generate.marker(registry.shape, generate.DEFAULT_SEED)
    assert Area.objects.filter(code=generate.DISTRICT_CODE).exists()


def test_generated_identities_are_encrypted_and_found_by_digest(registry):
    resident = Resident.objects.exclude(phone_digest="").first()
    assert resident.phone
    assert Resident.objects.get(phone_digest=crypto.digest(resident.phone)) == resident


def test_one_measurement_case_runs(registry):
    targets = measure.pick_targets()
    users = measure.bench_users(targets)
    cases = [c for c in measure.build_cases(targets) if c.name == "building page" and c.scope == "grid"]

    [result] = measure.run_cases(
        cases, users, repeat=1, warmup=0, between_requests=lambda: None, progress=lambda _: None
    )

    assert result.status == 200
    assert result.queries > 0
    assert len(result.times_ms) == 1
    assert "building page" in measure.format_table([result])


# ---- bench/cases.py: cases over the registry, and the case list, case page and dashboards on them ----


@pytest.fixture
def cases(registry):
    return generate_cases.generate_cases(cases=300, progress=lambda _: None)


def test_case_generator_writes_cases_with_their_stories(cases):
    assert cases.counts["cases"] == Case.objects.count() == 300
    assert generate_cases.existing_marker() == generate_cases.marker(
        cases=300, seed=generate_cases.DEFAULT_SEED, registry_marker=generate.existing_marker()
    )
    # Every case was registered, and each step it took left its audit event.
    assert AuditEvent.objects.filter(action="cases.case.register").count() == 300
    closed = Case.objects.filter(status=Status.CLOSED)
    assert closed.count() > 200
    closing = [
        "cases.case.close",
        "cases.case.resolve_on_spot",
        "cases.case.close_referral",
        "cases.case.merged_into",
    ]
    assert AuditEvent.objects.filter(action__in=closing).count() >= closed.count()
    assert Reporter.objects.exists()
    assert Feedback.objects.exclude(rating="").exists()
    assert Case.objects.exclude(created_at__date=F("updated_at__date")).exists()  # times as generated


def test_one_case_measurement_runs(cases):
    targets = measure.pick_targets()
    users = measure.bench_users(targets)
    users["handler"], _handled = bench_cases.handler_user()
    plan = bench_cases.build_cases(targets, bench_cases.pick_cases(targets.grid))
    chosen = [c for c in plan if (c.name, c.scope) in {("case list", "grid"), ("dashboard, year", "street")}]

    results = measure.run_cases(
        chosen, users, repeat=1, warmup=0, between_requests=lambda: None, progress=lambda _: None
    )

    assert [r.status for r in results] == [200, 200]
    assert all(r.queries > 0 and len(r.times_ms) == 1 for r in results)
    assert "dashboard, year" in measure.format_table(results)
