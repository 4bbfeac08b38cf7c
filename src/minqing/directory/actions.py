"""Writes to the responsibility directory: who handles which category where."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.accounts.roles import Cap
from minqing.core import audit
from minqing.core.errors import InvalidInput
from minqing.organisations.selectors import organisations_for
from minqing.places.models import Area
from minqing.places.permissions import require

from .models import Category, Responsibility

audit.register_labels(
    {
        "directory.responsibility.create": gettext_lazy("Responsibility added"),
        "directory.responsibility.delete": gettext_lazy("Responsibility removed"),
    }
)


@transaction.atomic
def add_responsibility(
    *, acting_user, category: Category, area: Area, organisation, duty: str, note: str = ""
) -> Responsibility:
    require(acting_user, Cap.MANAGE_ORGANISATIONS, area)
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
    require(acting_user, Cap.MANAGE_ORGANISATIONS, responsibility.area)
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
