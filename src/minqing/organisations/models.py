"""Organisations that serve a place (departments, property companies, utilities, the community itself),
their contacts, and the merchants on a community's streets."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from minqing.core.fields import EncryptedTextField
from minqing.core.identity import mask_phone
from minqing.core.models import VersionedModel


class OrganisationKind(models.TextChoices):
    COMMUNITY = "community", _("Community / residents' committee")
    STREET_OFFICE = "street_office", _("Street office")
    DEPARTMENT = "department", _("Government department")
    PROPERTY = "property", _("Property management company")
    UTILITY = "utility", _("Utility company")
    POLICE = "police", _("Police station")
    OTHER = "other", _("Other")


# Private companies get only what they need of a resident's data (PIPL): see docs/architecture.md.
PRIVATE_KINDS = frozenset({OrganisationKind.PROPERTY, OrganisationKind.UTILITY, OrganisationKind.OTHER})


class Organisation(VersionedModel):
    name = models.CharField(_("name"), max_length=120, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True, help_text=_("e.g. 旧改办"))
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    service_phone = models.CharField(_("public service phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    hours = models.CharField(_("opening hours"), max_length=100, blank=True)
    description = models.TextField(_("what they handle"), blank=True)
    areas = models.ManyToManyField(
        "places.Area", verbose_name=_("areas served"), blank=True, related_name="organisations"
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.short_name or self.name

    @property
    def is_private(self) -> bool:
        return self.kind in PRIVATE_KINDS


class Contact(models.Model):
    """A person to call at an organisation, in their work role (office phone, not a private number)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=60)
    title = models.CharField(_("title"), max_length=60, blank=True)
    phone = models.CharField(_("work phone"), max_length=40, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["organisation", "name"]

    def __str__(self):
        return f"{self.name} ({self.title})" if self.title else self.name


class MerchantStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Merchant(VersionedModel):
    name = models.CharField(_("name"), max_length=120)
    street = models.ForeignKey(
        "places.Street",
        verbose_name=_("street"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merchants",
    )
    area = models.ForeignKey(
        "places.Area", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="merchants"
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    category = models.CharField(_("business category"), max_length=60, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=60, blank=True)
    contact_phone = EncryptedTextField(_("contact phone"), blank=True, default="")
    contact_phone_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=MerchantStatus.choices, default=MerchantStatus.OPEN
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("merchant")
        verbose_name_plural = _("merchants")
        ordering = ["street", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="merchant_unique_credit_code",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)
