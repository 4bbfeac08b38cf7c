"""Reads of organisations and merchants, scoped to the asking user."""

from django.db.models import Exists, OuterRef, Q, QuerySet

from minqing.accounts.roles import Cap, Role, can
from minqing.core.errors import NotFound
from minqing.places.models import Area
from minqing.places.selectors import scope_q

from .models import Contact, Merchant, Organisation, OrganisationKind


def organisations_for(user) -> QuerySet[Organisation]:
    """Staff see the organisations serving their areas, or the areas above them (a district's 城管 serves
    every grid in it). A handler sees their own organisation only."""
    if not can(user, Cap.VIEW_ORGANISATIONS):
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    if user.role == Role.ORG_HANDLER:
        return (
            Organisation.objects.filter(pk=user.organisation_id)
            if user.organisation_id
            else Organisation.objects.none()
        )
    areas = list(user.areas.all())
    related = Q(pk__in=[])
    ancestor_ids: set[int] = set()
    for area in areas:
        related |= Q(path__startswith=area.path)
        ancestor_ids.update(area.ancestor_ids())
    served = Area.objects.filter(related | Q(pk__in=ancestor_ids), organisations=OuterRef("pk"))
    return Organisation.objects.filter(Exists(served))


def property_companies_for(user) -> QuerySet[Organisation]:
    """The property companies a user may put on a building: those serving the user's areas."""
    return organisations_for(user).filter(kind=OrganisationKind.PROPERTY).order_by("name")


def get_organisation(user, pk) -> Organisation:
    org = organisations_for(user).filter(pk=pk).first()
    if org is None:
        raise NotFound()
    return org


def contacts_of(organisation: Organisation) -> QuerySet[Contact]:
    return Contact.objects.filter(organisation=organisation)


def merchants_for(user) -> QuerySet[Merchant]:
    return Merchant.objects.filter(scope_q(user)).select_related("street", "area")


def get_merchant(user, pk) -> Merchant:
    merchant = merchants_for(user).filter(pk=pk).first()
    if merchant is None:
        raise NotFound()
    return merchant
