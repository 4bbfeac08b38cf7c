"""Reads of the concern diary, always scoped: staff read the notes of the grids in their areas."""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.db.models.functions import Length
from django.urls import reverse
from django.utils.translation import gettext as _

from minqing.core.errors import InvalidInput, NotFound
from minqing.organisations.models import Merchant
from minqing.organisations.selectors import get_merchant, merchants_for
from minqing.people.models import Resident
from minqing.people.selectors import get_resident, search_residents
from minqing.places.models import AreaKind, Building
from minqing.places.selectors import buildings_for, get_area, get_building, scope_q, visible_areas

from .models import Entry
from .permissions import is_staff

# Chinese has no spaces: search is by substring, and a single character matches nearly everything.
MIN_TERM_LENGTH = 2
MAX_TERMS = 5
# What a list row shows, fetched with the rows (one query per page, however many rows).
LIST_RELATED = ("author", "area", "resident", "building", "merchant", "case")
# … but not the subjects' personal data, which a note never shows (and which would be decrypted row by row).
NOT_SHOWN = ("resident__phone", "resident__id_number", "merchant__contact_phone")
SUBJECT_KINDS = ("resident", "building", "merchant")


def entries_for(user) -> QuerySet[Entry]:
    if not is_staff(user):
        return Entry.objects.none()
    return Entry.objects.filter(scope_q(user))


def search_terms(query: str) -> list[str]:
    """The words of a query; InvalidInput if one is a single character (it would match nearly every note)."""
    terms = query.split()
    if any(len(term) < MIN_TERM_LENGTH for term in terms):
        raise InvalidInput(_("Search with words of two characters or more."))
    return terms[:MAX_TERMS]


def entry_list(user, *, query: str = "", subject: dict | None = None) -> QuerySet[Entry]:
    """The notes in the user's scope, newest first. Every word of `query` must appear in the note or in the
    name of whom or what it is about; `subject` ({"resident": r}, …) keeps the notes about one subject."""
    entries = entries_for(user).select_related(*LIST_RELATED).defer(*NOT_SHOWN)
    if subject:
        entries = entries.filter(**subject)
    for term in search_terms(query):
        entries = entries.filter(
            Q(text__icontains=term)
            | Q(resident__name__icontains=term)
            | Q(building__name__icontains=term)
            | Q(merchant__name__icontains=term)
        )
    return entries.order_by("-occurred_on", "-created_at", "-id")


def get_entry(user, pk) -> Entry:
    entry = (
        entries_for(user)
        .filter(pk=pk)
        .select_related(*LIST_RELATED, "area__parent", "resident__household", "merchant__street")
        .defer(*NOT_SHOWN)
        .first()
    )
    if entry is None:
        raise NotFound()
    return entry


def notes_about(user, *, limit: int = 5, **subject) -> list[Entry]:
    """The latest notes about one resident, building or merchant (one query)."""
    return list(
        entries_for(user)
        .filter(**subject)
        .select_related("author", "case")
        .order_by("-occurred_on", "-created_at", "-id")[:limit]
    )


def notes_context(user, **subject) -> dict:
    """What diary/includes/notes.html needs on a resident, building or merchant page: two queries at most,
    none for someone who may not read the diary."""
    if not is_staff(user):
        return {"diary_notes": None}
    ((kind, obj),) = subject.items()
    notes = notes_about(user, limit=6, **subject)
    query = urlencode({kind: obj.pk})
    return {
        "diary_notes": notes[:5],
        "diary_more": len(notes) > 5,
        "diary_new_url": f"{reverse('diary:new')}?{query}",
        "diary_all_url": f"{reverse('diary:list')}?{query}",
    }


# Subjects: what a note may be about, as the form's select offers them ("kind:id" values).


@dataclass
class SubjectChoices:
    """The options of the "about" select, in groups; `found` holds the matches of a search, if any."""

    found: list[tuple[str, str]] = field(default_factory=list)
    grids: list[tuple[str, str]] = field(default_factory=list)
    buildings: list[tuple[str, str]] = field(default_factory=list)
    merchants: list[tuple[str, str]] = field(default_factory=list)
    truncated: bool = False

    def grouped(self) -> list:
        groups = [
            (_("Found"), self.found),
            (_("The grid itself"), self.grids),
            (_("Buildings"), self.buildings),
            (_("Merchants"), self.merchants),
        ]
        return [(label, options) for label, options in groups if options]


# Above this many buildings or merchants in scope (a street officer), the select offers only what a search finds.
SELECT_MAX = 150


def subject_value(obj) -> str:
    if isinstance(obj, Resident):
        return f"resident:{obj.pk}"
    if isinstance(obj, Building):
        return f"building:{obj.pk}"
    if isinstance(obj, Merchant):
        return f"merchant:{obj.pk}"
    return f"grid:{obj.pk}"


def subject_label(obj) -> str:
    if isinstance(obj, Resident):
        return f"{obj.name} · {obj.household}" if obj.household_id else f"{obj.name} · {obj.area.name}"
    if isinstance(obj, Building):
        return f"{obj.name} · {obj.area.name}"
    if isinstance(obj, Merchant):
        return f"{obj.name} · {obj.street.name}" if obj.street_id else f"{obj.name} · {obj.area.name}"
    return f"{obj.parent.name} {obj.name}" if obj.parent_id else obj.name


def subject_choices(user, *, find: str = "", selected=None) -> SubjectChoices:
    """The grids, buildings and merchants in scope (a handful of queries), the matches of `find` first, and
    `selected` (a subject opened from its page) wherever it belongs."""
    choices = SubjectChoices()
    if not is_staff(user):
        return choices
    found = find_subjects(user, find) if find.strip() else []
    choices.found = [(subject_value(obj), subject_label(obj)) for obj in found]
    grids = visible_areas(user).filter(kind=AreaKind.GRID).select_related("parent").order_by("path", "pk")
    choices.grids = [(subject_value(g), subject_label(g)) for g in grids]
    buildings = list(
        buildings_for(user)
        .select_related("area")
        .only("name", "area", "area__name")
        .order_by("area__path", Length("name"), "name")[: SELECT_MAX + 1]
    )
    # Only what the label shows: not the contact phone, which would be decrypted row by row.
    merchants = list(
        merchants_for(user)
        .only("name", "street", "street__name", "area", "area__name")
        .order_by("area__path", "name")[: SELECT_MAX + 1]
    )
    choices.truncated = len(buildings) > SELECT_MAX or len(merchants) > SELECT_MAX
    if len(buildings) <= SELECT_MAX:
        choices.buildings = [(subject_value(b), subject_label(b)) for b in buildings]
    if len(merchants) <= SELECT_MAX:
        choices.merchants = [(subject_value(m), subject_label(m)) for m in merchants]
    if selected is not None:
        value = subject_value(selected)
        offered = {
            v
            for options in (choices.found, choices.grids, choices.buildings, choices.merchants)
            for v, _label in options
        }
        if value not in offered:  # a resident, or a building of a scope too large to list
            choices.found.insert(0, (value, subject_label(selected)))
    return choices


def find_subjects(user, query: str, *, limit: int = 10) -> list:
    """Residents (by name, address, phone: the registry's search), buildings and merchants matching `query`."""
    query = query.strip()[:60]
    if not query or not is_staff(user):
        return []
    residents = search_residents(user, query, limit=limit)
    buildings = list(
        buildings_for(user)
        .filter(Q(name__contains=query) | Q(address__contains=query))
        .select_related("area")
        .order_by(Length("name"), "name")[:limit]
    )
    merchants = list(merchants_for(user).filter(name__contains=query).order_by("name")[:limit])
    # A building or shop named in full comes before the residents living at that address.
    return [*buildings, *merchants, *residents]


def resolve_subject(user, value: str):
    """The resident, building, merchant or grid a "kind:id" value names, within the user's scope; NotFound
    otherwise (also for a malformed value)."""
    kind, _sep, pk = (value or "").partition(":")
    if not pk.isdigit():
        raise NotFound()
    if kind == "resident":
        return get_resident(user, pk)
    if kind == "building":
        return get_building(user, pk)
    if kind == "merchant":
        return get_merchant(user, pk)
    if kind == "grid":
        area = get_area(user, pk)
        if area.kind != AreaKind.GRID:
            raise NotFound()
        return area
    raise NotFound()


def subject_kwargs(obj) -> dict:
    """The keyword a subject goes by in write_entry and in entry_list: {"resident": r}, or {"area": grid}."""
    value = subject_value(obj)
    kind = value.partition(":")[0]
    return {"area" if kind == "grid" else kind: obj}
