"""Property-based tests of the case lifecycle: random sequences of steps by random people.

Hypothesis drives cases/actions.py (transitions, "me too", more time, call-backs, merges) with any actor of
any role — plus a handler of another organisation and staff of another grid and community — with random
notes (empty and blank too) and random organisations, and checks after every step that:

- a refused step (Forbidden / InvalidInput / Conflict) changed nothing: no row, no audit event, no
  reporter, no extension, no call-back, no message;
- a step that went through did what the model says, raised the version by exactly one and wrote one
  audit event;
- the status is always one of Status; a closed case has a close time and, unless resolved on the spot,
  closed after a referral or merged, a verifier; an open case has neither;
- a case whose clock runs (dispatched, accepted, answered) has its time limits set, any other has none;
- a case with a handler's step ahead of it names an organisation; a merged case is closed;
- the audit trail has exactly one event per step that went through; no reporter is ever lost.

The model below is written from the brief and the state diagram, not from cases/workflow.py.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from minqing.cases import actions
from minqing.cases.models import Case, Extension, Feedback, Rating, Reporter, Status
from minqing.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from minqing.core.models import AuditEvent
from minqing.notifications.models import Message
from minqing.organisations.selectors import organisations_for
from minqing.places.selectors import area_in_scope

S = Status
# name: (who, from, to, needs a note, needs an organisation)
STEPS = {
    "dispatch": ("staff", {S.REGISTERED}, S.DISPATCHED, False, True),
    "reassign": ("staff", {S.DISPATCHED, S.ACCEPTED}, S.DISPATCHED, True, True),
    "resolve_on_spot": ("staff", {S.REGISTERED}, S.CLOSED, True, False),
    "refer": ("staff", {S.REGISTERED}, S.REFERRED, True, False),
    "close_referral": ("staff", {S.REFERRED}, S.CLOSED, True, False),
    "accept": ("handler", {S.DISPATCHED}, S.ACCEPTED, False, False),
    "answer": ("handler", {S.ACCEPTED}, S.ANSWERED, True, False),
    "return": ("handler", {S.DISPATCHED, S.ACCEPTED}, S.REGISTERED, True, False),
    "verify": ("staff", {S.ANSWERED}, S.VERIFIED, False, False),
    "send_back": ("staff", {S.ANSWERED}, S.ACCEPTED, True, False),
    "close": ("staff", {S.VERIFIED}, S.CLOSED, False, False),
    "reopen": ("staff", {S.CLOSED}, S.REGISTERED, True, False),
}
MAIN_LOOP = {"dispatch", "accept", "answer", "verify", "close"}
CLOCK_RUNS = {S.DISPATCHED, S.ACCEPTED, S.ANSWERED}
WITH_AN_ORGANISATION = {S.DISPATCHED, S.ACCEPTED, S.ANSWERED, S.VERIFIED}
CLOSED_WITHOUT_VERIFYING = {"resolve_on_spot", "close_referral", "merged"}

# Every case is about 3号楼 in 第一网格 of 热电社区.
STAFF_IN_SCOPE = {"grid_worker", "grid_leader", "community_admin", "street_officer"}
SUPERVISORS_IN_SCOPE = {"grid_leader", "community_admin", "street_officer"}
ACTORS = [
    "grid_worker",
    "grid_leader",
    "community_admin",
    "street_officer",
    "org_handler",  # 旧改办
    "property_handler",  # 热电物业
    "far_handler",  # an organisation serving 阙里社区 only
    "grid_worker2",  # 第二网格
    "other_admin",  # 阙里社区
    "volunteer",
    "resident",
]
STAFF_FIRST = st.one_of(st.sampled_from(sorted(STAFF_IN_SCOPE)), st.sampled_from(ACTORS))
SUPERVISORS_FIRST = st.one_of(st.sampled_from(sorted(SUPERVISORS_IN_SCOPE)), st.sampled_from(ACTORS))
HANDLER_OF = {"org_handler": "renovation", "property_handler": "property", "far_handler": "far"}
ORGANISATIONS = [None, "renovation", "property", "far"]
NOTES = st.one_of(
    st.sampled_from(["", " ", "\n\t", "已处理", "居民说：楼道灯还是不亮", "x" * 500]),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30),
)
PHONES = st.sampled_from(["", "13900001111", "139 0000 2222", "+86 139-0000-3333", "12345"])
NAMES = st.sampled_from(["", "李大爷", "赵阿姨", "  "])
RESIDENTS = st.sampled_from([None, "resident1", "resident2", "resident3"])


# Every table a case action can write (the names are checked against the models in the test).
SNAPSHOT = [
    "SELECT * FROM cases_case ORDER BY id",
    "SELECT * FROM cases_reporter ORDER BY id",
    "SELECT * FROM cases_extension ORDER BY id",
    "SELECT * FROM cases_feedback ORDER BY id",
    "SELECT COUNT(*) FROM core_auditevent",
    "SELECT COUNT(*) FROM notifications_message",
]


def snapshot() -> list:
    """Every row a case action can write, whole, to show that a refused one wrote none. (Plain SQL: the
    ORM would spend most of this test's time compiling the same six queries.)"""
    with connection.cursor() as cursor:
        out = []
        for sql in SNAPSHOT:
            cursor.execute(sql)
            out.append(cursor.fetchall())
        return out


class CaseLifecycle(RuleBasedStateMachine):
    """Up to three cases; the model knows what each should be and checks the database against it."""

    world = None  # set by the test
    actors: dict = {}
    organisations: dict = {}
    residents: dict = {}

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()  # rolled back in teardown: every example starts from the same world
        self.model = {}
        self.new_case()

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- the model ------------------------------------------------------------------------------------

    def new_case(self):
        world = self.world
        case = actions.register_case(
            acting_user=world.grid_leader,
            description="三栋门外没有晾衣杆，别的楼都有了",
            building=world.building1,
            resident=world.resident1,
        )
        self.model[case.pk] = {
            "status": S.REGISTERED,
            "organisation": None,
            "version": 1,
            "events": 1,
            "reporters": [world.resident1.pk],  # resident id, or None for a name and phone
            "closed_via": None,
            "merged_into": None,
            "rating": "",
            "pending_extension": False,
        }
        return case

    def role(self, actor: str, pk: int) -> str | None:
        if actor in STAFF_IN_SCOPE:
            return "staff"
        organisation = HANDLER_OF.get(actor)
        if organisation is not None and self.model[pk]["organisation"] == organisation:
            return "handler"
        return None

    def case(self, index: int) -> Case:
        pks = sorted(self.model)
        return Case.objects.select_related("area").get(pk=pks[index % len(pks)])

    def pick(self, data, status) -> Case:
        """Mostly a case in `status` when there is one (so that the step can go through), else any."""
        pks = sorted(self.model)
        fitting = [
            pk for pk in pks if self.model[pk]["status"] == status and not self.model[pk]["merged_into"]
        ]
        if fitting and data.draw(st.integers(0, 3)) > 0:
            pk = data.draw(st.sampled_from(fitting))
        else:
            pk = data.draw(st.sampled_from(pks))
        return Case.objects.select_related("area").get(pk=pk)

    def serves(self, actor, organisation) -> bool:
        """Staff dispatch only to organisations serving their area (organisations.selectors decides)."""
        if organisation is None:
            return True
        return organisations_for(self.actors[actor]).filter(pk=self.organisations[organisation].pk).exists()

    def attempt(self, expected_error, do):
        """Run `do`; when the model expects an error, check it was that one and nothing was written."""
        before = snapshot()
        if expected_error is None:
            return do()
        with pytest.raises(expected_error):
            do()
        assert snapshot() == before
        return None

    # --- rules ----------------------------------------------------------------------------------------

    @precondition(lambda self: len(self.model) < 3)
    @rule()
    def register_another(self):
        self.new_case()

    @rule(
        index=st.integers(0, 2),
        actor=st.sampled_from(ACTORS),
        name=st.sampled_from([*STEPS, "fly_to_the_moon"]),
        note=NOTES,
        organisation=st.sampled_from(ORGANISATIONS),
        stale=st.sampled_from([False, False, False, False, True]),
    )
    def any_step(self, index, actor, name, note, organisation, stale):
        """Anyone tries anything: mostly refused, which must change nothing."""
        self.transition(self.case(index), actor, name, note, organisation, stale)

    @rule(index=st.integers(0, 2), data=st.data())
    def a_likely_step(self, index, data):
        """A step the case's state allows, mostly by the right person: walks reach every state."""
        self.likely_step(index, data)

    @rule(index=st.integers(0, 2), data=st.data())
    def another_likely_step(self, index, data):
        self.likely_step(index, data)

    @rule(index=st.integers(0, 2), data=st.data())
    def yet_another_likely_step(self, index, data):
        self.likely_step(index, data)

    def likely_step(self, index, data):
        case = self.case(index)
        m = self.model[case.pk]
        names = [name for name, step in STEPS.items() if m["status"] in step[1]]
        names += [name for name in names if name in MAIN_LOOP] * 3  # forward, mostly
        name = data.draw(st.sampled_from(names))  # every state has a way out
        handlers = [a for a, o in HANDLER_OF.items() if o == m["organisation"]]
        right = sorted(STAFF_IN_SCOPE) if STEPS[name][0] == "staff" else handlers
        actor = data.draw(st.sampled_from(right) if right else st.sampled_from(ACTORS))
        note = data.draw(st.one_of(st.sampled_from(["已处理", "现场已核实", "不属于我们"]), NOTES))
        organisation = data.draw(st.sampled_from(ORGANISATIONS[1:] * 3 + [None]))
        self.transition(case, actor, name, note, organisation, stale=False)

    def transition(self, case, actor, name, note, organisation, stale):
        m = self.model[case.pk]
        assert case.version == m["version"]
        if name not in STEPS:
            expected = InvalidInput
        else:
            who, sources, _target, needs_note, needs_organisation = STEPS[name]
            if stale:
                expected = Conflict
            elif self.role(actor, case.pk) != who:
                expected = Forbidden
            elif (
                m["merged_into"]
                or m["status"] not in sources
                or (needs_note and not note.strip())
                or (needs_organisation and organisation is None)
                or (name == "reassign" and organisation == m["organisation"])
                or (needs_organisation and not self.serves(actor, organisation))
            ):
                expected = InvalidInput
            else:
                expected = None
        moved = self.attempt(
            expected,
            lambda: actions.transition(
                acting_user=self.actors[actor],
                case=case,
                name=name,
                expected_version=case.version - 1 if stale else case.version,
                note=note,
                organisation=self.organisations.get(organisation),
            ),
        )
        if moved is None:
            return
        target = STEPS[name][2]
        assert moved.status == target
        assert moved.version == m["version"] + 1
        m.update(status=target, version=m["version"] + 1, events=m["events"] + 1)
        if STEPS[name][4]:
            m["organisation"] = organisation
        if name == "return":
            m["organisation"] = None
        if target == S.CLOSED:
            m["closed_via"] = name
        if name == "reopen":
            m.update(closed_via=None, rating="")
        last = AuditEvent.objects.filter(target_id=str(case.pk)).latest("id")
        assert last.action == f"cases.case.{name}"
        assert last.actor == self.actors[actor]
        assert last.reason == note.strip()

    @rule(index=st.integers(0, 2), actor=STAFF_FIRST, resident=RESIDENTS, name=NAMES, phone=PHONES)
    def me_too(self, index, actor, resident, name, phone):
        case = self.case(index)
        m = self.model[case.pk]
        resident_pk = self.residents[resident].pk if resident else None
        if actor not in STAFF_IN_SCOPE:
            expected = Forbidden
        elif m["merged_into"]:
            expected = InvalidInput
        elif resident and not area_in_scope(self.actors[actor], self.residents[resident].area):
            expected = NotFound  # a resident of another grid: not theirs to name
        elif (resident_pk is not None and resident_pk in m["reporters"]) or (
            resident_pk is None and not name.strip() and not phone.strip()
        ):
            expected = InvalidInput
        elif phone == "12345":
            expected = ValidationError  # the form says so first; the action refuses it all the same
        else:
            expected = None
        reporter = self.attempt(
            expected,
            lambda: actions.add_reporter(
                acting_user=self.actors[actor],
                case=case,
                resident=self.residents.get(resident),
                name=name,
                phone=phone,
            ),
        )
        if reporter is not None:
            m["reporters"].append(resident_pk)
            m["events"] += 1

    @rule(data=st.data(), days=st.sampled_from([0, 1, 5, 30, 31]), reason=NOTES)
    def ask_for_more_time(self, data, days, reason):
        case = self.pick(data, S.ACCEPTED)
        m = self.model[case.pk]
        handlers = [a for a, o in HANDLER_OF.items() if o == m["organisation"]]
        actor = data.draw(st.one_of(st.sampled_from(handlers or ACTORS), st.sampled_from(ACTORS)))
        if self.role(actor, case.pk) != "handler":
            expected = Forbidden
        elif m["status"] != S.ACCEPTED or not 1 <= days <= 30 or not reason.strip() or m["pending_extension"]:
            expected = InvalidInput
        else:
            expected = None
        extension = self.attempt(
            expected,
            lambda: actions.request_extension(
                acting_user=self.actors[actor], case=case, days=days, reason=reason
            ),
        )
        if extension is not None:
            m.update(pending_extension=True, events=m["events"] + 1)
            assert case.version == m["version"]  # asking does not move the case

    @precondition(lambda self: any(m["pending_extension"] for m in self.model.values()))
    @rule(actor=SUPERVISORS_FIRST, grant=st.booleans(), note=NOTES)
    def decide_more_time(self, actor, grant, note):
        extension = Extension.objects.filter(state=Extension.State.PENDING).order_by("pk").first()
        m = self.model[extension.case_id]
        if actor not in SUPERVISORS_IN_SCOPE:
            expected = Forbidden
        elif not grant and not note.strip():
            expected = InvalidInput
        else:
            expected = None
        decided = self.attempt(
            expected,
            lambda: actions.decide_extension(
                acting_user=self.actors[actor], extension=extension, grant=grant, note=note
            ),
        )
        if decided is None:
            return
        m.update(pending_extension=False, events=m["events"] + 1)
        if grant and m["status"] == S.ACCEPTED:  # the finish limit moves: a change to the case
            m["version"] += 1

    @rule(
        data=st.data(),
        actor=STAFF_FIRST,
        contacted=st.booleans(),
        rating=st.sampled_from(["", *Rating.values, "thrilled"]),
        note=NOTES,
        whom=st.sampled_from(["nobody", "first", "someone_elses"]),
    )
    def call_back(self, data, actor, contacted, rating, note, whom):
        case = self.pick(data, S.CLOSED)
        m = self.model[case.pk]
        reporter = None
        if whom == "first":
            reporter = Reporter.objects.filter(case=case).order_by("pk").first()
        elif whom == "someone_elses":
            reporter = Reporter.objects.exclude(case=case).order_by("pk").first()
        if actor not in STAFF_IN_SCOPE:
            expected = Forbidden
        elif (
            m["status"] != S.CLOSED
            or m["merged_into"]
            or (reporter is not None and reporter.case_id != case.pk)
            or (contacted and rating not in Rating.values)
            or (contacted and rating == Rating.UNSATISFIED and not note.strip())
        ):
            expected = InvalidInput
        else:
            expected = None
        feedback = self.attempt(
            expected,
            lambda: actions.record_feedback(
                acting_user=self.actors[actor],
                case=case,
                reporter=reporter,
                contacted=contacted,
                rating=rating,
                note=note,
            ),
        )
        if feedback is None:
            return
        m["events"] += 1
        if contacted:
            m.update(rating=rating, version=m["version"] + 1)
        if contacted and rating == Rating.UNSATISFIED:  # reopens with their words
            m.update(status=S.REGISTERED, closed_via=None, rating="")
            m.update(version=m["version"] + 1, events=m["events"] + 1)

    @rule(actor=SUPERVISORS_FIRST, keep=st.integers(0, 2), duplicate=st.integers(0, 2))
    def merge(self, actor, keep, duplicate):
        keep, duplicate = self.case(keep), self.case(duplicate)
        k, d = self.model[keep.pk], self.model[duplicate.pk]
        if actor not in SUPERVISORS_IN_SCOPE:
            expected = Forbidden
        elif keep.pk == duplicate.pk or S.CLOSED in (k["status"], d["status"]):
            expected = InvalidInput
        else:
            expected = None
        kept = self.attempt(
            expected,
            lambda: actions.merge_cases(acting_user=self.actors[actor], keep=keep, duplicate=duplicate),
        )
        if kept is None:
            return
        moving = [r for r in d["reporters"] if r is None or r not in k["reporters"]]
        staying = [r for r in d["reporters"] if r is not None and r in k["reporters"]]
        k.update(reporters=k["reporters"] + moving, version=k["version"] + 1, events=k["events"] + 1)
        d.update(
            reporters=staying,
            version=d["version"] + 1,
            events=d["events"] + 1,
            status=S.CLOSED,
            closed_via="merged",
            merged_into=keep.pk,
        )

    # --- invariants: after every step, in four queries ------------------------------------------------

    @invariant()
    def the_database_agrees_with_the_model(self):
        pks = list(self.model)
        rows = {row["pk"]: row for row in Case.objects.filter(pk__in=pks).values(*CASE_FIELDS)}
        events = dict(
            AuditEvent.objects.filter(target_id__in=[str(pk) for pk in pks], action__startswith="cases.case.")
            .values_list("target_id")
            .annotate(n=Count("id"))
        )
        reporters = {pk: [] for pk in pks}
        for case_id, resident_id in Reporter.objects.filter(case_id__in=pks).values_list(
            "case_id", "resident_id"
        ):
            reporters[case_id].append(resident_id)
        pending = list(
            Extension.objects.filter(case_id__in=pks, state=Extension.State.PENDING).values_list(
                "case_id", flat=True
            )
        )
        assert len(pending) == len(set(pending))  # at most one request for more time waits, per case
        for pk, m in self.model.items():
            check_case(rows[pk], m, self.organisations)
            assert events.get(str(pk), 0) == m["events"], pk  # one audit event per step that went through
            assert sorted(reporters[pk], key=str) == sorted(m["reporters"], key=str)  # none lost
            assert (pk in pending) == m["pending_extension"]


CASE_FIELDS = (
    "pk",
    "status",
    "version",
    "merged_into_id",
    "rating",
    "organisation_id",
    "closed_at",
    "verified_by__role",
    "due_at",
    "warn_at",
    "red_at",
    "escalation",
    "accept_due_at",
    "finish_due_at",
    "verify_due_at",
    "follow_up_on",
)
STAGE = {S.DISPATCHED: "accept", S.ACCEPTED: "finish", S.ANSWERED: "verify"}


def check_case(row: dict, m: dict, organisations: dict) -> None:
    status = row["status"]
    assert status in Status.values
    assert (status, row["version"], row["merged_into_id"], row["rating"]) == (
        m["status"],
        m["version"],
        m["merged_into"],
        m["rating"],
    )
    organisation = organisations.get(m["organisation"])
    assert row["organisation_id"] == (organisation.pk if organisation else None)
    if status == S.CLOSED:
        assert row["closed_at"] is not None
        if m["closed_via"] not in CLOSED_WITHOUT_VERIFYING:
            assert row["verified_by__role"] in STAFF_IN_SCOPE  # verified on site by staff, not the handler
    else:
        assert row["closed_at"] is None
        assert row["merged_into_id"] is None
        assert row["rating"] == ""
    if status in (S.REGISTERED, S.REFERRED, S.DISPATCHED, S.ACCEPTED):
        assert row["verified_by__role"] is None
    if status in CLOCK_RUNS:
        assert None not in (row["due_at"], row["warn_at"], row["red_at"])
        assert row["warn_at"] <= row["due_at"] <= row["red_at"]
        assert row[f"{STAGE[status]}_due_at"] is not None
    else:
        assert (row["due_at"], row["warn_at"], row["red_at"], row["escalation"]) == (None, None, None, 0)
    if status in WITH_AN_ORGANISATION:
        assert row["organisation_id"] is not None
    if status == S.REFERRED:
        assert row["follow_up_on"] is not None


def test_random_walks_through_the_case_lifecycle(world):
    from tests.factories import OrganisationFactory, user

    tables = {Case, Reporter, Extension, Feedback, AuditEvent, Message}
    assert {model._meta.db_table for model in tables} == {sql.split()[3] for sql in SNAPSHOT}
    far = OrganisationFactory(name="曲阜市综合执法局")
    far.areas.set([world.other_community])
    CaseLifecycle.world = world
    CaseLifecycle.organisations = {
        "renovation": world.renovation,
        "property": world.property,
        "far": far,
    }
    CaseLifecycle.actors = {
        **world.by_role(),
        "property_handler": user("org_handler", organisation=world.property),
        "far_handler": user("org_handler", organisation=far),
        "grid_worker2": world.grid_worker2,
        "other_admin": world.other_admin,
    }
    CaseLifecycle.residents = {
        "resident1": world.resident1,
        "resident2": world.resident2,
        "resident3": world.resident3,
    }
    run_state_machine_as_test(
        CaseLifecycle,
        settings=settings(
            max_examples=50,
            stateful_step_count=20,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
