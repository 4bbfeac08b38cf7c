"""Who handles what, where: the lookup behind 这事儿该找谁 and behind routing suggestions."""

from dataclasses import dataclass

from django.db.models import QuerySet

from minqing.places.models import Area

from . import taxonomy
from .models import Category, Duty, Responsibility


@dataclass(frozen=True)
class Handler:
    responsibility: Responsibility
    reason: str  # why this organisation: which area's rule applies

    @property
    def organisation(self):
        return self.responsibility.organisation


def categories() -> QuerySet[Category]:
    return Category.objects.filter(active=True)


def categories_by_domain() -> list[tuple[str, list[Category]]]:
    """Every category, active or not, grouped by domain: the two levels of the tree."""
    groups: dict[str, list[Category]] = {}
    for category in Category.objects.order_by("domain", "code"):
        groups.setdefault(category.domain, []).append(category)
    return list(groups.items())


def match_categories(question: str, *, limit: int = 5) -> list[Category]:
    """Categories whose name shares the most two-character words with the question, best first."""
    scored = []
    for category in categories():
        points = taxonomy.score(question, category.name, category.keywords)
        if points:
            scored.append((points, category.code, category))
    scored.sort(key=lambda item: (-item[0], item[1]))
    return [category for _points, _code, category in scored[:limit]]


def handlers_for(category: Category, area: Area) -> list[Handler]:
    """The organisations that handle `category` in `area`. For each duty (first owner, escalation) the rules
    of the nearest area on the way up apply: a grid's own rule beats its community's, which beats the
    district's. First owners come before escalation."""
    ancestry = area.ancestor_ids()  # root … area
    rules = list(
        Responsibility.objects.filter(category=category, area_id__in=ancestry).select_related(
            "organisation", "area"
        )
    )
    depth = {area_id: i for i, area_id in enumerate(ancestry)}
    chosen = []
    for duty in (Duty.FIRST, Duty.ESCALATION):
        of_duty = [rule for rule in rules if rule.duty == duty]
        if of_duty:
            nearest = max(depth[rule.area_id] for rule in of_duty)
            chosen += sorted(
                (rule for rule in of_duty if depth[rule.area_id] == nearest),
                key=lambda r: r.organisation.name,
            )
    return [Handler(rule, reason=f"{category.code} · {rule.area.name}") for rule in chosen]


def responsibilities_in(areas: QuerySet[Area]) -> QuerySet[Responsibility]:
    return (
        Responsibility.objects.filter(area__in=areas)
        .select_related("category", "area", "organisation")
        .order_by("category__code", "area__path", "duty")
    )
