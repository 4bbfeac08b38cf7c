"""Reads of places, always scoped to the asking user's area subtree. Views never query these models directly."""

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Length

from minqing.accounts.roles import Cap, can
from minqing.core.errors import NotFound

from .models import Area, Building, Household, Street


def scope_q(user, field: str = "area") -> Q:
    """Q matching rows whose `field` (an Area foreign key) lies inside the user's scope.

    As `field IN (SELECT id FROM area WHERE path LIKE …)` rather than a join on the path: SQLite cannot use an
    index for a LIKE on a joined column, and without planner statistics (Django never runs ANALYZE) it then
    walks the whole table and looks up each row's area. Given the ids of the few areas, it uses the
    foreign-key index, statistics or not; PostgreSQL plans both forms alike.
    """
    if not can(user, Cap.VIEW_REGISTRY):
        return Q(pk__in=[])
    paths = user.scope_paths
    if "/" in paths:
        return Q()
    if not paths:
        return Q(pk__in=[])
    areas = Q()
    for path in paths:
        areas |= Q(path__startswith=path)
    return Q(**{f"{field}__in": Area.objects.filter(areas).values("pk")})


def area_in_scope(user, area: Area) -> bool:
    if not can(user, Cap.VIEW_REGISTRY):
        return False
    return any(path == "/" or area.path.startswith(path) for path in user.scope_paths)


def scope_roots(user) -> QuerySet[Area]:
    """The top areas of the user's scope (what their navigation starts from)."""
    if not can(user, Cap.VIEW_REGISTRY):
        return Area.objects.none()
    if user.is_superuser:
        return Area.objects.filter(parent__isnull=True)
    return user.areas.all().order_by("path")


def visible_areas(user) -> QuerySet[Area]:
    return Area.objects.filter(_self_scope(user))


def _self_scope(user) -> Q:
    if not can(user, Cap.VIEW_REGISTRY):
        return Q(pk__in=[])
    paths = user.scope_paths
    if "/" in paths:
        return Q()
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(path__startswith=path)
    return q


def get_area(user, pk) -> Area:
    area = Area.objects.filter(_self_scope(user), pk=pk).select_related("parent").first()
    if area is None:
        raise NotFound()
    return area


def area_children(user, area: Area) -> QuerySet[Area]:
    return (
        Area.objects.filter(_self_scope(user), parent=area)
        .annotate(building_count=Count("buildings", distinct=True))
        .order_by("pk")  # creation order: 第一网格, 第二网格 … (code points would put 第三 before 第二)
    )


def area_ancestors(user, area: Area) -> list[Area]:
    """Breadcrumb: the ancestors the user may see (a grid worker's crumb starts at her grid)."""
    ids = area.ancestor_ids()[:-1]
    by_id = {a.pk: a for a in Area.objects.filter(_self_scope(user), pk__in=ids)}
    return [by_id[i] for i in ids if i in by_id]


def buildings_for(user) -> QuerySet[Building]:
    return Building.objects.filter(scope_q(user))


def buildings_in(user, area: Area) -> QuerySet[Building]:
    return (
        Building.objects.filter(scope_q(user), area__path__startswith=area.path)
        .select_related("area")
        .annotate(household_count=Count("households", distinct=True))
        .order_by("area__path", Length("name"), "name")  # 2号楼 before 10号楼
    )


def get_building(user, pk) -> Building:
    building = (
        Building.objects.filter(scope_q(user), pk=pk)
        .select_related("area", "area__parent", "property_company", "building_leader")
        .first()
    )
    if building is None:
        raise NotFound()
    return building


def households_for(user) -> QuerySet[Household]:
    return Household.objects.filter(scope_q(user))


def households_of(building: Building) -> QuerySet[Household]:
    """Households of a building the caller already obtained through get_building (so already in scope)."""
    return (
        Household.objects.filter(building=building)
        .select_related("unit")
        .annotate(resident_count=Count("residents", filter=Q(residents__status="active")))
        .order_by(Length("unit__name"), "unit__name", Length("room"), "room")
    )


def get_household(user, pk) -> Household:
    household = (
        Household.objects.filter(scope_q(user), pk=pk).select_related("building", "unit", "area").first()
    )
    if household is None:
        raise NotFound()
    return household


def streets_for(user) -> QuerySet[Street]:
    return (
        Street.objects.filter(scope_q(user, field="community"))
        .select_related("community")
        .annotate(merchant_count=Count("merchants", distinct=True))
    )


def get_street(user, pk) -> Street:
    street = (
        Street.objects.filter(scope_q(user, field="community"), pk=pk).select_related("community").first()
    )
    if street is None:
        raise NotFound()
    return street
