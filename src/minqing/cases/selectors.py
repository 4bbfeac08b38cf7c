"""Reads of cases: staff see their areas' cases, a handler those dispatched to their organisation."""

from django.db.models import QuerySet

from minqing.accounts.roles import STAFF_ROLES, Role
from minqing.core import audit
from minqing.core.errors import NotFound
from minqing.places.selectors import scope_q

from .models import Case, Status


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


def case_list(user, *, status: str | None = None) -> QuerySet[Case]:
    qs = cases_for(user).select_related(
        "area", "building", "household", "household__building", "household__unit", "category", "organisation"
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


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
