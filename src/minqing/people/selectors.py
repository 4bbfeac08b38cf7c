"""Reads of residents, always scoped; sensitive tags filtered by role."""

import re

from django.db.models import Prefetch, Q, QuerySet

from minqing.accounts.roles import Cap, can
from minqing.core import crypto
from minqing.core.errors import NotFound
from minqing.core.identity import looks_like_id_number, looks_like_phone, normalise_id_number, normalise_phone
from minqing.places.selectors import scope_q

from .models import Resident, ResidentTag, TagType


def _tag_prefetch(user) -> Prefetch:
    tags = ResidentTag.objects.select_related("tag_type")
    if not can(user, Cap.VIEW_SENSITIVE_TAGS):
        tags = tags.filter(tag_type__sensitive=False)
    return Prefetch("tags", queryset=tags, to_attr="visible_tags")


# An address as people write it: 3号楼2单元301, 3号楼301, 3栋 2单元, 东门大街14号院 …
ADDRESS = re.compile(r"^(?P<building>.+?(?:号楼|栋|幢|号院))(?P<unit>\d+单元)?(?P<room>[\w-]+)?$")


def residents_for(user) -> QuerySet[Resident]:
    return Resident.objects.filter(scope_q(user))


def resident_list(user, *, status: str | None = "active") -> QuerySet[Resident]:
    qs = residents_for(user).select_related("household", "household__building", "household__unit", "area")
    if status:
        qs = qs.filter(status=status)
    return qs.prefetch_related(_tag_prefetch(user))


def search_residents(user, query: str, *, limit: int = 50) -> list[Resident]:
    """By exact phone or ID number (keyed hash), or by name or address words."""
    query = query.strip()
    if not query:
        return []
    base = resident_list(user, status=None)
    if looks_like_phone(query):
        qs = base.filter(phone_digest=crypto.digest(normalise_phone(query)))
    elif looks_like_id_number(query):
        qs = base.filter(id_digest=crypto.digest(normalise_id_number(query)))
    elif address := ADDRESS.match(query.replace(" ", "")):
        building, unit, room = address.group("building", "unit", "room")
        qs = base.filter(household__building__name=building)
        if unit:
            qs = qs.filter(household__unit__name=unit)
        if room:
            qs = qs.filter(household__room=room)
    else:
        q = Q()
        for word in query.split():
            q &= (
                Q(name__contains=word)
                | Q(household__building__name__contains=word)
                | Q(household__unit__name=word)
                | Q(household__room=word)
                | Q(household__building__address__contains=word)
            )
        qs = base.filter(q)
    return list(qs.order_by("status", "name", "id")[:limit])


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
