"""Residents, their typed tags and the history of their status. Nobody is ever hard-deleted."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minqing.core.fields import EncryptedTextField
from minqing.core.identity import mask_id_number, mask_phone
from minqing.core.models import VersionedModel


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class ResidenceType(models.TextChoices):
    REGISTERED = "registered", _("Registered (户籍)")
    PERMANENT = "permanent", _("Permanent resident (常住)")
    FLOATING = "floating", _("Floating population (流动)")


class ResidentStatus(models.TextChoices):
    ACTIVE = "active", _("Living here")
    MOVED_OUT = "moved_out", _("Moved out")
    DECEASED = "deceased", _("Deceased")


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDCHILD = "grandchild", _("Grandchild")
    SIBLING = "sibling", _("Sibling")
    TENANT = "tenant", _("Tenant")
    OTHER = "other", _("Other")


class Resident(VersionedModel):
    name = models.CharField(_("name"), max_length=60, db_index=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True, db_index=True)
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    phone_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_number = EncryptedTextField(_("ID number"), blank=True, default="")
    id_digest = models.CharField(max_length=64, blank=True, editable=False)
    household = models.ForeignKey(
        "places.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="residents",
    )
    relation = models.CharField(
        _("relation to head of household"), max_length=20, choices=Relation.choices, blank=True
    )
    # The grid the resident belongs to: the household's grid, or set directly for people without a household.
    area = models.ForeignKey(
        "places.Area", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="residents"
    )
    residence_type = models.CharField(
        _("residence type"), max_length=20, choices=ResidenceType.choices, default=ResidenceType.REGISTERED
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ResidentStatus.choices,
        default=ResidentStatus.ACTIVE,
    )
    status_since = models.DateField(_("status since"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_digest"], condition=~models.Q(id_digest=""), name="resident_unique_id_number"
            ),
        ]
        indexes = [models.Index(fields=["area", "status"])]

    def __str__(self):
        return self.name

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)


class StatusChange(models.Model):
    """History of moves and deaths: instead of deleting a resident, their status changes and is kept here."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=ResidentStatus.choices)
    to_status = models.CharField(max_length=20, choices=ResidentStatus.choices)
    effective_date = models.DateField(_("effective date"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["-effective_date", "-id"]

    def __str__(self):
        return f"{self.from_status} → {self.to_status} ({self.effective_date})"


class TagType(models.Model):
    """An editable list of tags (独居老人, 高龄, 残疾, 低保 …). Sensitive ones need a legal basis and are
    shown only to roles that may see them."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    sensitive = models.BooleanField(
        _("sensitive"), default=False, help_text=_("Health, disability, income support, minors, religion …")
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    default_legal_basis = models.CharField(_("usual legal basis"), max_length=200, blank=True)
    review_months = models.PositiveSmallIntegerField(_("review every (months)"), null=True, blank=True)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("tag type")
        verbose_name_plural = _("tag types")
        ordering = ["sensitive", "name"]

    def __str__(self):
        return self.name


class ResidentTag(models.Model):
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="tags")
    tag_type = models.ForeignKey(TagType, verbose_name=_("tag"), on_delete=models.PROTECT, related_name="+")
    legal_basis = models.CharField(_("legal basis or consent reference"), max_length=200, blank=True)
    review_date = models.DateField(_("review by"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("resident tag")
        verbose_name_plural = _("resident tags")
        constraints = [models.UniqueConstraint(fields=["resident", "tag_type"], name="resident_tag_once")]

    def __str__(self):
        return str(self.tag_type)
