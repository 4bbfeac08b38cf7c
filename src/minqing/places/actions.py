"""Writes to places. Each is atomic, takes the acting user, checks permission and scope, and audits."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.accounts.roles import Cap
from minqing.core import audit
from minqing.core.concurrency import save_versioned
from minqing.core.errors import Forbidden, InvalidInput
from minqing.core.forms import normalise_unit

from .models import Area, Building, Household, Unit
from .permissions import require
from .tree import TreeError, insert_area

audit.register_labels(
    {
        "places.area.create": gettext_lazy("Area added"),
        "places.building.create": gettext_lazy("Building added"),
        "places.building.update": gettext_lazy("Building facts changed"),
        "places.household.create": gettext_lazy("Household added"),
    }
)

BUILDING_FIELDS = [
    "name",
    "address",
    "floors",
    "year_built",
    "water_pipe_year",
    "sewer_pipe_year",
    "drain_type",
    "ground_floor_own_drain",
    "has_elevator",
    "gas_supply",
    "renovation_status",
    "property_company",
    "building_leader",
    "extra_facts",
    "latitude",
    "longitude",
]


def _check_property_company(user, facts: dict) -> None:
    company = facts.get("property_company")
    if company is not None:
        from minqing.organisations.selectors import property_companies_for

        if not property_companies_for(user).filter(pk=company.pk).exists():
            raise InvalidInput(_("This property company does not serve your area."))


def _free_code(model, base: str) -> str:
    """A stable code for a new record when the user gave none: the parent's code and a number."""
    number = model.objects.filter(code__startswith=f"{base}-").count() + 1
    while model.objects.filter(code=f"{base}-{number}").exists():
        number += 1
    return f"{base}-{number}"


@transaction.atomic
def create_area(
    *,
    acting_user,
    parent: Area | None,
    kind: str,
    name: str,
    code: str,
    city: str = "",
    description: str = "",
) -> Area:
    if parent is None:
        if not acting_user.is_superuser:
            raise Forbidden()
    else:
        require(acting_user, Cap.MANAGE_AREAS, parent)
    try:
        code = code.strip() or _free_code(Area, parent.code if parent else "AREA")
        with transaction.atomic():
            area = insert_area(
                parent=parent,
                kind=kind,
                name=name.strip(),
                code=code,
                city=city or (parent.city if parent else ""),
                description=description,
            )
    except TreeError:
        raise InvalidInput(_("This kind of area cannot be placed here.")) from None
    except IntegrityError:
        raise InvalidInput(_("The code or the name is already used here.")) from None
    audit.record(
        actor=acting_user,
        action="places.area.create",
        target=area,
        area_path=area.path,
        changes={"name": [None, name], "kind": [None, kind]},
    )
    return area


@transaction.atomic
def create_building(*, acting_user, area: Area, code: str, **facts) -> Building:
    require(acting_user, Cap.EDIT_PLACES, area)
    if area.kind != "grid":
        raise InvalidInput(_("A building belongs to a grid."))
    _check_property_company(acting_user, facts)
    code = code.strip() or _free_code(Building, area.code)
    try:
        with transaction.atomic():
            building = Building.objects.create(area=area, code=code, **facts)
    except IntegrityError:
        raise InvalidInput(
            _("A building with this code, or with this name in this grid, already exists.")
        ) from None
    audit.record(
        actor=acting_user,
        action="places.building.create",
        target=building,
        area_path=area.path,
        changes={"name": [None, building.name]},
    )
    return building


@transaction.atomic
def update_building(*, acting_user, building: Building, expected_version: int, **changes) -> Building:
    require(acting_user, Cap.EDIT_PLACES, building.area)
    unknown = set(changes) - set(BUILDING_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown building fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    if (
        changes.get("property_company") is not None
        and changes["property_company"] != building.property_company
    ):
        _check_property_company(acting_user, changes)
    before = audit.snapshot(building, changes)
    for name, value in changes.items():
        setattr(building, name, value)
    save_versioned(building, expected_version=expected_version, fields=list(changes))
    audit.record(
        actor=acting_user,
        action="places.building.update",
        target=building,
        area_path=building.area.path,
        changes=audit.diff(before, audit.snapshot(building, changes)),
    )
    return building


def get_or_create_unit(*, building: Building, name: str) -> Unit | None:
    if not name:
        return None
    unit, _created = Unit.objects.get_or_create(building=building, name=name)
    return unit


@transaction.atomic
def create_household(
    *, acting_user, building: Building, unit_name: str, room: str, note: str = ""
) -> Household:
    require(acting_user, Cap.EDIT_REGISTRY, building.area)
    room = room.strip()
    if not room:
        raise InvalidInput(_("Enter the door number."))
    unit = get_or_create_unit(building=building, name=normalise_unit(unit_name))
    if Household.objects.filter(building=building, unit=unit, room=room).exists():
        raise InvalidInput(_("This room is already registered as a household."))
    code = f"{building.code}-{unit.name if unit else '0'}-{room}"
    try:
        with transaction.atomic():
            household = Household.objects.create(
                building=building, unit=unit, room=room, code=code, area=building.area, note=note
            )
    except IntegrityError:
        raise InvalidInput(_("This room is already registered as a household.")) from None
    audit.record(
        actor=acting_user, action="places.household.create", target=household, area_path=building.area.path
    )
    return household


@transaction.atomic
def create_households(*, acting_user, rooms: list[tuple[Building, str, str]]) -> list[Household]:
    """Register many households at once (ledger import): the checks of create_household, in bulk.

    `rooms` holds (building, unit name, door number); the result is in the same order. A room that is
    already registered, or listed twice, raises InvalidInput with `extra["index"]` naming the item.
    """
    for building in {b.pk: b for b, _unit, _room in rooms}.values():
        require(acting_user, Cap.EDIT_REGISTRY, building.area)
    units: dict[tuple[int, str], Unit | None] = {}
    households, seen = [], set()
    for index, (building, unit_name, room) in enumerate(rooms):
        room, unit_name = room.strip(), normalise_unit(unit_name)
        if not room:
            raise InvalidInput(_("Enter the door number."), extra={"index": index})
        if (building.pk, unit_name) not in units:
            units[(building.pk, unit_name)] = get_or_create_unit(building=building, name=unit_name)
        unit = units[(building.pk, unit_name)]
        key = (building.pk, unit.pk if unit else None, room)
        if key in seen:
            raise InvalidInput(_("This room is already registered as a household."), extra={"index": index})
        seen.add(key)
        code = f"{building.code}-{unit.name if unit else '0'}-{room}"
        households.append(Household(building=building, unit=unit, room=room, code=code, area=building.area))
    try:
        with transaction.atomic():
            Household.objects.bulk_create(households, batch_size=500)
    except IntegrityError:
        raise InvalidInput(_("One of these rooms is already registered as a household.")) from None
    audit.record_many(
        actor=acting_user,
        action="places.household.create",
        targets=households,
        area_path_of=lambda h: h.area.path,
    )
    return households
