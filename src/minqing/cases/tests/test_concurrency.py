"""Two people acting on the same case at the same moment, each on their own database connection.

Only on PostgreSQL: SQLite has one writer for the whole database (transactions queue on its write lock, and
Django ignores select_for_update there), so two threads cannot really race on a row. The suite runs on both
in CI; these run in the PostgreSQL pass.

A barrier releases both threads together, and the step that wins the row lock holds it a little longer
(a short sleep inside the transaction), so the other really waits on the lock instead of simply arriving
late.
"""

import threading
import time

import pytest
from django.db import connection, connections

from minqing.cases import actions
from minqing.cases.models import Case, Reporter, Status
from minqing.core.errors import Conflict, InvalidInput
from minqing.core.models import AuditEvent

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite serialises all writers, so two steps cannot race on a row",
    ),
    pytest.mark.django_db(transaction=True),
]


def race(*calls, hold: float = 0.3):
    """Run each call in its own thread and connection, released together. Returns (result, error) each."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            outcomes[i] = (call(), None)
        except Exception as error:  # the loser's Conflict, or a failure the test must see
            outcomes[i] = (None, error)
        finally:
            connections.close_all()  # this thread's connection; the test database must be droppable

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a step never finished (deadlock?)"
    return outcomes


@pytest.fixture
def slow_steps(monkeypatch):
    """Whoever holds the case's row lock keeps it a moment, so the other step must wait on it."""
    original = actions._move_clock

    def held(case, name, now):
        time.sleep(0.3)
        return original(case, name, now)

    monkeypatch.setattr(actions, "_move_clock", held)


@pytest.fixture
def slow_reporters(monkeypatch):
    """A moment between "is this resident already a reporter?" and writing the reporter."""
    original = actions._reporter

    def held(*args, **kwargs):
        time.sleep(0.3)
        return original(*args, **kwargs)

    monkeypatch.setattr(actions, "_reporter", held)


def case_events(case) -> list[str]:
    return list(
        AuditEvent.objects.filter(target_id=str(case.pk), action__startswith="cases.case.")
        .order_by("id")
        .values_list("action", flat=True)
    )


def dispatched_case(world):
    case = actions.register_case(
        acting_user=world.grid_leader,
        description="三栋门外没有晾衣杆，别的楼都有了",
        building=world.building1,
        resident=world.resident1,
    )
    return actions.transition(
        acting_user=world.grid_leader,
        case=case,
        name="dispatch",
        expected_version=case.version,
        organisation=world.renovation,
    )


def test_accept_and_reassign_at_once_one_wins_and_the_other_is_told(world, slow_steps):
    case = dispatched_case(world)
    version = case.version
    outcomes = race(
        lambda: actions.transition(
            acting_user=world.handler, case=case, name="accept", expected_version=version
        ),
        lambda: actions.transition(
            acting_user=world.grid_leader,
            case=case,
            name="reassign",
            expected_version=version,
            note="属物业维修范围",
            organisation=world.property,
        ),
    )
    errors = [error for _result, error in outcomes if error is not None]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], Conflict | InvalidInput), errors[0]
    accept_won = outcomes[0][1] is None

    case.refresh_from_db()
    assert case.version == version + 1
    if accept_won:
        assert (case.status, case.organisation) == (Status.ACCEPTED, world.renovation)
        assert case.accepted_at is not None
        assert case.stage == "finish"
    else:
        assert (case.status, case.organisation) == (Status.DISPATCHED, world.property)
        assert case.accepted_at is None
        assert case.stage == "accept"
    assert case.due_at is not None
    winner = "cases.case.accept" if accept_won else "cases.case.reassign"
    assert case_events(case) == ["cases.case.register", "cases.case.dispatch", winner]
    assert case.reporters.count() == 1


def test_two_handlers_accepting_at_once_accept_it_once(world, slow_steps):
    from tests.factories import user

    colleague = user("org_handler", organisation=world.renovation)
    case = dispatched_case(world)
    version = case.version
    outcomes = race(
        *(
            lambda who=who: actions.transition(
                acting_user=who, case=case, name="accept", expected_version=version
            )
            for who in (world.handler, colleague)
        )
    )
    winners = [result for result, error in outcomes if error is None]
    losers = [error for _result, error in outcomes if error is not None]
    assert len(winners) == 1, outcomes
    assert len(losers) == 1, outcomes
    assert isinstance(losers[0], Conflict)
    case.refresh_from_db()
    assert (case.status, case.version) == (Status.ACCEPTED, version + 1)
    assert case_events(case).count("cases.case.accept") == 1


def test_two_me_too_at_once_both_land(world, slow_reporters):
    case = dispatched_case(world)
    outcomes = race(
        lambda: actions.add_reporter(
            acting_user=world.grid_worker, case=case, name="李大爷", phone="13900001111"
        ),
        lambda: actions.add_reporter(acting_user=world.grid_leader, case=case, resident=world.resident2),
    )
    assert [error for _result, error in outcomes] == [None, None]
    names = sorted(str(reporter) for reporter in Reporter.objects.filter(case=case))
    assert names == sorted([world.resident1.name, "李大爷", world.resident2.name])
    assert case_events(case).count("cases.case.me_too") == 2
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED  # "me too" does not move the case


def test_the_same_resident_added_twice_at_once_is_one_reporter_and_a_clear_message(world, slow_reporters):
    """Without the row lock both checks see no such reporter and the second insert breaks the unique
    constraint: a server error instead of "already a reporter"."""
    from tests.factories import ResidentFactory

    neighbour = ResidentFactory(name="赵大妈", household=world.household1)  # in both actors' grid
    case = dispatched_case(world)
    outcomes = race(
        *(
            lambda who=who: actions.add_reporter(acting_user=who, case=case, resident=neighbour)
            for who in (world.grid_worker, world.grid_leader)
        )
    )
    errors = [error for _result, error in outcomes if error is not None]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], InvalidInput), repr(errors[0])
    assert Reporter.objects.filter(case=case, resident=neighbour).count() == 1
    assert case_events(case).count("cases.case.me_too") == 1


def test_a_me_too_during_a_step_is_not_lost_and_hears_the_news(world, slow_steps, slow_reporters):
    from minqing.notifications.models import Message

    case = dispatched_case(world)
    outcomes = race(
        lambda: actions.transition(
            acting_user=world.handler, case=case, name="accept", expected_version=case.version
        ),
        lambda: actions.add_reporter(
            acting_user=world.grid_worker, case=case, name="李大爷", phone="13900001111"
        ),
    )
    assert [error for _result, error in outcomes] == [None, None]
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    assert case.reporters.count() == 2
    assert case_events(case)[-2:] in (
        ["cases.case.accept", "cases.case.me_too"],
        ["cases.case.me_too", "cases.case.accept"],
    )
    actions.transition(
        acting_user=world.handler,
        case=Case.objects.get(pk=case.pk),
        name="answer",
        expected_version=case.version,
        note="已列入二期改造",
    )
    answered = Message.objects.filter(about_id=str(case.pk), event="case_answered", channel="sms")
    assert answered.count() == 1  # 李大爷, by SMS; 王秀兰 has an account and hears in the app


def test_a_me_too_on_a_case_being_merged_ends_on_the_kept_case_or_is_refused(world, slow_reporters):
    """Whichever comes first, no reporter is left behind on the closed duplicate, where nobody would
    ever tell them anything."""
    keep = dispatched_case(world)
    duplicate = actions.register_case(
        acting_user=world.grid_worker, description="3栋什么时候装晾衣杆", building=world.building1
    )
    outcomes = race(
        lambda: actions.merge_cases(acting_user=world.grid_leader, keep=keep, duplicate=duplicate),
        lambda: actions.add_reporter(
            acting_user=world.grid_worker, case=duplicate, name="李大爷", phone="13900001111"
        ),
    )
    assert outcomes[0][1] is None, outcomes
    duplicate.refresh_from_db()
    assert duplicate.merged_into == keep
    assert not duplicate.reporters.exists()
    me_too_error = outcomes[1][1]
    if me_too_error is None:
        assert keep.reporters.filter(name="李大爷").exists()
    else:
        assert isinstance(me_too_error, InvalidInput), repr(me_too_error)
