"""The audit trail. Every action writes here in its own transaction; sensitive reads (unmasking, exports) too."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from .models import AuditEvent

# Values of these fields never enter the audit trail: only the fact that they changed.
SECRET_FIELDS = frozenset({"phone", "id_number", "contact_phone"})


def record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    changes: dict | None = None,
    reason: str = "",
    area_path: str = "",
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        area_path=area_path,
        changes=changes or {},
        reason=reason,
    )


def record_many(*, actor, action: str, targets: list[models.Model], area_path_of, reason: str = "") -> None:
    """One event per target, written in bulk (ledger imports register thousands of records at once)."""
    if not targets:
        return
    target_type = ContentType.objects.get_for_model(targets[0])
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=actor if getattr(actor, "pk", None) else None,
                action=action,
                target_type=target_type,
                target_id=str(target.pk),
                target_label=str(target)[:200],
                area_path=area_path_of(target),
                reason=reason,
            )
            for target in targets
        ],
        batch_size=500,
    )


def snapshot(obj: models.Model, fields) -> dict:
    return {name: getattr(obj, name) for name in fields}


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for what changed, JSON-safe; secret fields show only that they changed."""
    out = {}
    for name, old in before.items():
        new = after.get(name)
        if old == new:
            continue
        if name in SECRET_FIELDS:
            out[name] = ["***", "***"]
        else:
            out[name] = [_plain(old), _plain(new)]
    return out


def _plain(value):
    if isinstance(value, models.Model):
        return str(value)
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)


# Human labels of action codes, registered by each app next to its actions.
LABELS: dict[str, str] = {}


def register_labels(labels: dict) -> None:
    LABELS.update(labels)


def describe(event: AuditEvent) -> str:
    return str(LABELS.get(event.action, event.action))


def changed_field_labels(event: AuditEvent) -> list[str]:
    """The verbose names of the fields an event changed, in the reader's language."""
    model = (
        ContentType.objects.get_for_id(event.target_type_id).model_class() if event.target_type_id else None
    )
    labels = []
    for name in event.changes:
        try:
            labels.append(str(model._meta.get_field(name).verbose_name) if model else name)
        except FieldDoesNotExist:  # a field that no longer exists keeps its stored name
            labels.append(name)
    return labels


def events_for(target: models.Model):
    return AuditEvent.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)
    ).select_related("actor")
