"""The permission matrix of the case lifecycle: every state × every actor × every transition.

A transition is allowed exactly when the table below says the actor's role may take it from that state and
the actor is in scope (staff whose area holds the case; a handler of the organisation the case is with).
Anything else is refused (Forbidden for the wrong actor, InvalidInput for the wrong state) and changes
nothing: not the row, not the audit trail, not the reporters, not the outbox.

The world and one case per state are built once for the module, inside a transaction rolled back at the
end; every test runs in its own savepoint, so a test that moves a case leaves it as it was for the next.
"""

import pytest
from django.db import transaction
from django.db.models import Count, Q

from minqing.cases import actions, selectors
from minqing.cases.models import Case, Reporter, Status
from minqing.cases.workflow import HANDLER, STAFF, TRANSITIONS, allowed
from minqing.core.errors import Forbidden, InvalidInput, NotFound
from minqing.core.models import AuditEvent
from minqing.notifications.models import Message

# Who takes each step, from which states: written out here, independently of cases/workflow.py.
TABLE = {
    "dispatch": (STAFF, {Status.REGISTERED}),
    "reassign": (STAFF, {Status.DISPATCHED, Status.ACCEPTED}),
    "resolve_on_spot": (STAFF, {Status.REGISTERED}),
    "refer": (STAFF, {Status.REGISTERED}),
    "close_referral": (STAFF, {Status.REFERRED}),
    "accept": (HANDLER, {Status.DISPATCHED}),
    "answer": (HANDLER, {Status.ACCEPTED}),
    "return": (HANDLER, {Status.DISPATCHED, Status.ACCEPTED}),
    "verify": (STAFF, {Status.ANSWERED}),
    "send_back": (STAFF, {Status.ANSWERED}),
    "close": (STAFF, {Status.VERIFIED}),
    "reopen": (STAFF, {Status.CLOSED}),
}

# Every case is in 第一网格 (3号楼) and, once dispatched, with 旧改办 (world.renovation).
IN_SCOPE_STAFF = ("grid_worker", "grid_leader", "community_admin", "street_officer")
ACTORS = (
    *IN_SCOPE_STAFF,
    "handler",  # of 旧改办, the organisation the case is with
    "other_handler",  # of the property company: another organisation
    "grid_worker2",  # a grid worker of 第二网格
    "other_admin",  # the admin of 阙里社区, another community
    "volunteer",
    "resident",
)

# How each state is reached, by the right people: (actor, transition, extra arguments).
PATHS = {
    "registered": [],
    "referred": [("grid_leader", "refer", {"note": "已告知物业电话"})],
    "dispatched": [("grid_leader", "dispatch", {"organisation": "renovation"})],
    "accepted": [
        ("grid_leader", "dispatch", {"organisation": "renovation"}),
        ("handler", "accept", {}),
    ],
    "answered": [
        ("grid_leader", "dispatch", {"organisation": "renovation"}),
        ("handler", "accept", {}),
        ("handler", "answer", {"note": "已列入二期改造"}),
    ],
    "verified": [
        ("grid_leader", "dispatch", {"organisation": "renovation"}),
        ("handler", "accept", {}),
        ("handler", "answer", {"note": "已列入二期改造"}),
        ("grid_leader", "verify", {}),
    ],
    "closed": [
        ("grid_leader", "dispatch", {"organisation": "renovation"}),
        ("handler", "accept", {}),
        ("handler", "answer", {"note": "已列入二期改造"}),
        ("grid_leader", "verify", {}),
        ("grid_leader", "close", {}),
    ],
    # Closed, then reopened after an unsatisfied call-back: registered again, still naming 旧改办.
    "reopened": [
        ("grid_leader", "dispatch", {"organisation": "renovation"}),
        ("handler", "accept", {}),
        ("handler", "answer", {"note": "已列入二期改造"}),
        ("grid_leader", "verify", {}),
        ("grid_leader", "close", {}),
        ("grid_leader", "reopen", {"note": "居民不满意"}),
    ],
    "merged": "merged",  # a registered duplicate closed into another case
}
STATE_OF = {name: name for name in PATHS} | {"reopened": Status.REGISTERED, "merged": Status.CLOSED}


class Matrix:
    def __init__(self):
        from tests.factories import World, user

        self.world = world = World()
        self.actors = {
            **world.by_role(),
            "handler": world.handler,
            "other_handler": user("org_handler", organisation=world.property, username="property-handler"),
            "grid_worker2": world.grid_worker2,
            "other_admin": world.other_admin,
        }
        self.organisations = {"renovation": world.renovation, "property": world.property}
        self.case_ids = {}
        for state, path in PATHS.items():
            case = actions.register_case(
                acting_user=world.grid_leader,
                description=f"三栋门外没有晾衣杆（{state}）",
                building=world.building1,
                resident=world.resident1,
            )
            actions.add_reporter(acting_user=world.grid_leader, case=case, name="李大爷", phone="13900001111")
            if path == "merged":
                keep = actions.register_case(
                    acting_user=world.grid_leader, description="晾衣杆", building=world.building1
                )
                actions.merge_cases(acting_user=world.grid_leader, keep=keep, duplicate=case)
                path = []
            for actor, name, extra in path:
                self.step(case, actor, name, **extra)
            self.case_ids[state] = case.pk

    def step(self, case, actor, name, *, note="", organisation=None, fresh=False):
        if not fresh:
            case.refresh_from_db()
        return actions.transition(
            acting_user=self.actors[actor],
            case=case,
            name=name,
            expected_version=case.version,
            note=note,
            organisation=self.organisations.get(organisation),
        )

    def case(self, state) -> Case:
        return Case.objects.select_related("area").get(pk=self.case_ids[state])


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker):
    """Built once: ~40 transitions instead of one world per each of the thousand tests."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield Matrix()
        transaction.set_rollback(True)


def row(case: Case) -> dict:
    return Case.objects.filter(pk=case.pk).values().get()


def footprint(case: Case) -> dict:
    """Everything a step may write, so that a refused step can be shown to have written nothing."""
    return {
        "row": row(case),
        **AuditEvent.objects.aggregate(
            events=Count("id"), audit=Count("id", filter=Q(target_id=str(case.pk)))
        ),
        "reporters": list(Reporter.objects.filter(case=case).values_list("pk", "case_id")),
        "messages": Message.objects.count(),
    }


def expected_role(actor: str, case: Case) -> str | None:
    if actor in IN_SCOPE_STAFF:
        return STAFF
    if actor == "handler" and case.organisation_id is not None:
        return HANDLER  # 旧改办's handler, for as long as the case names 旧改办
    return None


def test_the_table_is_the_workflow():
    assert {name: (t.actor, set(t.sources)) for name, t in TRANSITIONS.items()} == TABLE
    assert {t.target for t in TRANSITIONS.values()} <= set(Status)


def test_every_state_was_reached(matrix, db):
    for state in PATHS:
        case = matrix.case(state)
        assert case.status == STATE_OF[state], state
    assert matrix.case("reopened").organisation == matrix.world.renovation
    assert matrix.case("merged").merged_into_id is not None


@pytest.mark.parametrize("name", sorted(TABLE))
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("state", list(PATHS))
def test_transition(matrix, db, state, actor, name):
    case = matrix.case(state)
    user = matrix.actors[actor]
    step_actor, sources = TABLE[name]
    role = expected_role(actor, case)
    may = role == step_actor and case.status in sources and case.merged_into_id is None
    assert (name in {t.name for t in allowed(user, case)}) == may  # what the case page offers
    before = footprint(case)
    organisation = {"dispatch": "renovation", "reassign": "property"}.get(name)
    if may:
        moved = matrix.step(case, actor, name, note="现场已核实", organisation=organisation, fresh=True)
        assert moved.status == TRANSITIONS[name].target
        assert moved.version == before["row"]["version"] + 1
        after = footprint(case)
        assert after["audit"] == before["audit"] + 1
        assert after["reporters"] == before["reporters"]
        last = AuditEvent.objects.filter(target_id=str(case.pk)).latest("id")
        assert (last.action, last.actor_id) == (f"cases.case.{name}", user.pk)
        return
    expected = Forbidden if role != step_actor else InvalidInput
    with pytest.raises(expected):
        matrix.step(case, actor, name, note="现场已核实", organisation=organisation, fresh=True)
    assert footprint(case) == before


VISIBLE_TO_HANDLER = {"dispatched", "accepted", "answered", "verified", "closed"}


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("state", list(PATHS))
def test_who_sees_the_case(matrix, db, state, actor):
    case, user = matrix.case(state), matrix.actors[actor]
    visible = actor in IN_SCOPE_STAFF or (actor == "handler" and state in VISIBLE_TO_HANDLER)
    if visible:
        assert selectors.get_case(user, case.pk).pk == case.pk
    else:
        with pytest.raises(NotFound):
            selectors.get_case(user, case.pk)


@pytest.mark.parametrize("state", ["dispatched", "accepted"])
def test_a_handler_of_another_organisation_can_neither_see_nor_touch_the_case(matrix, db, state):
    """After 改派 from 旧改办 to the property company, 旧改办's handler loses the case altogether."""
    case = matrix.case(state)
    matrix.step(case, "grid_leader", "reassign", note="属物业维修范围", organisation="property")
    renovation, property_ = matrix.actors["handler"], matrix.actors["other_handler"]
    with pytest.raises(NotFound):
        selectors.get_case(renovation, case.pk)
    assert selectors.get_case(property_, case.pk).pk == case.pk
    assert not allowed(renovation, Case.objects.get(pk=case.pk))
    before = footprint(case)
    for name in ("accept", "answer", "return"):
        with pytest.raises(Forbidden):
            matrix.step(case, "handler", name, note="不是我们的")
    assert footprint(case) == before
    matrix.step(case, "other_handler", "accept")
    assert Case.objects.get(pk=case.pk).status == Status.ACCEPTED


@pytest.mark.parametrize("actor", ["grid_worker2", "other_admin", "volunteer", "resident", "other_handler"])
def test_out_of_scope_actors_cannot_add_reporters_or_call_back(matrix, db, actor):
    user = matrix.actors[actor]
    for state in ("registered", "closed"):
        case = matrix.case(state)
        before = footprint(case)
        with pytest.raises(Forbidden):
            actions.add_reporter(acting_user=user, case=case, name="张三", phone="13900002222")
        with pytest.raises(Forbidden):
            actions.record_feedback(
                acting_user=user, case=case, reporter=None, contacted=True, rating="satisfied"
            )
        assert footprint(case) == before


def test_a_merged_case_takes_no_step_and_no_reporter(matrix, db):
    case = matrix.case("merged")
    before = footprint(case)
    with pytest.raises(InvalidInput):
        matrix.step(case, "grid_leader", "reopen", note="想重开")
    with pytest.raises(InvalidInput):  # the reporter would sit on a closed duplicate, never told anything
        actions.add_reporter(acting_user=matrix.world.grid_leader, case=case, name="张三")
    assert footprint(case) == before
