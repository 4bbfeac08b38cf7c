"""The end of an upload's life, shared by every importer (ledgers here, 12345 work orders in `hotline`):
an upload that is discarded or left open too long loses its rows at once, and the audit says so."""

import datetime

from django.utils import timezone

from minqing.core import audit

from .models import BatchStatus


def clear(batch, *, actor, action: str) -> None:
    """Mark `batch` discarded and delete its pending rows (the encrypted payload)."""
    batch.status = BatchStatus.DISCARDED
    batch.payload = ""
    batch.finished_at = timezone.now()
    batch.save(update_fields=["status", "payload", "finished_at", "updated_at"])
    audit.record(
        actor=actor, action=action, target=batch, area_path=batch.area.path, changes={"file": batch.file_name}
    )


def expire_stale(model, *, older_than: datetime.timedelta, action: str, acting_user=None) -> int:
    """Discard the uploads of `model` left open longer than `older_than` (the worker runs this hourly).
    The caller holds the transaction."""
    cutoff = timezone.now() - older_than
    stale = list(
        model.objects.select_for_update()
        .filter(status__in=[BatchStatus.UPLOADED, BatchStatus.VALIDATED], created_at__lt=cutoff)
        .select_related("area")
        .defer("payload")
    )
    for batch in stale:
        clear(batch, actor=acting_user, action=action)
    return len(stale)
