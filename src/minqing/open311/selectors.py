"""Reads for Open311: what a jurisdiction publishes (public, no user), and what staff may manage (scoped).

What is public of a case is decided here, once: see `public_cases`.
"""

import datetime
import hashlib
import math
from decimal import Decimal
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, Q, QuerySet
from django.db.models.functions import Cast

from minqing.accounts.roles import Cap, can
from minqing.cases.models import Case, Nature, Status
from minqing.cases.selectors import PUBLIC_NOTES, PUBLIC_STEPS
from minqing.core.errors import NotFound
from minqing.core.models import AuditEvent
from minqing.directory.models import Category
from minqing.places.models import Area, Building
from minqing.places.selectors import visible_areas

from .models import Client, Jurisdiction, ServiceAttribute

MAX_REQUESTS = 1000  # the spec's "first 1000 requests returned"
NEAREST_BUILDING_METRES = 100


# --- public reads (the API) -------------------------------------------------------------------------------


def active_jurisdiction(jurisdiction_id: str) -> Jurisdiction | None:
    return (
        Jurisdiction.objects.filter(jurisdiction_id=jurisdiction_id, active=True)
        .select_related("community", "default_grid")
        .first()
    )


def sole_jurisdiction() -> Jurisdiction | None:
    """The one active jurisdiction, when the endpoint serves only one (then jurisdiction_id is optional)."""
    found = list(Jurisdiction.objects.filter(active=True).select_related("community", "default_grid")[:2])
    return found[0] if len(found) == 1 else None


def services(jurisdiction: Jurisdiction) -> list[Category]:
    """The categories the community offers as services, each with `attribute_count`."""
    return list(
        jurisdiction.services.filter(active=True)
        .annotate(attribute_count=Count("open311_attributes"))
        .order_by("code")
    )


def service(jurisdiction: Jurisdiction, code: str) -> Category | None:
    return jurisdiction.services.filter(active=True, code=code).first()


def attributes(category: Category) -> list[ServiceAttribute]:
    return list(ServiceAttribute.objects.filter(category=category).order_by("order", "id"))


def client_for_key(key: str) -> Client | None:
    if not key:
        return None
    return Client.objects.filter(key_hash=key_hash(key), active=True).first()


def may_post(client: Client, jurisdiction: Jurisdiction) -> bool:
    return client.active and client.jurisdictions.filter(pk=jurisdiction.pk).exists()


def key_hash(key: str) -> str:
    # Keys are 256-bit random tokens, so a fast hash is enough (no dictionary to guess from); lookups stay
    # one indexed equality.
    return hashlib.sha256(key.encode()).hexdigest()


def public_cases(jurisdiction: Jurisdiction) -> QuerySet[Case]:
    """The cases a jurisdiction publishes: those in its community whose category it offers as a service,
    and those posted through Open311 to it (even if staff later chose another category). Reports of
    wrongdoing (举报) are never published, whatever their category."""
    in_community = Area.objects.filter(path__startswith=jurisdiction.community.path).values("pk")
    offered = Category.objects.filter(open311_jurisdictions=jurisdiction).values("pk")
    return (
        Case.objects.filter(area_id__in=in_community)
        .filter(Q(category_id__in=offered) | Q(open311__jurisdiction=jurisdiction))
        .exclude(nature=Nature.REPORT)
    )


# What a published request is made of: the case's own public fields and those of what it points to. Read
# as plain rows (no model instances): that halves the time of a page of 1000 requests.
REQUEST_FIELDS = (
    "pk",
    "reference",
    "status",
    "description",
    "channel",
    "urgent",
    "created_at",
    "updated_at",
    "closed_at",
    "due_at",
    "finish_due_at",
    "latitude",
    "longitude",
    "address",
    "category__code",
    "category__name",
    "organisation__name",
    "building__code",
    "building__name",
    "building__address",
    "building__latitude",
    "building__longitude",
    "area__name",
    "open311__media_url",
    "open311__attributes",
    "merged_into__reference",
)


def requests(
    jurisdiction: Jurisdiction,
    *,
    references: list[str] | None = None,
    service_codes: list[str] | None = None,
    statuses: set[str] | None = None,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
    offset: int = 0,
    limit: int = MAX_REQUESTS,
) -> list[dict]:
    """One page of public requests, newest first, in one query, as rows of REQUEST_FIELDS."""
    cases = public_cases(jurisdiction)
    if references is not None:
        cases = cases.filter(reference__in=[reference.upper() for reference in references])
    else:
        if service_codes:
            cases = cases.filter(category__code__in=service_codes)
        if statuses == {"open"}:
            cases = cases.exclude(status=Status.CLOSED)
        elif statuses == {"closed"}:
            cases = cases.filter(status=Status.CLOSED)
        if start is not None:
            cases = cases.filter(created_at__gte=start)
        if end is not None:
            cases = cases.filter(created_at__lte=end)
    return list(cases.order_by("-created_at", "-id").values(*REQUEST_FIELDS)[offset : offset + limit])


class Event(NamedTuple):
    """A public step of a case, as much of its audit event as the API needs."""

    pk: int
    case_pk: int
    at: datetime.datetime
    action: str
    reason: str
    changes: dict


def public_events(case_pks: list[int], actions) -> dict[int, list[Event]]:
    """The audit events of these cases with the given actions, oldest first per case: one query."""
    by_case: dict[int, list[Event]] = {pk: [] for pk in case_pks}
    if not case_pks:
        return by_case
    rows = (
        AuditEvent.objects.filter(
            target_type=ContentType.objects.get_for_model(Case),
            target_id__in=[str(pk) for pk in case_pks],
            action__in=actions,
        )
        .order_by("at", "id")
        .values_list("id", "target_id", "at", "action", "reason", "changes")
    )
    for pk, target_id, at, action, reason, changes in rows:
        by_case[int(target_id)].append(Event(pk, int(target_id), at, action, reason, changes))
    return by_case


NOTE_ACTIONS = PUBLIC_NOTES | {"cases.case.reopen"}


def last_public_note(events: list[Event]) -> str:
    """The explanation of the current state: the last note meant for the reporter (the handler's answer,
    the closing note, the referral), unless the case was reopened after it. Internal notes never."""
    for event in reversed(events):
        if event.action == "cases.case.reopen":
            return ""
        if event.action in PUBLIC_NOTES and event.reason.strip():
            return event.reason.strip()
    return ""


def updates(
    jurisdiction: Jurisdiction,
    *,
    start: datetime.datetime,
    end: datetime.datetime,
    offset: int = 0,
    limit: int = MAX_REQUESTS,
) -> list[tuple[Event, str]]:
    """mySociety's service request updates: the public steps of public cases within the window, oldest
    first, each with its case's reference. Two queries."""
    public_ids = public_cases(jurisdiction).annotate(key=Cast("pk", CharField())).values("key")
    rows = list(
        AuditEvent.objects.filter(
            target_type=ContentType.objects.get_for_model(Case),
            action__in=PUBLIC_STEPS,
            area_path__startswith=jurisdiction.community.path,
            at__gte=start,
            at__lte=end,
            target_id__in=public_ids,
        )
        .order_by("at", "id")
        .values_list("id", "target_id", "at", "action", "reason", "changes")[offset : offset + limit]
    )
    events = [
        Event(pk, int(target_id), at, action, reason, changes)
        for pk, target_id, at, action, reason, changes in rows
    ]
    references = dict(
        Case.objects.filter(pk__in={event.case_pk for event in events}).values_list("pk", "reference")
    )
    return [(event, references[event.case_pk]) for event in events]


def nearest_building(jurisdiction: Jurisdiction, lat: Decimal, long: Decimal) -> Building | None:
    """The building with coordinates nearest to the point, in the jurisdiction and within 100 m."""
    metres = NEAREST_BUILDING_METRES
    dlat = metres / 111_320
    dlong = metres / (111_320 * max(math.cos(math.radians(float(lat))), 0.01))
    candidates = Building.objects.filter(
        area_id__in=Area.objects.filter(path__startswith=jurisdiction.community.path).values("pk"),
        latitude__range=(_coord(float(lat) - dlat), _coord(float(lat) + dlat)),
        longitude__range=(_coord(float(long) - dlong), _coord(float(long) + dlong)),
    ).select_related("area")
    scored = [(_metres(lat, long, b.latitude, b.longitude), b.pk, b) for b in candidates]
    scored = [item for item in scored if item[0] <= metres]
    return min(scored, key=lambda item: item[:2])[2] if scored else None


def building_by_code(jurisdiction: Jurisdiction, code: str) -> Building | None:
    return (
        Building.objects.filter(
            code=code,
            area_id__in=Area.objects.filter(path__startswith=jurisdiction.community.path).values("pk"),
        )
        .select_related("area")
        .first()
    )


def _coord(value: float) -> Decimal:
    return Decimal(f"{value:.6f}")


def _metres(lat1, long1, lat2, long2) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(long2) - float(long1))
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def changeset() -> datetime.datetime | None:
    """When the services or their definitions last changed (the discovery document's changeset)."""
    moments = [
        Jurisdiction.objects.order_by("-updated_at").values_list("updated_at", flat=True).first(),
        Category.objects.order_by("-updated_at").values_list("updated_at", flat=True).first(),
        ServiceAttribute.objects.order_by("-updated_at").values_list("updated_at", flat=True).first(),
    ]
    moments = [moment for moment in moments if moment is not None]
    return max(moments) if moments else None


# --- staff reads (scoped) ---------------------------------------------------------------------------------


def communities_for(user) -> QuerySet[Area]:
    if not can(user, Cap.MANAGE_DIRECTORY):
        return Area.objects.none()
    return visible_areas(user).filter(kind="community").order_by("path")


def jurisdictions_for(user) -> QuerySet[Jurisdiction]:
    """The jurisdictions of the communities this user manages the directory of."""
    return (
        Jurisdiction.objects.filter(community__in=communities_for(user))
        .select_related("community", "default_grid")
        .prefetch_related("services")
        .order_by("jurisdiction_id")
    )


def clients_for(user) -> QuerySet[Client]:
    """Clients that may post to at least one of this user's jurisdictions."""
    mine = Jurisdiction.objects.filter(community__in=communities_for(user)).values("pk")
    return (
        Client.objects.filter(pk__in=Client.objects.filter(jurisdictions__in=mine).values("pk"))
        .select_related("created_by", "revoked_by")
        .prefetch_related("jurisdictions")
        .order_by("-active", "name", "id")
    )


def get_jurisdiction(user, pk) -> Jurisdiction:
    jurisdiction = jurisdictions_for(user).filter(pk=pk).first()
    if jurisdiction is None:
        raise NotFound()
    return jurisdiction


def get_client(user, pk) -> Client:
    client = clients_for(user).filter(pk=pk).first()
    if client is None:
        raise NotFound()
    return client
