"""The bench's generator and one of its measurements still work (bench/README.md). No timing is asserted."""

import pytest

from bench import generate, measure
from minqing.core import crypto
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
