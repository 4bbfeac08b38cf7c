"""Time limits on the working-day calendar; warnings and 督办 fire once, at the right time. Time is passed in,
never waited for."""

import datetime
import zoneinfo

import pytest

from minqing.cases import actions, deadlines
from minqing.cases.models import Escalation, Extension
from minqing.core import periodic
from minqing.core.errors import Conflict, Forbidden, InvalidInput
from minqing.directory.models import Category
from minqing.notifications.models import Message

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime.datetime(*args, tzinfo=TZ)


@pytest.fixture
def category(db):
    return Category.objects.create(
        code="T01", domain="测试", name="晾衣杆", accept_hours=4, finish_days=5, verify_days=2
    )


@pytest.fixture
def case(world, category):
    return actions.register_case(
        acting_user=world.grid_leader,
        description="三栋门外没有晾衣杆",
        building=world.building1,
        resident=world.resident1,
        category=category,
    )


def step(case, user, name, now, **kwargs):
    case.refresh_from_db()
    return actions.transition(
        acting_user=user, case=case, name=name, expected_version=case.version, now=now, **kwargs
    )


def events(user, event):
    return Message.objects.filter(recipient_user=user, event=event, channel="inapp").count()


def test_accept_limit_runs_across_national_day(world, case):
    # Wednesday 30 September, 16:00: 1.5 working hours left that day, then 1–7 October are holidays.
    case = step(case, world.grid_leader, "dispatch", at(2026, 9, 30, 16, 0), organisation=world.renovation)
    assert case.accept_due_at == case.due_at == at(2026, 10, 8, 11, 0)
    assert case.warn_at == at(2026, 10, 8, 10, 12)  # 80 % of 4 h = 3 h 12 min
    assert case.red_at == at(2026, 10, 8, 16, 30)  # the limit passed twice over


def test_warning_then_yellow_then_red_each_fire_once(world, case):
    step(case, world.grid_leader, "dispatch", at(2026, 9, 30, 16, 0), organisation=world.renovation)

    assert deadlines.scan(at(2026, 10, 3, 12, 0)) == {"warned": 0, "yellow": 0, "red": 0}  # a holiday

    assert deadlines.scan(at(2026, 10, 8, 10, 15)) == {"warned": 1, "yellow": 0, "red": 0}
    assert deadlines.scan(at(2026, 10, 8, 10, 20)) == {"warned": 0, "yellow": 0, "red": 0}
    assert events(world.handler, "deadline_warning") == 1

    assert deadlines.scan(at(2026, 10, 8, 11, 1)) == {"warned": 0, "yellow": 1, "red": 0}
    assert deadlines.scan(at(2026, 10, 8, 11, 2)) == {"warned": 0, "yellow": 0, "red": 0}
    case.refresh_from_db()
    assert case.escalation == Escalation.YELLOW
    assert case.overdue
    assert events(world.community_admin, "case_escalated") == 1
    assert events(world.street_officer, "case_escalated") == 0

    assert deadlines.scan(at(2026, 10, 8, 16, 31)) == {"warned": 0, "yellow": 0, "red": 1}
    assert deadlines.scan(at(2026, 10, 9, 9, 0)) == {"warned": 0, "yellow": 0, "red": 0}
    case.refresh_from_db()
    assert case.escalation == Escalation.RED
    assert events(world.street_officer, "case_escalated") == 1
    assert events(world.other_admin, "case_escalated") == 0  # another community's admin hears nothing
    actions_seen = set(case_events(case))
    assert {
        "cases.case.deadline_warning",
        "cases.case.escalated_yellow",
        "cases.case.escalated_red",
    } <= actions_seen


def case_events(case):
    from minqing.core.models import AuditEvent

    return AuditEvent.objects.filter(target_id=str(case.pk)).values_list("action", flat=True)


def test_a_late_scan_escalates_without_a_stale_warning(world, case):
    step(case, world.grid_leader, "dispatch", at(2026, 9, 30, 16, 0), organisation=world.renovation)
    assert deadlines.scan(at(2026, 10, 8, 12, 0)) == {"warned": 0, "yellow": 1, "red": 0}
    assert events(world.handler, "deadline_warning") == 0


def test_accepting_in_time_starts_the_finish_clock_and_nothing_escalates(world, case):
    step(case, world.grid_leader, "dispatch", at(2026, 3, 2, 9, 0), organisation=world.renovation)
    case = step(case, world.handler, "accept", at(2026, 3, 2, 10, 0))
    # 5 working days of 7.5 hours from Monday 10:00 → the next Monday 10:00.
    assert case.finish_due_at == case.due_at == at(2026, 3, 9, 10, 0)
    assert case.escalation == Escalation.NONE
    assert not case.warned
    assert deadlines.scan(at(2026, 3, 2, 13, 30)) == {"warned": 0, "yellow": 0, "red": 0}
    case = step(case, world.handler, "answer", at(2026, 3, 5, 9, 0), note="已安装")
    assert case.verify_due_at == at(2026, 3, 9, 9, 0)
    case = step(case, world.grid_leader, "verify", at(2026, 3, 5, 15, 0))
    assert case.due_at is None
    assert deadlines.scan(at(2026, 4, 1, 9, 0)) == {"warned": 0, "yellow": 0, "red": 0}


def test_urgent_cases_have_one_hour_to_accept(world, category):
    case = actions.register_case(
        acting_user=world.grid_leader,
        description="煤气味",
        building=world.building1,
        category=category,
        urgent=True,
    )
    case = step(case, world.grid_leader, "dispatch", at(2026, 3, 2, 11, 30), organisation=world.renovation)
    assert case.due_at == at(2026, 3, 2, 14, 0)  # 30 min before lunch, 30 min after


def test_sending_back_keeps_the_original_limit(world, case):
    step(case, world.grid_leader, "dispatch", at(2026, 3, 2, 9, 0), organisation=world.renovation)
    step(case, world.handler, "accept", at(2026, 3, 2, 10, 0))
    step(case, world.handler, "answer", at(2026, 3, 3, 9, 0), note="好了")
    case = step(case, world.grid_leader, "send_back", at(2026, 3, 3, 15, 0), note="没装")
    assert case.due_at == at(2026, 3, 9, 10, 0)
    step(case, world.handler, "answer", at(2026, 3, 4, 9, 0), note="装了")
    case = step(case, world.grid_leader, "send_back", at(2026, 3, 10, 9, 0), note="还是没装")
    assert case.due_at == at(2026, 3, 11, 9, 0)  # the limit had passed: one more working day (7.5 h)


def test_extension_granted_moves_the_limit_and_clears_the_flag(world, case):
    step(case, world.grid_leader, "dispatch", at(2026, 3, 2, 9, 0), organisation=world.renovation)
    case = step(case, world.handler, "accept", at(2026, 3, 2, 10, 0))
    deadlines.scan(at(2026, 3, 9, 11, 0))
    case.refresh_from_db()
    assert case.escalation == Escalation.YELLOW
    extension = actions.request_extension(acting_user=world.handler, case=case, days=3, reason="等配件")
    assert events(world.grid_leader, "extension_requested") == 1
    with pytest.raises(InvalidInput):
        actions.request_extension(acting_user=world.handler, case=case, days=2, reason="再等等")
    with pytest.raises(Forbidden):
        actions.decide_extension(acting_user=world.grid_worker, extension=extension, grant=True)
    with pytest.raises(Forbidden):
        actions.decide_extension(acting_user=world.other_admin, extension=extension, grant=True)
    actions.decide_extension(
        acting_user=world.grid_leader, extension=extension, grant=True, now=at(2026, 3, 9, 11, 0)
    )
    case.refresh_from_db()
    # 3 working days from the original limit (Monday 9 March 10:00) → Thursday 12 March 10:00.
    assert case.due_at == case.finish_due_at == at(2026, 3, 12, 10, 0)
    assert case.escalation == Escalation.NONE
    assert case.overdue
    assert events(world.handler, "extension_decided") == 1
    with pytest.raises(Conflict):
        actions.decide_extension(
            acting_user=world.community_admin, extension=extension, grant=False, note="不"
        )


def test_a_refusal_needs_a_reason_and_changes_no_limit(world, case):
    step(case, world.grid_leader, "dispatch", at(2026, 3, 2, 9, 0), organisation=world.renovation)
    case = step(case, world.handler, "accept", at(2026, 3, 2, 10, 0))
    extension = actions.request_extension(acting_user=world.handler, case=case, days=3, reason="等配件")
    with pytest.raises(InvalidInput):
        actions.decide_extension(acting_user=world.community_admin, extension=extension, grant=False)
    actions.decide_extension(
        acting_user=world.community_admin, extension=extension, grant=False, note="本周必须完成"
    )
    case.refresh_from_db()
    extension.refresh_from_db()
    assert extension.state == Extension.State.REFUSED
    assert case.due_at == at(2026, 3, 9, 10, 0)


def test_only_the_handler_asks_for_time_and_only_while_working(world, case):
    step(case, world.grid_leader, "dispatch", at(2026, 3, 2, 9, 0), organisation=world.renovation)
    case.refresh_from_db()
    with pytest.raises(InvalidInput):  # not accepted yet
        actions.request_extension(acting_user=world.handler, case=case, days=3, reason="x")
    step(case, world.handler, "accept", at(2026, 3, 2, 10, 0))
    with pytest.raises(Forbidden):
        actions.request_extension(acting_user=world.grid_leader, case=case, days=3, reason="x")
    with pytest.raises(InvalidInput):
        actions.request_extension(acting_user=world.handler, case=case, days=0, reason="x")


def test_the_worker_enqueues_each_periodic_job_once_per_interval(db):
    last_run: dict[str, float] = {}
    assert len(periodic.enqueue_due(last_run, 1000.0)) == len(periodic.PERIODIC)
    assert periodic.enqueue_due(last_run, 1030.0) == []
    every_minute = [job.task for job in periodic.PERIODIC if job.every == 60]
    assert periodic.enqueue_due(last_run, 1060.0) == every_minute
    assert "minqing.cases.tasks.scan_deadlines" in every_minute
    assert len(periodic.enqueue_due(last_run, 1000.0 + 3600)) == len(periodic.PERIODIC)


def test_a_limit_set_by_12345_wins_over_the_categorys(world, category):
    case = actions.intake_case(
        submitted_by=None,
        source="12345",
        channel="hotline_12345",
        description="路灯不亮",
        area=world.grid1,
        category=category,
        external_due_at=at(2026, 3, 3, 17, 30),
    )
    step(case, world.grid_leader, "dispatch", at(2026, 3, 2, 9, 0), organisation=world.renovation)
    case = step(case, world.handler, "accept", at(2026, 3, 2, 10, 0))
    assert case.due_at == case.finish_due_at == at(2026, 3, 3, 17, 30)
    assert case.warn_at <= case.due_at
