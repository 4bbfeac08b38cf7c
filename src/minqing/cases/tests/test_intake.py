"""Concerns that arrive without a staff member (portal, Open311, 12345) and the reporter's own view."""

import pytest
from django.db import IntegrityError, transaction

from minqing.cases import actions, selectors
from minqing.cases.models import Case, Status
from minqing.core.errors import Forbidden, InvalidInput
from minqing.core.models import AuditEvent


def step(case, user, name, **kwargs):
    case.refresh_from_db()
    return actions.transition(acting_user=user, case=case, name=name, expected_version=case.version, **kwargs)


@pytest.fixture
def reported(world):
    return actions.intake_case(
        submitted_by=world.resident_user,
        source="resident portal",
        channel="portal",
        description="楼道灯坏了一周",
        household=world.household1,
        resident=world.resident1,
    )


def test_intake_waits_for_staff_like_any_case(world, reported):
    assert reported.status == Status.REGISTERED
    assert reported.channel == "portal"
    assert reported.area == world.grid1
    assert reported.registered_by is None
    event = AuditEvent.objects.get(action="cases.case.register", target_id=str(reported.pk))
    assert event.actor == world.resident_user
    assert event.reason == "resident portal"
    assert reported in selectors.case_list(world.grid_worker)


def test_intake_checks_its_input(world):
    with pytest.raises(InvalidInput):
        actions.intake_case(
            submitted_by=None, source="x", channel="carrier pigeon", description="x", area=world.grid1
        )
    with pytest.raises(InvalidInput):
        actions.intake_case(
            submitted_by=None, source="x", channel="open311", description=" ", area=world.grid1
        )
    with pytest.raises(InvalidInput):
        actions.intake_case(
            submitted_by=None, source="x", channel="open311", description="x", area=world.community
        )
    assert Case.objects.count() == 0


def test_an_external_reference_is_unique_per_channel(world):
    actions.intake_case(
        submitted_by=None,
        source="12345",
        channel="hotline_12345",
        description="x",
        area=world.grid1,
        external_reference="GD2026001",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        actions.intake_case(
            submitted_by=None,
            source="12345",
            channel="hotline_12345",
            description="y",
            area=world.grid1,
            external_reference="GD2026001",
        )


def close(case, world):
    step(case, world.grid_worker, "dispatch", organisation=world.renovation)
    step(case, world.handler, "accept")
    step(case, world.handler, "answer", note="已更换灯泡")
    step(case, world.grid_worker, "verify")
    return step(case, world.grid_worker, "close")


def test_the_reporter_rates_and_not_satisfied_reopens(world, reported):
    with pytest.raises(InvalidInput):
        actions.resident_feedback(acting_user=world.resident_user, case=reported, rating="satisfied")
    close(reported, world)
    with pytest.raises(InvalidInput):
        actions.resident_feedback(acting_user=world.resident_user, case=reported, rating="unsatisfied")
    actions.resident_feedback(
        acting_user=world.resident_user, case=reported, rating="unsatisfied", note="灯还是不亮"
    )
    reported.refresh_from_db()
    assert reported.status == Status.REGISTERED
    reopen = AuditEvent.objects.get(action="cases.case.reopen", target_id=str(reported.pk))
    assert reopen.actor == world.resident_user
    assert "灯还是不亮" in reopen.reason


def test_only_a_reporter_rates(world, reported):
    close(reported, world)
    from tests.factories import ResidentFactory, user

    stranger = user("resident", resident=ResidentFactory(household=world.household2), username="stranger")
    with pytest.raises(Forbidden):
        actions.resident_feedback(acting_user=stranger, case=reported, rating="satisfied")
    with pytest.raises(Forbidden):
        actions.resident_feedback(acting_user=world.grid_worker, case=reported, rating="satisfied")


def test_the_public_timeline_shows_steps_and_the_answer_not_internal_notes(world, reported):
    step(reported, world.grid_worker, "dispatch", organisation=world.renovation)
    step(reported, world.handler, "return", note="不归我们管，内部备注")
    step(reported, world.grid_worker, "dispatch", organisation=world.renovation)
    step(reported, world.handler, "accept")
    step(reported, world.handler, "answer", note="已更换灯泡")
    public = selectors.public_timeline(reported)
    actions_seen = [row["action"] for row in public]
    assert "cases.case.return" not in actions_seen
    notes = " ".join(row["note"] for row in public)
    assert "已更换灯泡" in notes
    assert "内部备注" not in notes


def test_a_resident_sees_only_their_own_concerns(world, reported):
    actions.register_case(acting_user=world.grid_worker, description="别人的事", building=world.building1)
    assert list(selectors.cases_reported_by(world.resident_user)) == [reported]
    assert list(selectors.cases_reported_by(world.volunteer)) == []


def test_a_portal_account_without_a_registry_record_follows_and_rates_its_concern(world):
    from minqing.notifications.models import Message
    from tests.factories import user

    newcomer = user("resident", username="newcomer")
    case = actions.intake_case(
        submitted_by=newcomer,
        source="resident portal",
        channel="portal",
        description="小区门口路灯不亮",
        area=world.grid1,
        account=newcomer,
        reporter_name="新住户",
    )
    assert list(selectors.cases_reported_by(newcomer)) == [case]
    close(case, world)
    assert Message.objects.filter(recipient_user=newcomer, event="case_closed").count() == 1
    actions.resident_feedback(acting_user=newcomer, case=case, rating="satisfied")
    case.refresh_from_db()
    assert case.rating == "satisfied"


def test_a_reporter_rates_each_outcome_once(world, reported):
    close(reported, world)
    actions.resident_feedback(acting_user=world.resident_user, case=reported, rating="basically")
    with pytest.raises(InvalidInput):
        actions.resident_feedback(acting_user=world.resident_user, case=reported, rating="satisfied")
