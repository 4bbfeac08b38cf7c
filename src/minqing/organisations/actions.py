"""Writes to organisations, contacts and merchants."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.accounts.roles import Cap
from minqing.core import audit, crypto
from minqing.core.concurrency import save_versioned
from minqing.core.errors import InvalidInput
from minqing.core.identity import validate_credit_code, validate_phone
from minqing.places.models import Area
from minqing.places.permissions import require

from .models import Contact, Merchant, Organisation

audit.register_labels(
    {
        "organisations.organisation.create": gettext_lazy("Organisation added"),
        "organisations.organisation.update": gettext_lazy("Organisation changed"),
        "organisations.contact.create": gettext_lazy("Contact added"),
        "organisations.merchant.create": gettext_lazy("Merchant added"),
        "organisations.merchant.update": gettext_lazy("Merchant changed"),
        "organisations.merchant.reveal.contact_phone": gettext_lazy("Full contact phone viewed"),
    }
)

ORGANISATION_FIELDS = ["name", "short_name", "kind", "service_phone", "address", "hours", "description"]
MERCHANT_FIELDS = [
    "name",
    "street",
    "area",
    "address",
    "credit_code",
    "category",
    "contact_name",
    "contact_phone",
    "status",
    "note",
]


@transaction.atomic
def create_organisation(*, acting_user, areas: list[Area], **fields) -> Organisation:
    require(acting_user, Cap.MANAGE_ORGANISATIONS)
    for area in areas:
        require(acting_user, Cap.MANAGE_ORGANISATIONS, area)
    if Organisation.objects.filter(name=fields.get("name", "")).exists():
        raise InvalidInput(_("An organisation with this name already exists."))
    org = Organisation.objects.create(**fields)
    org.areas.set(areas)
    audit.record(actor=acting_user, action="organisations.organisation.create", target=org)
    return org


@transaction.atomic
def update_organisation(
    *, acting_user, organisation: Organisation, expected_version: int, areas=None, **changes
) -> Organisation:
    require(acting_user, Cap.MANAGE_ORGANISATIONS)
    before = audit.snapshot(organisation, changes)
    for name, value in changes.items():
        setattr(organisation, name, value)
    save_versioned(organisation, expected_version=expected_version, fields=list(changes))
    if areas is not None:
        for area in areas:
            require(acting_user, Cap.MANAGE_ORGANISATIONS, area)
        organisation.areas.set(areas)
    audit.record(
        actor=acting_user,
        action="organisations.organisation.update",
        target=organisation,
        changes=audit.diff(before, audit.snapshot(organisation, changes)),
    )
    return organisation


@transaction.atomic
def add_contact(
    *, acting_user, organisation: Organisation, name: str, title: str = "", phone: str = "", note: str = ""
) -> Contact:
    require(acting_user, Cap.MANAGE_ORGANISATIONS)
    if not name.strip():
        raise InvalidInput(_("Enter the contact's name."))
    contact = Contact.objects.create(
        organisation=organisation,
        name=name.strip(),
        title=title,
        phone=validate_phone(phone) if phone.strip() else "",
        note=note,
    )
    audit.record(
        actor=acting_user,
        action="organisations.contact.create",
        target=organisation,
        changes={"contact": [None, str(contact)]},
    )
    return contact


def _clean_merchant(merchant: Merchant) -> None:
    if merchant.credit_code:
        merchant.credit_code = validate_credit_code(merchant.credit_code)
    merchant.contact_phone = validate_phone(merchant.contact_phone) if merchant.contact_phone.strip() else ""
    merchant.contact_phone_digest = crypto.digest(merchant.contact_phone)
    if (
        merchant.street_id
        and merchant.area_id
        and not merchant.area.path.startswith(merchant.street.community.path)
    ):
        raise InvalidInput(_("The street is not in this merchant's community."))


@transaction.atomic
def create_merchant(*, acting_user, area: Area, **fields) -> Merchant:
    require(acting_user, Cap.MANAGE_ORGANISATIONS, area)
    merchant = Merchant(area=area, **fields)
    _clean_merchant(merchant)
    try:
        with transaction.atomic():
            merchant.save()
    except IntegrityError:
        raise InvalidInput(
            _("A merchant with this unified social credit code is already registered.")
        ) from None
    audit.record(
        actor=acting_user, action="organisations.merchant.create", target=merchant, area_path=area.path
    )
    return merchant


@transaction.atomic
def update_merchant(*, acting_user, merchant: Merchant, expected_version: int, **changes) -> Merchant:
    require(acting_user, Cap.MANAGE_ORGANISATIONS, merchant.area)
    if "area" in changes:
        require(acting_user, Cap.MANAGE_ORGANISATIONS, changes["area"])
    before = audit.snapshot(merchant, changes)
    for name, value in changes.items():
        setattr(merchant, name, value)
    _clean_merchant(merchant)
    try:
        with transaction.atomic():
            save_versioned(
                merchant, expected_version=expected_version, fields=[*changes, "contact_phone_digest"]
            )
    except IntegrityError:
        raise InvalidInput(
            _("A merchant with this unified social credit code is already registered.")
        ) from None
    audit.record(
        actor=acting_user,
        action="organisations.merchant.update",
        target=merchant,
        area_path=merchant.area.path,
        changes=audit.diff(before, audit.snapshot(merchant, changes)),
    )
    return merchant


@transaction.atomic
def reveal_contact_phone(*, acting_user, merchant: Merchant, reason: str) -> str:
    """The merchant contact's full phone number, recorded with who asked and why."""
    require(acting_user, Cap.UNMASK_PHONE, merchant.area)
    if len(reason.strip()) < 2:
        raise InvalidInput(_("Say why you need to see the full value."))
    audit.record(
        actor=acting_user,
        action="organisations.merchant.reveal.contact_phone",
        target=merchant,
        area_path=merchant.area.path,
        reason=reason.strip(),
    )
    return merchant.contact_phone
