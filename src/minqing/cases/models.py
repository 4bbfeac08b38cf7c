"""Concerns (民情) and the cases that carry them through 登记 → 派单 → 签收 → 反馈 → 核查 → 结案.

The lifecycle is the state machine in cases/workflow.py; this module only holds the data.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minqing.core.fields import EncryptedTextField
from minqing.core.models import VersionedModel


class Status(models.TextChoices):
    REGISTERED = "registered", _("Registered, to dispatch")
    REFERRED = "referred", _("Referred, to follow up")
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted by the handler")
    ANSWERED = "answered", _("Answered, to verify")
    VERIFIED = "verified", _("Verified")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = frozenset(Status) - {Status.CLOSED}


class Nature(models.TextChoices):
    ENQUIRY = "enquiry", _("Enquiry")
    HELP = "help", _("Request for help")
    COMPLAINT = "complaint", _("Complaint")
    REPORT = "report", _("Report of wrongdoing")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("In person")
    VISIT = "visit", _("Home visit")
    PHONE = "phone", _("Phone")
    PATROL = "patrol", _("Patrol")
    PORTAL = "portal", _("Resident portal")
    INBOX = "inbox", _("Inbox")
    HOTLINE = "hotline_12345", _("12345 hotline")
    OPEN311 = "open311", _("Open311")


class Case(VersionedModel):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    description = models.TextField(_("what was raised"))
    nature = models.CharField(_("nature"), max_length=20, choices=Nature.choices, default=Nature.HELP)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.WALK_IN)
    category = models.ForeignKey(
        "directory.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    people_affected = models.PositiveIntegerField(_("people affected"), default=1)
    risk = models.BooleanField(_("safety risk"), default=False)
    # Where: the grid always (it scopes the case), and the most precise place known.
    area = models.ForeignKey(
        "places.Area", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="cases"
    )
    building = models.ForeignKey(
        "places.Building",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    household = models.ForeignKey(
        "places.Household",
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED, db_index=True
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["area", "status"]), models.Index(fields=["organisation", "status"])]

    def __str__(self):
        return self.reference


class Reporter(models.Model):
    """A person who raised the concern. "Me too" adds another reporter to the same case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reporters")
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_cases",
    )
    name = models.CharField(_("name"), max_length=60, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    confidential = models.BooleanField(_("keep my name confidential"), default=False)
    wants_news = models.BooleanField(_("tell me the outcome"), default=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reporter")
        verbose_name_plural = _("reporters")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "resident"],
                condition=models.Q(resident__isnull=False),
                name="reporter_once_per_case",
            ),
        ]

    def __str__(self):
        return self.name or (self.resident.name if self.resident_id else "—")
