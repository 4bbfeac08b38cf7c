"""Reads of cases: staff see their areas' cases, a handler those dispatched to their organisation."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from minqing.accounts.roles import STAFF_ROLES, Cap, Role, can
from minqing.core import audit
from minqing.core.errors import NotFound
from minqing.core.identity import mask_phone
from minqing.places.models import Area
from minqing.places.selectors import buildings_for, scope_q

from .models import OPEN_STATUSES, Case, Escalation, Extension, Feedback, Reporter, Status


def cases_for(user) -> QuerySet[Case]:
    if not user.is_authenticated:
        return Case.objects.none()
    if user.is_superuser or user.role in STAFF_ROLES:
        return Case.objects.filter(scope_q(user))
    if user.role == Role.ORG_HANDLER and user.organisation_id:
        # Only what reached them: a case registered or referred elsewhere is not theirs to see.
        return Case.objects.filter(organisation_id=user.organisation_id).exclude(
            status__in=[Status.REGISTERED, Status.REFERRED]
        )
    return Case.objects.none()


LIST_FILTERS = {
    "overdue": Q(status__in=OPEN_STATUSES, escalation__gt=Escalation.NONE),
    "due_soon": Q(status__in=OPEN_STATUSES, warned=True, escalation=Escalation.NONE),
    "open": Q(status__in=OPEN_STATUSES),
}


def case_list(
    user,
    *,
    status: str | None = None,
    clock: str | None = None,
    area=None,
    building_id: int | None = None,
    category_id: int | None = None,
    since=None,
    until=None,
) -> QuerySet[Case]:
    """The cases this user sees, newest first, narrowed by the list's filters (the dashboards link here).
    `area` is an Area already read through the user's scope; `since`/`until` bound the registration time."""
    qs = cases_for(user).select_related(
        "area", "building", "household", "household__building", "household__unit", "category", "organisation"
    )
    if status:
        qs = qs.filter(status=status)
    if clock in LIST_FILTERS:
        qs = qs.filter(LIST_FILTERS[clock])
    if area is not None:
        qs = qs.filter(area__in=Area.objects.filter(path__startswith=area.path).values("pk"))
    if building_id:
        qs = qs.filter(building_id=building_id)
    if category_id:
        qs = qs.filter(category_id=category_id)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    return qs.order_by("-created_at", "-id")


def load_cases(cases: QuerySet[Case], ids) -> list[Case]:
    """The cases of `cases` (a case_list) with these ids, in that order."""
    ids = list(ids)
    by_id = cases.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def recent_buildings(user, *, limit: int = 4):
    """The buildings this user recorded concerns about lately: one tap to pick "Building 3" again."""
    ids = []
    for building_id in (
        Case.objects.filter(registered_by=user, building__isnull=False)
        .order_by("-created_at")
        .values_list("building_id", flat=True)[:50]
    ):
        if building_id not in ids:
            ids.append(building_id)
    by_id = buildings_for(user).filter(pk__in=ids[:limit]).in_bulk()
    return [by_id[pk] for pk in ids[:limit] if pk in by_id]


def find_by_reference(user, reference: str) -> Case | None:
    return cases_for(user).filter(reference=reference.strip().upper()).select_related("area").first()


def reporters_for_handler(case: Case) -> list[dict]:
    """What an organisation handler (often a private company) may know of the reporters: a name unless they
    asked for confidentiality, a masked phone unless they agreed to share it; never an ID number."""
    out = []
    for reporter in case.reporters.select_related("resident"):
        phone = reporter.contact_phone
        out.append(
            {
                "name": None if reporter.confidential else str(reporter),
                "phone": phone if reporter.share_phone else mask_phone(phone) if phone else "",
            }
        )
    return out


def pending_extensions(user, *, limit: int = 20) -> list[Extension]:
    """Requests for more time waiting for this supervisor's decision."""
    if not can(user, Cap.SUPERVISE_CASES):
        return []
    return list(
        Extension.objects.filter(state=Extension.State.PENDING, case__in=cases_for(user).values("pk"))
        .select_related("case", "case__organisation", "requested_by")
        .order_by("created_at")[:limit]
    )


def callbacks_due(user, *, limit: int = 20) -> list[Case]:
    """Closed cases whose reporters asked to hear back and nobody has called back yet (回访)."""
    return list(
        cases_for(user)
        .filter(status=Status.CLOSED, merged_into__isnull=True)
        .filter(Exists(Reporter.objects.filter(case=OuterRef("pk"), wants_news=True)))
        .exclude(Exists(Feedback.objects.filter(case=OuterRef("pk"))))
        .select_related("area")
        .order_by("closed_at", "id")[:limit]
    )


def handler_queue(user, *, limit: int = 30) -> list[Case]:
    """An organisation's work: cases to accept and cases in hand, the nearest time limit first."""
    return list(
        cases_for(user)
        .filter(status__in=[Status.DISPATCHED, Status.ACCEPTED])
        .select_related("area", "building", "category")
        .order_by("due_at", "id")[:limit]
    )


def overdue_cases(user, *, limit: int = 20) -> list[Case]:
    return list(
        cases_for(user)
        .filter(LIST_FILTERS["overdue"])
        .select_related("area", "organisation")
        .order_by("-escalation", "due_at")[:limit]
    )


def similar_open_cases(user, *, building, description: str, limit: int = 3) -> list[Case]:
    """Open cases about the same building that share words with this one: probably the same concern, raised
    by a neighbour ("me too" instead of a duplicate)."""
    from minqing.directory.taxonomy import bigrams

    words = bigrams(description)
    candidates = (
        cases_for(user).filter(building=building).exclude(status=Status.CLOSED).order_by("-created_at")
    )
    scored = [(len(words & bigrams(case.description)), case) for case in candidates[:50]]
    scored = [(score, case) for score, case in scored if score >= 2]
    scored.sort(key=lambda item: -item[0])
    return [case for _score, case in scored[:limit]]


def get_case(user, pk) -> Case:
    case = (
        cases_for(user)
        .filter(pk=pk)
        .select_related(
            "area",
            "building",
            "household",
            "household__building",
            "household__unit",
            "category",
            "organisation",
            "registered_by",
        )
        .first()
    )
    if case is None:
        raise NotFound()
    return case


def timeline(case: Case):
    """Everything that happened to the case, oldest first, built from the audit trail."""
    return list(audit.events_for(case).order_by("at", "id"))


def follow_ups_due(user, *, limit: int = 20) -> list[Case]:
    """Referred cases whose follow-up day has come: "did the property company clear the drain?"."""
    from django.utils import timezone

    return list(
        cases_for(user)
        .filter(status=Status.REFERRED, follow_up_on__lte=timezone.localdate())
        .select_related("area")
        .order_by("follow_up_on", "id")[:limit]
    )


# What a reporter may read of their own case's story: the steps, never internal notes, names or other
# reporters. The handler's answer and the closing note are meant for them; other reasons stay internal.
PUBLIC_STEPS = {
    "cases.case.register",
    "cases.case.dispatch",
    "cases.case.reassign",
    "cases.case.accept",
    "cases.case.answer",
    "cases.case.resolve_on_spot",
    "cases.case.refer",
    "cases.case.close",
    "cases.case.close_referral",
    "cases.case.reopen",
    "cases.case.merged_into",
}
PUBLIC_NOTES = {"cases.case.answer", "cases.case.resolve_on_spot", "cases.case.refer", "cases.case.close"}


def public_timeline(case: Case) -> list[dict]:
    """The reporter's view of the timeline: when, what happened, and the answer when there is one."""
    return [
        {
            "at": event.at,
            "action": event.action,
            "event": event,
            "note": event.reason if event.action in PUBLIC_NOTES else "",
        }
        for event in audit.events_for(case).filter(action__in=PUBLIC_STEPS).order_by("at", "id")
    ]


def cases_reported_by(user) -> QuerySet[Case]:
    """A resident's own concerns: those where their portal account or their registry record is a reporter."""
    if not user.is_authenticated:
        return Case.objects.none()
    mine = Q(account_id=user.pk)
    if user.resident_id:
        mine |= Q(resident_id=user.resident_id)
    return Case.objects.filter(Exists(Reporter.objects.filter(mine, case=OuterRef("pk"))))
