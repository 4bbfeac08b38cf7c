"""A ledger upload between its steps: upload → column mapping → dry run → confirm (or discard).

The uploaded rows hold ID numbers and phone numbers, so they are kept encrypted (PIPL) and cleared as soon
as the batch is applied or discarded; what stays is the mapping, the report (row numbers and reason codes,
never a personal value) and the counts.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minqing.core.fields import EncryptedTextField


class BatchStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    VALIDATED = "validated", _("Checked (dry run)")
    APPLIED = "applied", _("Imported")
    DISCARDED = "discarded", _("Discarded")


# The lifecycle: which status may follow which. Only actions.py moves a batch along it.
TRANSITIONS: dict[str, frozenset[str]] = {
    BatchStatus.UPLOADED: frozenset({BatchStatus.VALIDATED, BatchStatus.DISCARDED}),
    BatchStatus.VALIDATED: frozenset({BatchStatus.VALIDATED, BatchStatus.APPLIED, BatchStatus.DISCARDED}),
    BatchStatus.APPLIED: frozenset(),
    BatchStatus.DISCARDED: frozenset(),
}
OPEN_STATUSES = (BatchStatus.UPLOADED, BatchStatus.VALIDATED)


class ImportBatch(models.Model):
    """台账导入批次: one uploaded ledger file and what became of it."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    area = models.ForeignKey(
        "places.Area", verbose_name=_("target area"), on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(
        _("status"), max_length=20, choices=BatchStatus.choices, default=BatchStatus.UPLOADED, db_index=True
    )
    create_buildings = models.BooleanField(_("create buildings that do not exist yet"), default=False)
    # JSON {"headers": [...], "rows": [[row number, [cell, ...]], ...]}, encrypted; "" once finished.
    payload = EncryptedTextField(blank=True, default="")
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    # {field key: column index}
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    # {"bad_rows": [{"row": n, "problems": [{"code": ..., "params": {...}}]}], "counts": {...}}
    report = models.JSONField(_("dry-run report"), default=dict, blank=True)
    bad_row_count = models.PositiveIntegerField(_("rows with problems"), default=0)
    buildings_created = models.PositiveIntegerField(_("buildings created"), default=0)
    households_created = models.PositiveIntegerField(_("households created"), default=0)
    residents_created = models.PositiveIntegerField(_("residents created"), default=0)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    validated_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ledger import")
        verbose_name_plural = _("ledger imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["uploaded_by", "created_at"])]

    def __str__(self):
        return self.file_name

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def can_apply(self) -> bool:
        return self.status == BatchStatus.VALIDATED and self.bad_row_count == 0 and self.row_count > 0
