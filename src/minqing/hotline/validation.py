"""Checking mapped work orders row by row: the dry run, and the re-check inside the save (one code path).

`plan_import` reads cases, buildings, categories and organisations but never writes. It returns the work
orders to create and where each lands, the rows skipped because their number was imported before (that is
what makes importing the same file twice change nothing), and, for every bad row, the reasons as codes with
parameters. The report never holds a caller's name or phone number, so it may outlive the encrypted rows.
"""

import datetime
import re
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minqing.cases.models import Case, Channel, Nature
from minqing.core.identity import looks_like_phone, mask_phone, validate_phone
from minqing.directory.models import Category
from minqing.directory.selectors import categories, match_categories
from minqing.organisations.models import Organisation
from minqing.organisations.selectors import organisations_for
from minqing.places.models import Area, AreaKind, Building
from minqing.places.selectors import buildings_for
from minqing.registry_io.columns import lookup_key
from minqing.registry_io.validation import echo

from . import columns
from .columns import BY_KEY

MESSAGES = {
    "missing_number": _("The work order number (工单编号) is missing."),
    "number_as_number": _(
        "Work order number: Excel stored it as a number and lost its last digits. Format the column as "
        "text and enter the numbers again."
    ),
    "duplicate_in_file": _("The same work order number is already in row %(row)s of this file."),
    "repeated_later": _("The same work order number appears again in row %(row)s of this file."),
    "missing_description": _("The request (诉求内容) is empty."),
    "too_long": _("%(column)s is longer than %(max)s characters."),
    "bad_phone": _("Phone: enter an 11-digit mobile number (e.g. 13800001234) or a landline with area code."),
    "unknown_nature": _(
        "Nature (诉求类型): “%(value)s” is not understood. Use 咨询, 求助, 投诉, 举报, 建议 or 表扬."
    ),
    "unknown_category": _(
        "Category (问题分类): no category matches “%(value)s”. Correct it, or leave the cell empty for the "
        "grid's staff to choose."
    ),
    "bad_received_at": _(
        "Call received at (来电时间): not a time that can be read. Write it like 2026-03-10 14:30."
    ),
    "future_received_at": _("Call received at (来电时间): it is in the future."),
    "bad_deadline": _(
        "Time limit (办理时限): not a date that can be read. Write it like 2026-03-17 or 2026-03-17 18:00."
    ),
    "unknown_organisation": _(
        "Handling unit (承办单位): none of your organisations is called “%(value)s”. Correct the name, leave "
        "the cell empty, or upload again without dispatching."
    ),
    "ambiguous_organisation": _(
        "Handling unit (承办单位): several of your organisations are called “%(value)s”; write the full name."
    ),
}

SKIP_MESSAGES = {
    "already_imported": _("Already imported as case %(reference)s: skipped."),
    "imported_elsewhere": _("Already imported, in an area outside yours: skipped."),
    "own_case": _("This is Minqing case %(reference)s, not a new work order: skipped."),
}


def problem_text(problem: dict) -> str:
    params = dict(problem.get("params") or {})
    if "column" in params:
        params["column"] = str(BY_KEY[params["column"]].label)
    message = MESSAGES.get(problem["code"]) or SKIP_MESSAGES[problem["code"]]
    return str(message) % params if params else str(message)


@dataclass
class PlannedOrder:
    """One work order to create: keyword arguments for cases.actions.intake_case, and what is 12345's own."""

    row: int
    number: str
    grid: Area
    building: Building | None
    description: str
    reporter_name: str = ""
    phone: str = ""
    nature: str = Nature.HELP
    category: Category | None = None
    address: str = ""
    organisation: Organisation | None = None
    received_at: datetime.datetime | None = None
    deadline: datetime.datetime | None = None


@dataclass
class Plan:
    orders: list[PlannedOrder]
    problems: dict[int, list[dict]]
    numbers: dict[int, str]  # row → work order number as shown in the report
    skipped: list[dict]  # {"row", "code", "params"}
    total_rows: int
    masked_phones: int = 0
    category_matches: dict[str, list] = field(default_factory=dict)  # value → [category label, rows]
    organisation_matches: dict[str, list] = field(default_factory=dict)  # value → [organisation, rows]

    @property
    def bad_row_count(self) -> int:
        return len(self.problems)

    @property
    def counts(self) -> dict[str, int]:
        return {
            "new": len(self.orders),
            "skipped": len(self.skipped),
            "on_buildings": sum(1 for o in self.orders if o.building is not None),
            "dispatch": sum(1 for o in self.orders if o.organisation is not None),
            "masked_phones": self.masked_phones,
        }

    def report(self) -> dict:
        grids = Counter(order.grid.name for order in self.orders)
        return {
            "rows": self.total_rows,
            "counts": self.counts,
            "grids": sorted(grids.items()),
            "categories": sorted([value, *match] for value, match in self.category_matches.items()),
            "organisations": sorted([value, *match] for value, match in self.organisation_matches.items()),
            "bad_rows": [
                {"row": row, "number": self.numbers.get(row, ""), "problems": problems}
                for row, problems in sorted(self.problems.items())
            ],
            "skipped": [{**entry, "number": self.numbers.get(entry["row"], "")} for entry in self.skipped],
        }


def plan_import(*, user, grid: Area, dispatch: bool, rows, mapping: dict[str, int]) -> Plan:
    return _Checker(user=user, grid=grid, dispatch=dispatch, mapping=mapping).run(rows)


def normalise_number(value: str) -> str:
    return re.sub(r"\s+", "", value)


def _echo_number(number: str) -> str:
    """A work order number is not personal data, but a phone column mapped as the number would be."""
    return mask_phone(number) if looks_like_phone(number) else number[:60]


_SEGMENTS = re.compile(r"\s*[>/|｜→\\-]+\s*")


class _Checker:
    def __init__(self, *, user, grid: Area, dispatch: bool, mapping: dict[str, int]):
        self.user, self.grid, self.dispatch, self.mapping = user, grid, dispatch, mapping
        self.now = timezone.now()
        # A work order lands on the building its address names, among the buildings of the grid's
        # community that the user works in; otherwise in the chosen grid.
        community = Area.objects.filter(pk__in=grid.ancestor_ids(), kind=AreaKind.COMMUNITY).first() or grid
        self.buildings: dict[str, list[Building]] = {}
        for building in (
            buildings_for(user)
            .filter(area__path__startswith=community.path, area__kind=AreaKind.GRID)
            .select_related("area")
        ):
            key = columns.place_key(building.name)
            if key:
                self.buildings.setdefault(key, []).append(building)
        self.organisations: dict[str, list[Organisation]] = {}
        if dispatch and "organisation" in mapping:
            for organisation in organisations_for(user):
                for name in {organisation.name, organisation.short_name} - {""}:
                    self.organisations.setdefault(lookup_key(name), []).append(organisation)
        self.category_by_key: dict[str, Category] | None = None
        self.category_cache: dict[str, Category | None] = {}

    def cell(self, cells: list[str], key: str) -> str:
        index = self.mapping.get(key)
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip()

    def run(self, rows) -> Plan:
        numbers = {n: normalise_number(self.cell(cells, "number")) for n, cells in rows}
        plan = Plan(
            orders=[],
            problems={},
            numbers={n: _echo_number(number) for n, number in numbers.items()},
            skipped=[],
            total_rows=len(rows),
        )
        occurrences: dict[str, list[int]] = {}
        for n, number in numbers.items():
            if number:
                occurrences.setdefault(number, []).append(n)
        imported, own = self._known(set(occurrences))
        for n, cells in rows:
            number = numbers[n]
            problems: list[dict] = []
            if not number:
                problems.append({"code": "missing_number"})
            elif "E+" in number.upper():
                problems.append({"code": "number_as_number"})
            elif len(number) > BY_KEY["number"].max_length:
                problems.append({"code": "too_long", "params": {"column": "number", "max": 60}})
            elif len(occurrences[number]) > 1:
                first, second = occurrences[number][:2]
                if n == first:
                    problems.append({"code": "repeated_later", "params": {"row": second}})
                else:
                    problems.append({"code": "duplicate_in_file", "params": {"row": first}})
            if not problems:
                skip = self._skip(number, imported, own)
                if skip is not None:
                    plan.skipped.append({"row": n, **skip})
                    continue
            order = self._parse(n, number, cells, problems, plan)
            if problems:
                plan.problems[n] = problems
            else:
                plan.orders.append(order)
        return plan

    # --- already in Minqing ----------------------------------------------------------------------------

    def _known(self, numbers: set[str]) -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
        """Work orders imported before ({number: (case reference, area path)}), and numbers that are our own
        case references (an export of ours uploaded back)."""
        ordered = sorted(numbers)
        imported, own = {}, {}
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            for number, reference, path in Case.objects.filter(
                channel=Channel.HOTLINE, external_reference__in=chunk
            ).values_list("external_reference", "reference", "area__path"):
                imported[number] = (reference, path)
            upper = {number.upper(): number for number in chunk}
            for reference, path in Case.objects.filter(reference__in=list(upper)).values_list(
                "reference", "area__path"
            ):
                own[upper[reference]] = (reference, path)
        return imported, own

    def _in_scope(self, path: str) -> bool:
        return any(root == "/" or path.startswith(root) for root in self.user.scope_paths)

    def _skip(self, number: str, imported: dict, own: dict) -> dict | None:
        if number in imported:
            reference, path = imported[number]
            if self._in_scope(path):
                return {"code": "already_imported", "params": {"reference": reference}}
            return {"code": "imported_elsewhere", "params": {}}
        if number in own:
            return {"code": "own_case", "params": {"reference": own[number][0]}}
        return None

    # --- one row on its own ----------------------------------------------------------------------------

    def _parse(self, n: int, number: str, cells: list[str], problems: list[dict], plan: Plan) -> PlannedOrder:
        cell = lambda key: self.cell(cells, key)  # noqa: E731

        description = cell("description")
        if not description:
            problems.append({"code": "missing_description"})
        reporter_name = cell("reporter_name")
        address = re.sub(r"\s+", " ", cell("address"))
        for key, value in (("reporter_name", reporter_name), ("address", address)):
            limit = BY_KEY[key].max_length
            if len(value) > limit:
                problems.append({"code": "too_long", "params": {"column": key, "max": limit}})

        phone = cell("phone")
        if "*" in phone:
            # Many platforms withhold the caller's number from the handling unit: no phone, not an error.
            plan.masked_phones += 1
            phone = ""
        elif phone:
            try:
                phone = validate_phone(phone)
            except ValidationError:
                problems.append({"code": "bad_phone"})
                phone = ""

        nature = columns.parse_nature(cell("nature"))
        if nature is None:
            problems.append({"code": "unknown_nature", "params": {"value": echo(cell("nature"))}})

        category = None
        if cell("category"):
            category = self._category(cell("category"))
            label = str(category) if category else ""
            match = plan.category_matches.setdefault(echo(cell("category")), [label, 0])
            match[1] += 1
            if category is None:
                problems.append({"code": "unknown_category", "params": {"value": echo(cell("category"))}})

        received_at = None
        if cell("received_at"):
            received_at = columns.parse_moment(cell("received_at"))
            if received_at is None:
                problems.append({"code": "bad_received_at"})
            elif received_at > self.now:
                problems.append({"code": "future_received_at"})
                received_at = None
        deadline = None
        if cell("deadline"):
            deadline = columns.parse_moment(cell("deadline"), end_of_day=True)
            if deadline is None:
                problems.append({"code": "bad_deadline"})

        organisation = None
        if self.dispatch and cell("organisation"):
            found = self.organisations.get(lookup_key(cell("organisation")), [])
            value = echo(cell("organisation"))
            if len({o.pk for o in found}) > 1:
                problems.append({"code": "ambiguous_organisation", "params": {"value": value}})
            elif not found:
                problems.append({"code": "unknown_organisation", "params": {"value": value}})
            else:
                organisation = found[0]
            match = plan.organisation_matches.setdefault(
                value, [organisation.name if organisation else "", 0]
            )
            match[1] += 1

        building = self._building(address)
        return PlannedOrder(
            row=n,
            number=number,
            grid=building.area if building else self.grid,
            building=building,
            description=description,
            reporter_name=reporter_name,
            phone=phone,
            nature=nature or Nature.HELP,
            category=category,
            address=address,
            organisation=organisation,
            received_at=received_at,
            deadline=deadline,
        )

    def _building(self, address: str) -> Building | None:
        """The building whose name the address contains (the longest name wins; '3号楼' is not found in
        '13号楼'). None when no name is found, or when the longest is shared by buildings of several grids."""
        if not address:
            return None
        text = columns.place_key(address)
        best: list[Building] = []
        best_length = 0
        for key, buildings in self.buildings.items():
            if len(key) < best_length or key not in text:
                continue
            if not any(
                _bounded(text, match.start(), len(key)) for match in re.finditer(re.escape(key), text)
            ):
                continue
            if len(key) > best_length:
                best, best_length = [], len(key)
            best.extend(buildings)
        return best[0] if len({b.pk for b in best}) == 1 else None

    def _category(self, value: str) -> Category | None:
        """By code (C23), by name, by the name of one level of '城乡建设>物业管理', else the best match of
        directory.selectors.match_categories (shared two-character words with names and keywords)."""
        key = lookup_key(value)
        if key not in self.category_cache:
            if self.category_by_key is None:
                self.category_by_key = {}
                for category in categories():
                    self.category_by_key.setdefault(lookup_key(category.code), category)
                    self.category_by_key.setdefault(lookup_key(category.name), category)
            found = self.category_by_key.get(key)
            if found is None:
                for segment in reversed(_SEGMENTS.split(value)):
                    found = self.category_by_key.get(lookup_key(segment))
                    if found is not None:
                        break
            if found is None:
                matches = match_categories(value, limit=1)
                found = matches[0] if matches else None
            self.category_cache[key] = found
        return self.category_cache[key]


def _bounded(text: str, start: int, length: int) -> bool:
    """A match that does not cut a number: '3号楼' at '13号楼' is not a match, nor '阙里1' in '阙里12'."""
    before = text[start - 1] if start > 0 else ""
    after = text[start + length] if start + length < len(text) else ""
    if text[start].isdigit() and before.isdigit():
        return False
    return not (text[start + length - 1].isdigit() and after.isdigit())
