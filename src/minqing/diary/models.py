"""The 民情日记 (concern diary): a cadre's free notes about a resident, a building, a merchant or the grid.

A note is found again by searching its words, and becomes a case with one tap when it needs handling.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from minqing.core.models import VersionedModel


class Entry(VersionedModel):
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The grid the note belongs to: the subject's grid, or the grid itself for a note about no one in
    # particular. It scopes who reads the note (staff whose areas contain it).
    area = models.ForeignKey(
        "places.Area", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="diary_entries"
    )
    # At most one subject (a constraint below); none for a note about the grid.
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="diary_entries",
    )
    building = models.ForeignKey(
        "places.Building",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="diary_entries",
    )
    merchant = models.ForeignKey(
        "organisations.Merchant",
        verbose_name=_("merchant"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="diary_entries",
    )
    text = models.TextField(_("note"))
    occurred_on = models.DateField(_("day"), default=timezone.localdate)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="diary_entries",
    )

    class Meta:
        verbose_name = _("diary entry")
        verbose_name_plural = _("diary entries")
        ordering = ["-occurred_on", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(resident__isnull=True, building__isnull=True)
                    | models.Q(resident__isnull=True, merchant__isnull=True)
                    | models.Q(building__isnull=True, merchant__isnull=True)
                ),
                name="diary_entry_at_most_one_subject",
            ),
        ]
        indexes = [models.Index(fields=["area", "occurred_on"])]

    def __str__(self):
        return Truncator(self.text).chars(40)

    @property
    def subject(self):
        """The resident, building or merchant the note is about; None for a note about the grid."""
        return self.resident or self.building or self.merchant
