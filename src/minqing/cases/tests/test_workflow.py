"""The case lifecycle: each transition by the right actor only; denied steps change nothing."""

import pytest

from minqing.cases import actions
from minqing.cases.models import Reporter, Status
from minqing.cases.workflow import TRANSITIONS, allowed
from minqing.core.errors import Conflict, Forbidden, InvalidInput
from minqing.core.models import AuditEvent


@pytest.fixture
def case(world):
    return actions.register_case(
        acting_user=world.grid_leader,
        description="三栋门外没有晾衣杆，别的楼都有了",
        building=world.building1,
        resident=world.resident1,
    )


def step(case, user, name, **kwargs):
    case.refresh_from_db()
    return actions.transition(acting_user=user, case=case, name=name, expected_version=case.version, **kwargs)


def test_registering_links_the_place_and_the_reporter(world, case):
    assert case.area == world.grid1
    assert case.reference.startswith("MQ")
    assert case.status == Status.REGISTERED
    assert Reporter.objects.get(case=case).resident == world.resident1


def test_the_full_loop_story_s2(world, case):
    step(case, world.grid_leader, "dispatch", organisation=world.renovation)
    step(case, world.handler, "accept")
    step(case, world.handler, "answer", note="已列入二期改造，十月安装")
    step(case, world.grid_leader, "verify")
    case = step(case, world.grid_leader, "close")
    assert case.status == Status.CLOSED
    assert case.verified_by == world.grid_leader
    assert case.closed_at is not None
    actions_taken = list(
        AuditEvent.objects.filter(target_id=str(case.pk), action__startswith="cases.case.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions_taken == [
        "cases.case.register",
        "cases.case.dispatch",
        "cases.case.accept",
        "cases.case.answer",
        "cases.case.verify",
        "cases.case.close",
    ]


def test_me_too_keeps_every_reporter(world, case):
    actions.add_reporter(acting_user=world.grid_leader, case=case, name="李大爷", phone="13900001111")
    with pytest.raises(InvalidInput):
        actions.add_reporter(acting_user=world.grid_leader, case=case, resident=world.resident1)
    assert case.reporters.count() == 2


def test_a_handler_of_another_organisation_cannot_act(world, case):
    from tests.factories import user

    step(case, world.grid_leader, "dispatch", organisation=world.renovation)
    other = user("org_handler", organisation=world.property)
    with pytest.raises(Forbidden):
        step(case, other, "accept")
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED


def test_staff_of_another_grid_cannot_act(world, case):
    with pytest.raises(Forbidden):
        step(case, world.grid_worker2, "dispatch", organisation=world.renovation)
    case.refresh_from_db()
    assert (case.status, case.version) == (Status.REGISTERED, 1)


def test_steps_only_from_their_states(world, case):
    with pytest.raises(InvalidInput):
        step(case, world.grid_leader, "close")
    with pytest.raises(InvalidInput):
        step(case, world.grid_leader, "dispatch")  # no organisation chosen
    with pytest.raises(InvalidInput):
        step(case, world.grid_leader, "resolve_on_spot")  # needs a note
    case.refresh_from_db()
    assert (case.status, case.version) == (Status.REGISTERED, 1)


def test_stale_version_is_refused(world, case):
    stale = case.version
    step(case, world.grid_leader, "refer", note="已告知物业电话")
    with pytest.raises(Conflict):
        actions.transition(
            acting_user=world.grid_worker, case=case, name="resolve_on_spot", expected_version=stale, note="x"
        )
    case.refresh_from_db()
    assert case.status == Status.REFERRED
    assert case.follow_up_on is not None


def test_return_reopen_and_send_back(world, case):
    step(case, world.grid_leader, "dispatch", organisation=world.renovation)
    step(case, world.handler, "return", note="不属于旧改范围")
    step(case, world.grid_leader, "dispatch", organisation=world.renovation)
    step(case, world.handler, "accept")
    step(case, world.handler, "answer", note="已安装")
    step(case, world.grid_leader, "send_back", note="现场未见晾衣杆")
    step(case, world.handler, "answer", note="补装完成")
    step(case, world.grid_leader, "verify")
    step(case, world.grid_leader, "close")
    case = step(case, world.grid_leader, "reopen", note="居民不满意：位置太远")
    assert case.status == Status.REGISTERED
    assert case.closed_at is None


@pytest.mark.parametrize("name", sorted(TRANSITIONS))
def test_offered_steps_match_the_actor(world, case, name):
    offered = {t.name for t in allowed(world.grid_leader, case)}
    assert offered == {"dispatch", "resolve_on_spot", "refer"}
    assert not allowed(world.handler, case)  # not dispatched to them yet
    assert not allowed(world.volunteer, case)
