"""Reads for the dashboards: open / overdue / closed and the 三率 of an area or an organisation, for a period.

The number of queries does not grow with the data. The cases of an area are counted per grid (GROUP BY
area_id, with `Count(..., filter=...)`) in one query per clock the numbers hang on, each a range on its own
column so an index on (area, that column) reads only the rows it counts: registered in the period
(created_at), open now (status), dispatched in the period (dispatched_at), closed in the period (closed_at);
plus one over the call-backs recorded in the period. The totals are the sums of the same rows, and the rows
are folded in Python onto the children of the chosen area through the tree's paths (one query for the few
areas). One query with the four conditions OR-ed together would have to read every case of the area: no
index serves an OR over four columns (measured slower on both databases at 1,000,000 cases).
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minqing.accounts.roles import STAFF_ROLES, Cap, Role, can
from minqing.cases.models import OPEN_STATUSES, Case, Escalation, Feedback, Rating, Status
from minqing.cases.selectors import cases_for
from minqing.core.errors import Forbidden
from minqing.places.models import Area, AreaKind
from minqing.places.selectors import area_ancestors, get_area, scope_roots, visible_areas

from .periods import Period

HOTSPOT_LIMIT = 10
SATISFIED = (Rating.SATISFIED, Rating.BASICALLY)


@dataclass(frozen=True)
class Rate:
    code: str
    label: str
    short: str  # a column heading
    definition: str
    numerator: int
    denominator: int

    @property
    def percent(self) -> Decimal | None:
        """One decimal, rounded half up (2 of 3 → 66.7); None when there is nothing to divide by."""
        if not self.denominator:
            return None
        return (Decimal(self.numerator) * 100 / Decimal(self.denominator)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )


RATE_TEXT = {
    "response": (
        pgettext_lazy("dashboard column", "Response"),
        _("Response rate (响应率)"),
        _(
            "Cases dispatched in the period that the handler accepted within the time limit for accepting, "
            "out of all cases dispatched in the period."
        ),
    ),
    "resolution": (
        pgettext_lazy("dashboard column", "Resolution"),
        _("Resolution rate (解决率)"),
        _(
            "Cases registered in the period that are closed now, out of all cases registered in the period. "
            "Duplicates merged into another case count in neither."
        ),
    ),
    "satisfaction": (
        pgettext_lazy("dashboard column", "Satisfaction"),
        _("Satisfaction rate (满意率)"),
        _(
            "Call-backs recorded in the period in which the resident was satisfied or basically satisfied, "
            "out of all call-backs in the period that recorded a rating."
        ),
    ),
    "overdue": (
        pgettext_lazy("dashboard column", "Overdue rate"),
        _("Overdue rate (超期率)"),
        _(
            "Cases dispatched in the period that went past a time limit (yellow or red supervision), out of "
            "all cases dispatched in the period."
        ),
    ),
}


@dataclass
class Tally:
    """The counts behind one dashboard row. Additive: a parent's tally is the sum of its grids'."""

    registered: int = 0  # registered in the period, not merged into another case
    resolved: int = 0  # … of which closed now
    closed: int = 0  # closed in the period (merged duplicates aside)
    dispatched: int = 0  # dispatched in the period
    accepted_on_time: int = 0  # … and accepted within the time limit
    went_overdue: int = 0  # … and went overdue
    open_now: int = 0  # not closed
    overdue_now: int = 0  # open and under supervision (yellow or red)
    yellow: int = 0
    red: int = 0
    rated: int = 0  # call-backs in the period with a rating
    satisfied: int = 0  # … satisfied or basically satisfied

    def add(self, counts: dict) -> None:
        for name, value in counts.items():
            if hasattr(self, name):
                setattr(self, name, getattr(self, name) + (value or 0))

    def rate(self, code: str) -> Rate:
        numerator, denominator = {
            "response": (self.accepted_on_time, self.dispatched),
            "resolution": (self.resolved, self.registered),
            "satisfaction": (self.satisfied, self.rated),
            "overdue": (self.went_overdue, self.dispatched),
        }[code]
        short, label, definition = RATE_TEXT[code]
        return Rate(code, label, short, definition, numerator, denominator)

    @property
    def rates(self) -> list[Rate]:
        return [self.rate(code) for code in RATE_TEXT]


def _cohorts(period: Period) -> list[tuple[Q, dict[str, Q]]]:
    """(which cases to read, what to count among them): one query each."""
    single = Q(merged_into__isnull=True)
    return [
        (
            period.q("created_at"),
            {"registered": single, "resolved": single & Q(status=Status.CLOSED)},
        ),
        (
            Q(status__in=OPEN_STATUSES),
            {
                "open_now": Q(),
                "overdue_now": Q(escalation__gt=Escalation.NONE),
                "yellow": Q(escalation=Escalation.YELLOW),
                "red": Q(escalation=Escalation.RED),
            },
        ),
        (
            period.q("dispatched_at"),
            {
                "dispatched": Q(),
                "accepted_on_time": Q(accepted_at__lte=F("accept_due_at")),
                "went_overdue": Q(overdue=True),
            },
        ),
        (period.q("closed_at"), {"closed": single & Q(status=Status.CLOSED)}),
    ]


def _count(queryset: QuerySet, where: Q, counts: dict[str, Q], group: str | None, *, column: str) -> dict:
    """{group value: {name: count}} for the rows of `queryset` matching `where`, in one query.

    Counts a non-null `column` that every index of the table holds (not the id, which PostgreSQL keeps
    out of its indexes): an index on (area, the clock's column, what is counted) can then answer alone."""
    annotations = {name: Count(column, filter=q) if q else Count(column) for name, q in counts.items()}
    queryset = queryset.filter(where).order_by()
    if group is None:
        return {None: queryset.aggregate(**annotations)}
    return {row.pop(group): row for row in queryset.values(group).annotate(**annotations)}


def _tallies(cases: QuerySet, callbacks: QuerySet, period: Period, *, group: str | None) -> dict:
    """Tally per `group` value (a grid id, or None for one total): len(_cohorts) + 1 queries."""
    tallies: dict = {}
    for where, counts in _cohorts(period):
        for key, row in _count(cases, where, counts, group, column="area").items():
            tallies.setdefault(key, Tally()).add(row)
    rated = {
        "rated": ~Q(rating=""),
        "satisfied": Q(rating__in=SATISFIED),
    }
    for key, row in _count(callbacks, period.q("recorded_at"), rated, group, column="area").items():
        tallies.setdefault(key, Tally()).add(row)
    return tallies


def _total(tallies) -> Tally:
    total = Tally()
    for tally in tallies:
        total.add(vars(tally))
    return total


# ---- the area dashboard (staff) ----


def may_see_area_dashboard(user) -> bool:
    return user.is_authenticated and (user.is_superuser or user.role in STAFF_ROLES)


@dataclass(frozen=True)
class Cell:
    rate: Rate
    lags: bool  # worse than the whole area's rate


# Higher is better, except for the overdue rate.
LOWER_IS_BETTER = {"overdue"}


@dataclass
class Row:
    area: Area
    label: str
    tally: Tally = field(default_factory=Tally)
    cells: list[Cell] = field(default_factory=list)

    def compare(self, total: Tally) -> None:
        self.cells = []
        for rate, overall in zip(self.tally.rates, total.rates, strict=True):
            lags = rate.percent is not None and overall.percent is not None
            if lags:
                lags = (
                    rate.percent > overall.percent
                    if rate.code in LOWER_IS_BETTER
                    else rate.percent < overall.percent
                )
            self.cells.append(Cell(rate, lags))


@dataclass
class AreaDashboard:
    area: Area
    period: Period
    total: Tally
    rows: list[Row]
    ancestors: list[Area]
    hotspot_buildings: list[dict] | None = None
    hotspot_categories: list[dict] | None = None


def default_area(user) -> Area | None:
    """Where the dashboard opens: the user's top area (a grid worker's grid)."""
    return scope_roots(user).first()


def area_choices(user) -> list[dict]:
    """Areas to pick from, indented under their parents: every area in scope above the grids, and the
    user's own grids. Other grids are a tap away in their community's breakdown."""
    roots = scope_roots(user).values("pk")
    areas = list(
        visible_areas(user)
        .filter(~Q(kind=AreaKind.GRID) | Q(pk__in=roots))
        .only("pk", "name", "path", "depth")
    )
    areas.sort(key=lambda a: a.ancestor_ids())
    top = min((a.depth for a in areas), default=0)
    return [{"pk": a.pk, "label": "\u3000" * (a.depth - top) + a.name} for a in areas]


def area_dashboard(user, area_pk, period: Period) -> AreaDashboard:
    """The counts and rates of one area in the user's scope (NotFound otherwise), with a row per child."""
    if not may_see_area_dashboard(user):
        raise Forbidden()
    area = get_area(user, area_pk)
    # The area is in scope, so its whole subtree is: no second scope filter needed.
    subtree = list(
        Area.objects.filter(path__startswith=area.path).only("pk", "name", "kind", "path", "depth")
    )
    cases = Case.objects.filter(area__in=Area.objects.filter(path__startswith=area.path).values("pk"))
    callbacks = Feedback.objects.filter(area__in=Area.objects.filter(path__startswith=area.path).values("pk"))
    per_grid = _tallies(cases, callbacks, period, group="area_id")
    total = _total(per_grid.values())
    rows = _fold(area, subtree, per_grid)
    for row in rows:
        row.compare(total)
    dashboard = AreaDashboard(
        area=area, period=period, total=total, rows=rows, ancestors=area_ancestors(user, area)
    )
    if can(user, Cap.SUPERVISE_CASES):
        registered = cases.filter(period.q("created_at"))
        dashboard.hotspot_buildings = _top_buildings(registered)
        dashboard.hotspot_categories = _top_categories(registered)
    return dashboard


def _fold(area: Area, subtree: list[Area], per_grid: dict) -> list[Row]:
    """One row per child of `area`: a street office's communities, a community's grids (also those in its
    estates), a district's street offices. A grid has no rows."""
    if area.kind == AreaKind.GRID:
        return []
    by_id = {a.pk: a for a in subtree}
    flat = area.kind in (AreaKind.COMMUNITY, AreaKind.ESTATE)
    if flat:
        children = [a for a in subtree if a.kind == AreaKind.GRID]
    else:
        children = [a for a in subtree if a.depth == area.depth + 1]
    children.sort(key=lambda a: a.ancestor_ids())  # creation order: 第一网格 before 第二网格 before 第十网格
    rows = {}
    for child in children:
        label = child.name
        if flat and child.depth > area.depth + 1:  # a grid in an estate: say which
            estate = by_id.get(child.ancestor_ids()[area.depth + 1])
            label = f"{estate.name} · {child.name}" if estate else child.name
        rows[child.pk] = Row(area=child, label=label)
    for grid_id, tally in per_grid.items():
        grid = by_id.get(grid_id)
        if grid is None:
            continue
        ids = grid.ancestor_ids()
        key = grid.pk if flat else ids[area.depth + 1] if len(ids) > area.depth + 1 else None
        if key in rows:
            rows[key].tally.add(vars(tally))
    return list(rows.values())


def _top(registered: QuerySet, key: str, name: str, where: str) -> list[dict]:
    """The `key`s (building, category) with most concerns: [{pk, name, where, count}], most first.

    Merged duplicates are left out by the count's filter, not by the WHERE: given `merged_into IS NULL`
    there, SQLite walks the merged_into index, which matches nearly every case."""
    rows = (
        registered.values(key, name, where)
        .annotate(count=Count("area", filter=Q(merged_into__isnull=True)))
        .order_by("-count", F(key).asc(nulls_last=True))[:HOTSPOT_LIMIT]
    )
    return [
        {"pk": row[key], "name": row[name], "where": row[where], "count": row["count"]}
        for row in rows
        if row["count"]
    ]


def _top_buildings(registered: QuerySet) -> list[dict]:
    return _top(
        registered.filter(building__isnull=False), "building_id", "building__name", "building__area__name"
    )


def _top_categories(registered: QuerySet) -> list[dict]:
    """Cases without a category come as one more line (pk None)."""
    return _top(registered, "category_id", "category__name", "category__domain")


# ---- the organisation dashboard (handlers) ----


def may_see_organisation_dashboard(user) -> bool:
    return user.is_authenticated and user.role == Role.ORG_HANDLER


def organisation_dashboard(user, period: Period) -> Tally:
    """The same counts for what reached the handler's organisation (cases_for scopes it)."""
    if not may_see_organisation_dashboard(user):
        raise Forbidden()
    cases = cases_for(user)
    callbacks = Feedback.objects.filter(case__in=cases.values("pk"))
    return _total(_tallies(cases, callbacks, period, group=None).values())
