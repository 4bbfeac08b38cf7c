"""Open311 GeoReport v2: which communities answer as jurisdictions, which categories they expose as services
(with the extra questions a service asks), the clients allowed to post, and what a client posted beyond
the case itself. The design is described in the package docstring (open311/__init__.py)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from minqing.core.models import VersionedModel

JURISDICTION_ID = RegexValidator(
    r"^[a-z0-9][a-z0-9.\-]{1,98}[a-z0-9]$",
    _("Lower-case letters, digits, dots and hyphens, e.g. redian.example.gov.cn"),
)


class Jurisdiction(VersionedModel):
    """A community answering Open311 requests under its own `jurisdiction_id`."""

    jurisdiction_id = models.CharField(
        _("jurisdiction ID"), max_length=100, unique=True, validators=[JURISDICTION_ID]
    )
    community = models.OneToOneField(
        "places.Area",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        related_name="open311_jurisdiction",
    )
    services = models.ManyToManyField(
        "directory.Category",
        verbose_name=_("categories offered as services"),
        blank=True,
        related_name="open311_jurisdictions",
    )
    # Where a request goes when neither its coordinates nor its address ID name a building.
    default_grid = models.ForeignKey(
        "places.Area", verbose_name=_("default grid"), on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField(_("answering"), default=True)

    class Meta:
        verbose_name = _("Open311 jurisdiction")
        verbose_name_plural = _("Open311 jurisdictions")
        ordering = ["jurisdiction_id"]

    def __str__(self):
        return self.jurisdiction_id

    def clean(self):
        community = self.community if self.community_id else None
        grid = self.default_grid if self.default_grid_id else None
        if community is not None and community.kind != "community":
            raise ValidationError({"community": _("Choose a community.")})
        if (
            community is not None
            and grid is not None
            and (grid.kind != "grid" or not grid.path.startswith(community.path))
        ):
            raise ValidationError({"default_grid": _("Choose a grid of this community.")})


class Client(models.Model):
    """An application that posts requests with an API key. Only a hash of the key is kept: the key is shown
    once, when it is issued."""

    name = models.CharField(_("name"), max_length=100)
    key_prefix = models.CharField(_("key begins with"), max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)  # SHA-256, hex
    jurisdictions = models.ManyToManyField(
        Jurisdiction, verbose_name=_("may post to"), related_name="clients"
    )
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class Datatype(models.TextChoices):
    STRING = "string", _("Text on one line")
    NUMBER = "number", _("Number")
    DATETIME = "datetime", _("Date and time")
    TEXT = "text", _("Text")
    SINGLE = "singlevaluelist", _("One choice from a list")
    MULTI = "multivaluelist", _("Several choices from a list")


LIST_DATATYPES = frozenset({Datatype.SINGLE, Datatype.MULTI})


class ServiceAttribute(models.Model):
    """An extra question a service asks (GET services/{code}: the service definition), e.g. "Which floor?".
    Defined per category, so every jurisdiction exposing the category asks the same."""

    category = models.ForeignKey(
        "directory.Category",
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        related_name="open311_attributes",
    )
    code = models.CharField(
        _("code"),
        max_length=40,
        validators=[RegexValidator(r"^[A-Za-z0-9_\-]+$", _("Letters, digits, - and _ only."))],
    )
    description = models.CharField(_("question"), max_length=300)
    datatype = models.CharField(_("answer type"), max_length=20, choices=Datatype.choices)
    required = models.BooleanField(_("required"), default=False)
    # False: only information shown to the user, no answer expected.
    variable = models.BooleanField(_("asks for an answer"), default=True)
    datatype_description = models.CharField(_("how to answer"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    # For the two list types: [{"key": "1", "name": "Ground floor"}, …]
    values = models.JSONField(_("choices"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Open311 service question")
        verbose_name_plural = _("Open311 service questions")
        ordering = ["category", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="open311_attribute_code_once"),
            models.UniqueConstraint(fields=["category", "order"], name="open311_attribute_order_once"),
        ]

    def __str__(self):
        return f"{self.category.code}/{self.code}"

    def clean(self):
        if self.order < 1:
            raise ValidationError({"order": _("Start at 1.")})
        if self.datatype in LIST_DATATYPES:
            if not isinstance(self.values, list) or not self.values:
                raise ValidationError({"values": _("A list answer needs choices.")})
            for value in self.values:
                if not (isinstance(value, dict) and str(value.get("key", "")) and str(value.get("name", ""))):
                    raise ValidationError({"values": _('Each choice is {"key": "…", "name": "…"}.')})
        elif self.values:
            raise ValidationError({"values": _("Only list answers have choices.")})

    @property
    def keys(self) -> list[str]:
        return [str(value["key"]) for value in self.values or ()]


class Submission(models.Model):
    """What an Open311 client sent beyond the case: the answers to the service's questions and the media URL
    (never fetched). The reporter's name and phone are on the case's Reporter; email, device_id and
    account_id are not kept (nothing in Minqing would use them)."""

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="open311"
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, verbose_name=_("jurisdiction"), on_delete=models.PROTECT, related_name="submissions"
    )
    client = models.ForeignKey(
        Client, verbose_name=_("client"), on_delete=models.PROTECT, related_name="submissions"
    )
    attributes = models.JSONField(_("answers"), default=dict, blank=True)
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 submission")
        verbose_name_plural = _("Open311 submissions")

    def __str__(self):
        return f"{self.client} → {self.case_id}"
