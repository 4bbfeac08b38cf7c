"""The responsibility directory (职责清单, 啥事儿该找谁): concern categories, and which organisation handles
each category in each place. Cities differ, so both are data that admins edit."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from minqing.core.models import VersionedModel


class Category(models.Model):
    """A topic of concern (e.g. C23 排水/下水道堵塞/化粪池), in a domain (公用事业). Seeded from the default
    taxonomy; a city edits names and adds its own."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    domain = models.CharField(_("domain"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    keywords = models.CharField(
        _("words people use"),
        max_length=300,
        blank=True,
        help_text=_("Words residents say for this, separated by spaces, e.g. 晾衣杆 返水"),
    )
    usual_owner = models.CharField(_("usual first owner"), max_length=200, blank=True)
    usual_escalation = models.CharField(_("usual escalation or co-owner"), max_length=200, blank=True)
    emergency = models.BooleanField(_("may be an emergency"), default=False)
    dispute = models.BooleanField(_("usually a dispute between residents"), default=False)
    active = models.BooleanField(_("in use"), default=True)
    # Time limits, in working time on the calendar of core.workcal (urgent cases: see cases/deadlines.py).
    accept_hours = models.PositiveSmallIntegerField(
        _("accept within (working hours)"), default=4, validators=[MinValueValidator(1)]
    )
    finish_days = models.PositiveSmallIntegerField(
        _("finish within (working days)"), default=5, validators=[MinValueValidator(1)]
    )
    verify_days = models.PositiveSmallIntegerField(
        _("verify within (working days)"), default=2, validators=[MinValueValidator(1)]
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("concern category")
        verbose_name_plural = _("concern categories")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class Duty(models.TextChoices):
    FIRST = "first", _("Handles it first")
    ESCALATION = "escalation", _("Escalation or co-owner")


class Responsibility(VersionedModel):
    """In `area` and everything below it, `organisation` handles `category`. The nearest area wins."""

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="responsibilities"
    )
    area = models.ForeignKey(
        "places.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="responsibilities"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="responsibilities",
    )
    duty = models.CharField(_("duty"), max_length=20, choices=Duty.choices, default=Duty.FIRST)
    note = models.CharField(
        _("note"),
        max_length=200,
        blank=True,
        help_text=_("e.g. inside the estate only; outside it call 市政排水"),
    )

    class Meta:
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "area", "organisation", "duty"], name="responsibility_once"
            ),
        ]

    def __str__(self):
        return f"{self.category.code} @ {self.area} → {self.organisation}"
