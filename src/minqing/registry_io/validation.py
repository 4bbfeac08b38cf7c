"""Checking a mapped ledger row by row against the registry: the dry run, and the re-check inside the save.

`plan_import` reads the registry but never writes to it. It returns what would be created and, for every bad
row, the reasons as codes with parameters; the report never holds an ID number, a phone number or a birth
date, so it may outlive the encrypted rows.
"""

import datetime
import hashlib
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minqing.core import crypto
from minqing.core.identity import validate_id_number, validate_phone
from minqing.people.models import Relation, ResidenceType, Resident, ResidentStatus
from minqing.places.models import Area, AreaKind, Building, Household

from . import columns
from .columns import BY_KEY

MESSAGES = {
    "missing_name": _("The name is missing."),
    "missing_building": _("The building is missing."),
    "missing_room": _("The door number is missing."),
    "missing_grid": _("The grid is missing: it is needed when importing into a whole community."),
    "too_long": _("%(column)s is longer than %(max)s characters."),
    "address_too_long": _("Building, unit and door number together are too long to store."),
    "unknown_building": _(
        "There is no building “%(building)s” in %(grid)s. Correct the name, or tick "
        "“create buildings that do not exist yet” when uploading."
    ),
    "unknown_grid": _("There is no grid “%(grid)s” in %(area)s."),
    "ambiguous_grid": _("Several grids in %(area)s are called “%(grid)s”; the import cannot tell which."),
    "id_format": _("ID number: it must have 18 characters, 17 digits and then a digit or X."),
    "id_date": _("ID number: the birth date inside it does not exist."),
    "id_checksum": _("ID number: the check digit is wrong (probably a mistyped digit)."),
    "id_masked": _("ID number: it is masked (contains *). Enter the full number, or leave the cell empty."),
    "id_as_number": _(
        "ID number: Excel stored it as a number and lost its last digits. Format the column as text and "
        "enter the numbers again."
    ),
    "bad_phone": _("Phone: enter an 11-digit mobile number (e.g. 13800001234) or a landline with area code."),
    "phone_masked": _("Phone: it is masked (contains *). Enter the full number, or leave the cell empty."),
    "bad_date": _("Birth date: not a date that can be read. Write it like 1950-03-07."),
    "future_date": _("Birth date: it is in the future."),
    "unknown_sex": _("Sex: “%(value)s” is not understood. Use 男 or 女."),
    "unknown_relation": _(
        "Relation to head of household: “%(value)s” is not understood. "
        "Use 户主, 配偶, 子女, 父母, 孙子女, 兄弟姐妹, 租户 or 其他."
    ),
    "unknown_residence_type": _("Residence type: “%(value)s” is not understood. Use 户籍, 常住 or 流动."),
    "duplicate_in_file": _("The same person (same ID number) is already in row %(row)s of this file."),
    "duplicate_name_in_file": _("The same name at the same address is already in row %(row)s of this file."),
    "repeated_later": _("The same person appears again in row %(row)s of this file."),
    "already_registered": _(
        "A resident with this ID number is already registered (perhaps in another area, or moved out)."
    ),
    "already_registered_name": _("A resident with this name is already registered at this address."),
    "two_heads": _("Row %(row)s already names a head of household for the same address."),
    "head_exists": _("This address already has a head of household in the registry."),
}


def problem_text(problem: dict) -> str:
    params = dict(problem.get("params") or {})
    if "column" in params:
        params["column"] = str(BY_KEY[params["column"]].label)
    return str(MESSAGES[problem["code"]]) % params if params else str(MESSAGES[problem["code"]])


@dataclass
class PlannedRow:
    row: int
    grid: Area
    building_name: str
    building: Building | None  # None: to be created
    unit: str
    room: str
    household_id: int | None  # None: to be created
    resident: dict = field(default_factory=dict)  # keyword arguments for people.actions.create_resident


@dataclass
class Plan:
    rows: list[PlannedRow]
    problems: dict[int, list[dict]]
    counts: dict[str, int]
    total_rows: int

    @property
    def bad_row_count(self) -> int:
        return len(self.problems)

    def report(self) -> dict:
        return {
            "rows": self.total_rows,
            "counts": self.counts,
            "bad_rows": [{"row": row, "problems": probs} for row, probs in sorted(self.problems.items())],
        }


def planned_building_code(grid: Area, name: str) -> str:
    code = f"{grid.code}-{name}"
    if len(code) <= 30:
        return code
    digest = hashlib.sha1(f"{grid.code}/{name}".encode(), usedforsecurity=False).hexdigest()[:8]
    return f"{grid.code[:21]}-{digest}"


_LONG_NUMBER = re.compile(r"\d{8,}")


def echo(value: str) -> str:
    """A cell value quoted back in the report, which is not encrypted: short, and with long digit runs masked
    in case a column of ID or phone numbers was mapped to the wrong field."""
    value = _LONG_NUMBER.sub(lambda m: m.group()[:3] + "*" * (len(m.group()) - 7) + m.group()[-4:], value)
    return value[:30]


def _grid_key(name: str) -> str:
    return columns.lookup_key(name)


def plan_import(*, area: Area, create_buildings: bool, headers, rows, mapping: dict[str, int]) -> Plan:
    checker = _Checker(area=area, create_buildings=create_buildings, mapping=mapping)
    parsed = [checker.parse(number, cells) for number, cells in rows]
    checker.load_registry(parsed)
    for item in parsed:
        checker.cross_check(item)
    return checker.plan(parsed, total_rows=len(rows))


@dataclass
class _Row:
    number: int
    problems: list[dict]
    values: dict
    grid: Area | None = None
    grid_key: object = None
    building_name: str = ""
    building: Building | None = None
    unit: str = ""
    room: str = ""
    household_id: int | None = None
    id_digest: str = ""


class _Checker:
    def __init__(self, *, area: Area, create_buildings: bool, mapping: dict[str, int]):
        self.area = area
        self.create_buildings = create_buildings
        self.mapping = mapping
        self.today = timezone.localdate()
        if area.kind == AreaKind.GRID:
            grids = [area]
        else:
            grids = list(Area.objects.filter(kind=AreaKind.GRID, path__startswith=area.path))
        self.grids: dict[str, list[Area]] = {}
        for grid in grids:
            self.grids.setdefault(_grid_key(grid.name), []).append(grid)
        self.buildings = {
            (b.area_id, b.name): b for b in Building.objects.filter(area__path__startswith=area.path)
        }
        self.households = {
            (building_id, unit or "", room): pk
            for pk, building_id, unit, room in Household.objects.filter(
                area__path__startswith=area.path
            ).values_list("pk", "building_id", "unit__name", "room")
        }
        self.seen_ids: dict[str, _Row] = {}
        self.seen_people: dict[tuple, _Row] = {}
        self.seen_heads: dict[tuple, int] = {}
        self.flagged_first: set[int] = set()

    def cell(self, cells: list[str], key: str) -> str:
        index = self.mapping.get(key)
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip()

    # --- one row on its own -----------------------------------------------------------------------------

    def parse(self, number: int, cells: list[str]) -> _Row:
        item = _Row(number=number, problems=[], values={})
        problems = item.problems
        cell = lambda key: self.cell(cells, key)  # noqa: E731

        name = cell("name")
        if not name:
            problems.append({"code": "missing_name"})
        self._length(problems, "name", name)

        id_number = cell("id_number")
        if id_number:
            if "*" in id_number:
                problems.append({"code": "id_masked"})
                id_number = ""
            elif "E+" in id_number.upper():
                problems.append({"code": "id_as_number"})
                id_number = ""
            else:
                try:
                    id_number = validate_id_number(id_number)
                except ValidationError as error:
                    problems.append({"code": error.code or "id_format"})
                    id_number = ""
        item.id_digest = crypto.digest(id_number)

        phone = cell("phone")
        if phone:
            if "*" in phone:
                problems.append({"code": "phone_masked"})
                phone = ""
            else:
                try:
                    phone = validate_phone(phone)
                except ValidationError:
                    problems.append({"code": "bad_phone"})
                    phone = ""

        sex = columns.parse_choice(cell("sex"), columns.SEX_VALUES)
        if sex is None:
            problems.append({"code": "unknown_sex", "params": {"value": echo(cell("sex"))}})
        birth_date = None
        if cell("birth_date"):
            birth_date = columns.parse_date(cell("birth_date"))
            if birth_date is None or birth_date < datetime.date(1900, 1, 1):
                problems.append({"code": "bad_date"})
                birth_date = None
            elif birth_date > self.today:
                problems.append({"code": "future_date"})
                birth_date = None
        relation = columns.parse_choice(cell("relation"), columns.RELATION_VALUES)
        if relation is None:
            problems.append({"code": "unknown_relation", "params": {"value": echo(cell("relation"))}})
        residence_type = columns.parse_choice(cell("residence_type"), columns.RESIDENCE_VALUES)
        if residence_type is None:
            problems.append(
                {"code": "unknown_residence_type", "params": {"value": echo(cell("residence_type"))}}
            )
        note = cell("note")
        self._length(problems, "note", note)

        self._place(item, cell)
        item.values = {
            "name": name,
            "id_number": id_number,
            "phone": phone,
            "sex": sex or "",
            "birth_date": birth_date,
            "relation": relation or "",
            "residence_type": residence_type or ResidenceType.REGISTERED,
            "note": note,
        }
        return item

    def _length(self, problems: list[dict], key: str, value: str) -> None:
        limit = BY_KEY[key].max_length
        if limit and len(value) > limit:
            problems.append({"code": "too_long", "params": {"column": key, "max": limit}})

    def _place(self, item: _Row, cell) -> None:
        problems = item.problems
        grid_name = cell("grid")
        if self.area.kind == AreaKind.GRID:
            if grid_name and _grid_key(grid_name) != _grid_key(self.area.name):
                problems.append(
                    {"code": "unknown_grid", "params": {"grid": echo(grid_name), "area": self.area.name}}
                )
            else:
                item.grid = self.area
        elif not grid_name:
            problems.append({"code": "missing_grid"})
        else:
            found = self.grids.get(_grid_key(grid_name), [])
            if len(found) == 1:
                item.grid = found[0]
            elif found:
                problems.append(
                    {"code": "ambiguous_grid", "params": {"grid": echo(grid_name), "area": self.area.name}}
                )
            else:
                problems.append(
                    {"code": "unknown_grid", "params": {"grid": echo(grid_name), "area": self.area.name}}
                )
        item.grid_key = item.grid.pk if item.grid else _grid_key(grid_name)

        building_name = columns.normalise_place(cell("building"), "号楼")
        unit = columns.normalise_place(cell("unit"), "单元")
        room = columns.normalise_room(cell("room"))
        item.building_name, item.unit, item.room = building_name, unit, room
        if not building_name:
            problems.append({"code": "missing_building"})
        if not room:
            problems.append({"code": "missing_room"})
        for key, value in (("building", building_name), ("unit", unit), ("room", room)):
            self._length(problems, key, value)
        if item.grid is None or not building_name:
            return
        item.building = self.buildings.get((item.grid.pk, building_name))
        if item.building is None and not self.create_buildings:
            problems.append(
                {
                    "code": "unknown_building",
                    "params": {"building": echo(building_name), "grid": item.grid.name},
                }
            )
            return
        code = item.building.code if item.building else planned_building_code(item.grid, building_name)
        if len(f"{code}-{unit or '0'}-{room}") > 60:
            problems.append({"code": "address_too_long"})
        if item.building is not None:
            item.household_id = self.households.get((item.building.pk, unit, room))

    # --- rows against each other and against the registry -----------------------------------------------

    def load_registry(self, parsed: list[_Row]) -> None:
        digests = [item.id_digest for item in parsed if item.id_digest]
        self.registered_ids: set[str] = set()
        for start in range(0, len(digests), 500):
            self.registered_ids.update(
                Resident.objects.filter(id_digest__in=digests[start : start + 500])
                # Repeats the partial unique index's condition so that SQLite uses the index too.
                .exclude(id_digest="")
                .values_list("id_digest", flat=True)
            )
        household_ids = sorted({item.household_id for item in parsed if item.household_id})
        self.registered_names: set[tuple[int, str]] = set()
        self.households_with_head: set[int] = set()
        for start in range(0, len(household_ids), 500):
            chunk = household_ids[start : start + 500]
            for household_id, name, relation in Resident.objects.filter(
                household_id__in=chunk, status=ResidentStatus.ACTIVE
            ).values_list("household_id", "name", "relation"):
                self.registered_names.add((household_id, name))
                if relation == Relation.HEAD:
                    self.households_with_head.add(household_id)

    def cross_check(self, item: _Row) -> None:
        problems = item.problems
        name = item.values["name"]
        address = (item.grid_key, item.building_name, item.unit, item.room)
        duplicate_of = None
        if item.id_digest:
            first = self.seen_ids.get(item.id_digest)
            if first is not None:
                duplicate_of = first
                problems.append({"code": "duplicate_in_file", "params": {"row": first.number}})
            else:
                self.seen_ids[item.id_digest] = item
        person = (*address, name)
        if name and item.building_name and item.room and duplicate_of is None:
            first = self.seen_people.get(person)
            if first is not None and not (item.id_digest and first.id_digest):
                duplicate_of = first
                problems.append({"code": "duplicate_name_in_file", "params": {"row": first.number}})
            elif first is None:
                self.seen_people[person] = item
        if duplicate_of is not None and duplicate_of.number not in self.flagged_first:
            self.flagged_first.add(duplicate_of.number)
            duplicate_of.problems.append({"code": "repeated_later", "params": {"row": item.number}})

        registered = False
        if item.id_digest and item.id_digest in self.registered_ids:
            problems.append({"code": "already_registered"})
            registered = True
        elif item.household_id and (item.household_id, name) in self.registered_names:
            problems.append({"code": "already_registered_name"})
            registered = True

        if item.values["relation"] == Relation.HEAD and duplicate_of is None:
            first_head = self.seen_heads.get(address)
            if first_head is not None:
                problems.append({"code": "two_heads", "params": {"row": first_head}})
            else:
                self.seen_heads[address] = item.number
            if not registered and item.household_id in self.households_with_head:
                problems.append({"code": "head_exists"})

    def plan(self, parsed: list[_Row], *, total_rows: int) -> Plan:
        problems = {item.number: item.problems for item in parsed if item.problems}
        good = [item for item in parsed if not item.problems]
        new_buildings = {(i.grid.pk, i.building_name) for i in good if i.building is None}
        new_households = {
            (i.grid.pk, i.building_name, i.unit, i.room) for i in good if i.household_id is None
        }
        planned = [
            PlannedRow(
                row=i.number,
                grid=i.grid,
                building_name=i.building_name,
                building=i.building,
                unit=i.unit,
                room=i.room,
                household_id=i.household_id,
                resident=i.values,
            )
            for i in good
        ]
        counts = {
            "buildings": len(new_buildings),
            "households": len(new_households),
            "residents": len(good),
        }
        return Plan(rows=planned, problems=problems, counts=counts, total_rows=total_rows)
