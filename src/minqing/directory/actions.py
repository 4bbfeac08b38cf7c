"""Writes to the responsibility directory: who handles which category where."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.accounts.roles import Cap, can
from minqing.core import audit
from minqing.core.concurrency import save_versioned
from minqing.core.errors import Forbidden, InvalidInput
from minqing.organisations.selectors import organisations_for
from minqing.places.models import Area
from minqing.places.permissions import require

from .models import Category, Responsibility

audit.register_labels(
    {
        "directory.responsibility.create": gettext_lazy("Responsibility added"),
        "directory.responsibility.delete": gettext_lazy("Responsibility removed"),
        "directory.category.create": gettext_lazy("Category added"),
        "directory.category.update": gettext_lazy("Category changed"),
    }
)


@transaction.atomic
def add_responsibility(
    *, acting_user, category: Category, area: Area, organisation, duty: str, note: str = ""
) -> Responsibility:
    require(acting_user, Cap.MANAGE_DIRECTORY, area)
    if not organisations_for(acting_user).filter(pk=organisation.pk).exists():
        raise InvalidInput(_("This organisation does not serve your area."))
    try:
        with transaction.atomic():
            rule = Responsibility.objects.create(
                category=category, area=area, organisation=organisation, duty=duty, note=note.strip()
            )
    except IntegrityError:
        raise InvalidInput(_("This responsibility is already in the directory.")) from None
    audit.record(
        actor=acting_user,
        action="directory.responsibility.create",
        target=rule,
        area_path=area.path,
        changes={"category": [None, category.code], "organisation": [None, str(organisation)]},
    )
    return rule


@transaction.atomic
def remove_responsibility(*, acting_user, responsibility: Responsibility) -> None:
    require(acting_user, Cap.MANAGE_DIRECTORY, responsibility.area)
    audit.record(
        actor=acting_user,
        action="directory.responsibility.delete",
        target=responsibility,
        area_path=responsibility.area.path,
        changes={
            "category": [responsibility.category.code, None],
            "organisation": [str(responsibility.organisation), None],
        },
    )
    responsibility.delete()


CATEGORY_FIELDS = [
    "domain",
    "name",
    "keywords",
    "usual_owner",
    "accept_hours",
    "finish_days",
    "verify_days",
    "emergency",
    "active",
]


@transaction.atomic
def save_category(*, acting_user, category: Category | None, expected_version: int = 1, **data) -> Category:
    """Add a category, or edit one (its name, words, time limits) if nobody saved it meanwhile. The limits
    apply to cases dispatched from now on; running clocks keep the limit they started with."""
    if not can(acting_user, Cap.MANAGE_CATEGORIES):
        raise Forbidden()
    if category is None:
        code = data.pop("code", "").strip().upper()
        if not code or Category.objects.filter(code=code).exists():
            raise InvalidInput(_("Give the category a code that is not used yet."))
        category = Category.objects.create(code=code, **{k: data[k] for k in CATEGORY_FIELDS})
        audit.record(actor=acting_user, action="directory.category.create", target=category)
        return category
    before = audit.snapshot(category, CATEGORY_FIELDS)
    for name in CATEGORY_FIELDS:
        setattr(category, name, data[name])
    save_versioned(category, expected_version=expected_version, fields=CATEGORY_FIELDS)
    audit.record(
        actor=acting_user,
        action="directory.category.update",
        target=category,
        changes=audit.diff(before, audit.snapshot(category, CATEGORY_FIELDS)),
    )
    return category
