"""Concerns (民情) and the cases that carry them through 登记 → 派单 → 签收 → 反馈 → 核查 → 结案.

The lifecycle is the state machine in cases/workflow.py; this module only holds the data.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from minqing.core.fields import EncryptedTextField
from minqing.core.models import VersionedModel


class Status(models.TextChoices):
    REGISTERED = "registered", _("Registered, to dispatch")
    REFERRED = "referred", _("Referred, to follow up")
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted by the handler")
    ANSWERED = "answered", _("Answered, to verify")
    VERIFIED = "verified", _("Verified")
    CLOSED = "closed", pgettext_lazy("case status", "Closed")


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


class Escalation(models.IntegerChoices):
    """督办: yellow when a time limit has passed, red when it has passed twice over."""

    NONE = 0, _("None")
    YELLOW = 1, _("Yellow: overdue")
    RED = 2, _("Red: long overdue")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Not satisfied")


class Case(VersionedModel):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    # The number another system gave it (a 12345 work order number): importing it again changes nothing.
    external_reference = models.CharField(_("external reference"), max_length=60, blank=True)
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
    merchant = models.ForeignKey(
        "organisations.Merchant",
        verbose_name=_("merchant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
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
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_cases",
    )
    # The clock (cases/deadlines.py): when each step happened and by when it had to.
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # A time limit another system set (a 12345 work order's 办理时限): it wins over the category's.
    external_due_at = models.DateTimeField(_("time limit set by the referring system"), null=True, blank=True)
    accept_due_at = models.DateTimeField(_("accept by"), null=True, blank=True)
    finish_due_at = models.DateTimeField(_("finish by"), null=True, blank=True)
    verify_due_at = models.DateTimeField(_("verify by"), null=True, blank=True)
    # The running clock, for the background scan: the current step's deadline, when to warn, when to go red.
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    warn_at = models.DateTimeField(null=True, blank=True, db_index=True)
    red_at = models.DateTimeField(null=True, blank=True, db_index=True)
    warned = models.BooleanField(default=False)
    escalation = models.PositiveSmallIntegerField(
        _("supervision"), choices=Escalation.choices, default=Escalation.NONE
    )
    overdue = models.BooleanField(_("was overdue"), default=False)
    rating = models.CharField(_("satisfaction"), max_length=20, choices=Rating.choices, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The lists, the clocks and the dashboards (dashboards/selectors.py) count from these alone.
            models.Index(fields=["area", "status", "escalation"]),
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["organisation", "dispatched_at"]),
            models.Index(fields=["area", "created_at", "status", "merged_into", "building", "category"]),
            models.Index(fields=["area", "dispatched_at", "accepted_at", "accept_due_at", "overdue"]),
            models.Index(fields=["area", "closed_at", "status", "merged_into"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_reference"],
                condition=~models.Q(external_reference=""),
                name="case_external_reference_once_per_channel",
            ),
        ]

    @property
    def stage(self) -> str:
        """Which clock runs now: accept, finish or verify ("" when none)."""
        return {
            Status.DISPATCHED: "accept",
            Status.ACCEPTED: "finish",
            Status.ANSWERED: "verify",
        }.get(self.status, "")

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
    # A resident who reported through the portal: their account, registry record or not.
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    name = models.CharField(_("name"), max_length=60, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True, default="")
    confidential = models.BooleanField(_("keep my name confidential"), default=False)
    wants_news = models.BooleanField(_("tell me the outcome"), default=True)
    share_phone = models.BooleanField(_("the handler may see my full phone number"), default=False)
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

    @property
    def contact_phone(self) -> str:
        """The number to call back: the one they gave, else the registry's (load `resident` with it)."""
        return self.phone or (self.resident.phone if self.resident_id else "")


class Extension(models.Model):
    """延期: a handler asks for more time to finish; a supervisor grants or refuses."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    days = models.PositiveSmallIntegerField(_("extra working days"))
    reason = models.TextField(_("reason"))
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(state="pending"), name="one_pending_extension_per_case"
            ),
        ]

    def __str__(self):
        return f"{self.case_id}: +{self.days}"


class Photo(models.Model):
    """A photo of the problem, of the work done, or of the on-site check. Served only through the case's
    permissions (cases/views.py), never as a public static file."""

    class Kind(models.TextChoices):
        REPORT = "report", _("The problem")
        ANSWER = "answer", _("The work done")
        CHECK = "check", _("On-site check")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.REPORT)
    file = models.FileField(upload_to="cases/%Y/%m/")
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self):
        return self.file.name


class Feedback(models.Model):
    """回访: after closing, someone calls the reporter back (or the reporter answers in the portal)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="feedback")
    # The case's grid, copied: the dashboards count call-backs per area without joining a million cases.
    area = models.ForeignKey("places.Area", null=True, on_delete=models.PROTECT, related_name="+")
    reporter = models.ForeignKey(
        Reporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    contacted = models.BooleanField(_("reached the reporter"), default=True)
    solved = models.BooleanField(_("solved"), null=True)
    rating = models.CharField(_("satisfaction"), max_length=20, choices=Rating.choices, blank=True)
    note = models.TextField(_("what they said"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("call-back")
        verbose_name_plural = _("call-backs")
        ordering = ["recorded_at", "id"]
        indexes = [models.Index(fields=["area", "recorded_at", "rating"])]

    def __str__(self):
        return f"{self.case_id}: {self.rating or '-'}"
