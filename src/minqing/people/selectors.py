"""Reads of residents, always scoped; sensitive tags filtered by role."""

import re

from django.db.models import Prefetch, Q, QuerySet

from minqing.accounts.roles import Cap, can
from minqing.core import crypto
from minqing.core.errors import NotFound
from minqing.core.identity import looks_like_id_number, looks_like_phone, normalise_id_number, normalise_phone
from minqing.places.models import Building, Household, Unit
from minqing.places.selectors import scope_q, visible_areas

from .models import Resident, ResidentTag, TagType

# Above this many households, an address word is so broad ("号楼") that matches are everywhere: the database
# then finds the first ones fastest by itself, and a list of ids would only make the query long.
ADDRESS_HOUSEHOLDS_INLINE_MAX = 3000


def _tag_prefetch(user) -> Prefetch:
    tags = ResidentTag.objects.select_related("tag_type")
    if not can(user, Cap.VIEW_SENSITIVE_TAGS):
        tags = tags.filter(tag_type__sensitive=False)
    return Prefetch("tags", queryset=tags, to_attr="visible_tags")


# An address as people write it: 3号楼2单元301, 3号楼301, 3栋 2单元, 东门大街14号院 …
ADDRESS = re.compile(r"^(?P<building>.+?(?:号楼|栋|幢|号院))(?P<unit>\d+单元)?(?P<room>[\w-]+)?$")
# … and without the building: 2单元301, 2单元 301.
UNIT_ROOM = re.compile(r"^(?P<building>)(?P<unit>\d+单元)(?P<room>[\w-]+)?$")


def residents_for(user) -> QuerySet[Resident]:
    return Resident.objects.filter(scope_q(user))


def resident_list(user, *, status: str | None = "active") -> QuerySet[Resident]:
    qs = residents_for(user).select_related("household", "household__building", "household__unit", "area")
    if status:
        qs = qs.filter(status=status)
    return qs.prefetch_related(_tag_prefetch(user))


def search_residents(user, query: str, *, limit: int = 50) -> list[Resident]:
    """By exact phone or ID number (keyed hash), or by name or address words.

    Two steps: the ids of the first `limit` matches, from the resident table alone, then those residents with
    what the results show. Sorting only narrow rows keeps the database from joining every match to its
    household, building and unit before it knows which 30 it needs.
    """
    query = query.strip()
    if not query:
        return []
    matches = residents_for(user)
    if looks_like_phone(query):
        matches = matches.filter(phone_digest=crypto.digest(normalise_phone(query)))
    elif looks_like_id_number(query):
        matches = matches.filter(id_digest=crypto.digest(normalise_id_number(query)))
    elif address := ADDRESS.match(query.replace(" ", "")) or UNIT_ROOM.match(query.replace(" ", "")):
        building, unit, room = address.group("building", "unit", "room")
        if building:
            matches = matches.filter(household__building__name=building)
        if unit:
            matches = matches.filter(household__unit__name=unit)
        if room:
            matches = matches.filter(household__room=room)
    else:
        q = Q()
        for word in query.split():
            q &= Q(name__contains=word) | _address_match(user, word)
        matches = matches.filter(q)
    return load_residents(user, matches.order_by("status", "name", "id").values_list("pk", flat=True)[:limit])


def _address_match(user, word: str) -> Q:
    """Residents whose building's name or address contains `word`, or whose unit or room is `word`.

    The buildings and units, then the households, are looked up first, among those in scope, and handed on
    as ids. Joined into the resident query instead, the OR across tables makes the database join every
    resident in scope to their household and building before it can drop one; as a subquery, PostgreSQL
    cannot see how few rows it yields and walks the whole table in (status, name) order. With ids,
    "room = … OR unit_id IN (…) OR building_id IN (…)" is three index lookups (the room index is proposed
    with this).
    """
    building_ids = list(
        Building.objects.filter(scope_q(user))
        .filter(Q(name__contains=word) | Q(address__contains=word))
        .order_by()
        .values_list("pk", flat=True)
    )
    unit_ids = list(
        Unit.objects.filter(scope_q(user, field="building__area"), name=word)
        .order_by()
        .values_list("pk", flat=True)
    )
    households = (
        Household.objects.filter(scope_q(user))
        .filter(Q(room=word) | Q(unit_id__in=unit_ids) | Q(building_id__in=building_ids))
        .order_by()  # not Household's default ordering: it joins buildings, units and areas
        .values_list("pk", flat=True)
    )
    ids = list(households[: ADDRESS_HOUSEHOLDS_INLINE_MAX + 1])
    if len(ids) > ADDRESS_HOUSEHOLDS_INLINE_MAX:
        return Q(household__in=households)
    # An empty list makes Django drop this branch of the OR.
    return Q(household_id__in=ids)


def residents_in_address_order(user, area, *, tag: TagType | None = None) -> QuerySet:
    """Ids of the active residents of `area`'s subtree (with `tag`, if given), in address order: what the
    residents page pages through. Ids only, so the database sorts narrow rows; load_residents() then fetches
    the one page."""
    # Scope and subtree in one list of areas: given two IN lists on area_id, SQLite may drive by the larger.
    areas = visible_areas(user).filter(path__startswith=area.path).values("pk")
    residents = Resident.objects.filter(status="active", area__in=areas)
    if tag is not None:
        residents = residents.filter(tags__tag_type=tag)
    return residents.order_by(
        "household__building__name", "household__unit__name", "household__room", "name", "id"
    ).values_list("pk", flat=True)


def load_residents(user, ids) -> list[Resident]:
    """The residents with these ids, in that order, with what a list shows (address, tags)."""
    ids = list(ids)
    by_id = resident_list(user, status=None).in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def get_resident(user, pk) -> Resident:
    resident = (
        residents_for(user)
        .filter(pk=pk)
        .select_related("household", "household__building", "household__unit", "area")
        .prefetch_related(_tag_prefetch(user))
        .first()
    )
    if resident is None:
        raise NotFound()
    return resident


def household_members(user, household) -> QuerySet[Resident]:
    return (
        residents_for(user)
        .filter(household=household)
        .prefetch_related(_tag_prefetch(user))
        .order_by("status", "relation", "birth_date")
    )


def tag_types_for(user) -> QuerySet[TagType]:
    qs = TagType.objects.filter(active=True)
    if not can(user, Cap.VIEW_SENSITIVE_TAGS):
        qs = qs.filter(sensitive=False)
    return qs
