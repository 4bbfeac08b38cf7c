"""12345 hotline work orders (12345工单): an upload between its steps, and what the platform said of each
work order that became a case.

An upload goes through the same steps as a ledger import (registry_io): upload → column mapping → dry run →
confirm (or discard), with the same lifecycle (`registry_io.models.TRANSITIONS`). Its rows name callers and
their phone numbers, so they wait encrypted and are cleared once the upload is imported or discarded; the
report keeps row numbers, work order numbers and reason codes, never a name or a phone number.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minqing.core.fields import EncryptedTextField
from minqing.registry_io.models import OPEN_STATUSES, BatchStatus


class WorkOrderImport(models.Model):
    """12345工单导入: one uploaded file of work orders and what became of it."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    # The grid a work order lands in when its address names none of the buildings around it.
    area = models.ForeignKey(
        "places.Area", verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(_("file name"), max_length=255)
    status = models.CharField(
        _("status"), max_length=20, choices=BatchStatus.choices, default=BatchStatus.UPLOADED, db_index=True
    )
    dispatch = models.BooleanField(_("dispatch to the handling unit named in the file"), default=False)
    # JSON {"headers": [...], "rows": [[row number, [cell, ...]], ...]}, encrypted; "" once finished.
    payload = EncryptedTextField(blank=True, default="")
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)  # {column key: index}
    report = models.JSONField(_("dry-run report"), default=dict, blank=True)  # see validation.Plan.report
    bad_row_count = models.PositiveIntegerField(_("rows with problems"), default=0)
    created_count = models.PositiveIntegerField(_("cases created"), default=0)
    skipped_count = models.PositiveIntegerField(_("work orders already imported"), default=0)
    dispatched_count = models.PositiveIntegerField(_("cases dispatched"), default=0)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    validated_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("12345 work order import")
        verbose_name_plural = _("12345 work order imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["uploaded_by", "created_at"])]

    def __str__(self):
        return self.file_name

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def can_apply(self) -> bool:
        """Every row correct. A file whose work orders were all imported before may be confirmed too: it
        then changes nothing and says so."""
        return self.status == BatchStatus.VALIDATED and self.bad_row_count == 0 and self.row_count > 0


class WorkOrder(models.Model):
    """12345工单: what the hotline platform said of a work order that became a case. The work order number is
    the case's `external_reference` (unique for the 12345 channel), so importing it again changes nothing."""

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="work_order"
    )
    batch = models.ForeignKey(
        WorkOrderImport,
        verbose_name=_("imported with"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_orders",
    )
    received_at = models.DateTimeField(_("call received at"), null=True, blank=True)  # 来电时间
    due_at = models.DateTimeField(_("to finish by (12345)"), null=True, blank=True)  # 办理时限

    class Meta:
        verbose_name = _("12345 work order")
        verbose_name_plural = _("12345 work orders")

    def __str__(self):
        return str(self.case)
