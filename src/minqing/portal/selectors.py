"""Reads for the portal. A resident reads only their own concerns (cases.selectors.cases_reported_by); the
public reads are the list of communities, the building names of one community and the responsibility
directory, none of which holds personal data."""

from dataclasses import dataclass

from django.db.models import Avg, Q, QuerySet

from minqing.cases.models import Case, Feedback, Photo, Status
from minqing.cases.selectors import cases_reported_by, public_timeline
from minqing.core.errors import NotFound
from minqing.directory.selectors import handlers_for, match_categories
from minqing.notifications.models import Message, MessageChannel
from minqing.notifications.selectors import messages_about
from minqing.organisations.models import Organisation, OrganisationKind
from minqing.places.models import Area, AreaKind, Building

from .models import Consent, ContactKind, PortalAccount
from .privacy import NOTICE_VERSION

# --- who is asking ---------------------------------------------------------------------------------------


def account_for(kind: str, digest: str) -> PortalAccount | None:
    field = "phone_digest" if kind == ContactKind.PHONE else "email_digest"
    return PortalAccount.objects.filter(**{field: digest}).select_related("user").first()


def portal_account(user) -> PortalAccount | None:
    return PortalAccount.objects.filter(user=user).select_related("community").first()


def has_current_consent(user) -> bool:
    return Consent.objects.filter(user=user, notice_version=NOTICE_VERSION).exists()


def home_community(user) -> Area | None:
    """The community a resident reports in by default: their household's, else the one they chose."""
    resident = user.resident
    if resident is not None and resident.household_id:
        return _community_of(resident.household.area)
    if resident is not None:
        return _community_of(resident.area)
    account = portal_account(user)
    return account.community if account else None


def _community_of(area: Area) -> Area | None:
    ids = area.ancestor_ids()
    return Area.objects.filter(pk__in=ids, kind=AreaKind.COMMUNITY).first()


# --- public places ---------------------------------------------------------------------------------------


def communities() -> QuerySet[Area]:
    return Area.objects.filter(kind=AreaKind.COMMUNITY).select_related("parent").order_by("path")


@dataclass(frozen=True)
class PlaceChoice:
    value: str  # "h12" own household, "b34" building, "g5" elsewhere in a grid
    label: str


def places_in(community: Area, *, household=None) -> list[tuple[str, list[PlaceChoice]]]:
    """What a resident may pick as the place of a concern in `community`, grouped by grid: each building by
    name (as people say it), and "elsewhere in the grid". Their own home first when they have one here."""
    grids = list(Area.objects.filter(path__startswith=community.path, kind=AreaKind.GRID).order_by("path"))
    buildings: dict[int, list[Building]] = {}
    for building in Building.objects.filter(area__in=grids).order_by("name", "id"):
        buildings.setdefault(building.area_id, []).append(building)
    groups = []
    if household is not None and household.area.path.startswith(community.path):
        groups.append(("", [PlaceChoice(f"h{household.pk}", str(household))]))
    for grid in grids:
        choices = [PlaceChoice(f"b{b.pk}", b.name) for b in buildings.get(grid.pk, [])]
        choices.append(PlaceChoice(f"g{grid.pk}", _elsewhere(grid)))
        groups.append((grid.name, choices))
    return groups


def _elsewhere(grid: Area) -> str:
    from django.utils.translation import gettext as _

    return _("Elsewhere in %(grid)s (say where below)") % {"grid": grid.name}


def resolve_place(value: str, *, community: Area, household=None) -> dict:
    """The place a resident picked, as intake_case arguments; NotFound when it is not one they may pick."""
    kind, pk = value[:1], value[1:]
    if not pk.isdigit():
        raise NotFound()
    pk = int(pk)
    if kind == "h" and household is not None and household.pk == pk:
        return {"household": household}
    if kind == "b":
        building = Building.objects.filter(pk=pk, area__path__startswith=community.path).first()
        if building is not None:
            return {"building": building}
    if kind == "g":
        grid = Area.objects.filter(pk=pk, kind=AreaKind.GRID, path__startswith=community.path).first()
        if grid is not None:
            return {"area": grid}
    raise NotFound()


# --- who handles what (public) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicHandler:
    name: str
    phone: str
    hours: str
    address: str
    note: str
    first: bool


def who_handles(question: str, community: Area) -> list[tuple[object, list[PublicHandler]]]:
    """Categories that match the words, each with the organisations that handle it in `community`: only
    what an organisation publishes (name, service phone, hours, address), never a person."""
    results = []
    for category in match_categories(question):
        handlers = [
            PublicHandler(
                name=h.organisation.name,
                phone=h.organisation.service_phone,
                hours=h.organisation.hours,
                address=h.organisation.address,
                note=h.responsibility.note,
                first=h.responsibility.duty == "first",
            )
            for h in handlers_for(category, community)
        ]
        results.append((category, handlers))
    return results


def offices_for(community: Area | None) -> dict:
    """The residents' committee of the community and its street office: who runs the service for these
    residents (the controller in the privacy notice) and whom to ask."""
    if community is None:
        return {"community_office": None, "street_office": None}
    return {
        "community_office": Organisation.objects.filter(kind=OrganisationKind.COMMUNITY, areas=community)
        .order_by("name")
        .first(),
        "street_office": Organisation.objects.filter(
            kind=OrganisationKind.STREET_OFFICE, areas__in=community.ancestor_ids()
        )
        .order_by("name")
        .first(),
    }


# --- my concerns -----------------------------------------------------------------------------------------


def my_concerns(user) -> QuerySet[Case]:
    return (
        cases_reported_by(user)
        .filter(merged_into__isnull=True)
        .select_related("building", "household__building", "household__unit", "area", "organisation")
        .order_by("-created_at", "-id")
    )


def get_my_concern(user, reference: str) -> Case:
    """One of the user's own concerns by its reference; anyone else's is not found (never confirmed)."""
    case = my_concerns(user).filter(reference=reference.strip().upper()).first()
    if case is None:
        raise NotFound()
    return case


def _is_me(user) -> Q:
    """The reporter rows that are this resident: by their portal account or their registry record."""
    q = Q(account_id=user.pk)
    if user.resident_id:
        q |= Q(resident_id=user.resident_id)
    return q


def my_photos(user, case: Case) -> QuerySet[Photo]:
    return case.photos.filter(kind=Photo.Kind.REPORT, uploaded_by=user)


def asks_for_rating(user, case: Case) -> bool:
    """Closed, and not rated by this resident since it was last closed (a reopened case asks again)."""
    if case.status != Status.CLOSED or case.merged_into_id or case.closed_at is None:
        return False
    rated = Feedback.objects.filter(
        case=case, reporter__in=case.reporters.filter(_is_me(user)), recorded_at__gte=case.closed_at
    )
    return not rated.exists()


def my_rating(user, case: Case) -> Feedback | None:
    return (
        Feedback.objects.filter(case=case, reporter__in=case.reporters.filter(_is_me(user)))
        .order_by("-recorded_at", "-id")
        .first()
    )


def timeline_for_reporter(case: Case) -> list[dict]:
    return public_timeline(case)


def my_messages_about(user, case: Case) -> QuerySet[Message]:
    return messages_about(case).filter(recipient_user=user, channel=MessageChannel.INAPP)


def map_center(community: Area | None) -> tuple[float, float, int]:
    """Where the report map opens: the middle of the community's mapped buildings, else all of China."""
    if community is not None:
        found = Building.objects.filter(
            area__path__startswith=community.path, latitude__isnull=False, longitude__isnull=False
        ).aggregate(lat=Avg("latitude"), lon=Avg("longitude"))
        if found["lat"] is not None:
            return float(found["lat"]), float(found["lon"]), 16
    return 35.0, 105.0, 4
