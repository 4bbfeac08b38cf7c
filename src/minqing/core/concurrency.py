"""Optimistic locking: an edit saves only if nobody saved the record since the form was opened."""

from django.db import models
from django.db.models import F
from django.utils import timezone

from .errors import Conflict


def save_versioned(obj: models.Model, *, expected_version: int, fields: list[str]) -> None:
    """Write `fields` of `obj` if its row still has `expected_version`; raise Conflict otherwise."""
    values = {name: getattr(obj, obj._meta.get_field(name).attname) for name in fields}
    updated = (
        type(obj)
        .objects.filter(pk=obj.pk, version=expected_version)
        .update(**values, version=F("version") + 1, updated_at=timezone.now())
    )
    if updated != 1:
        raise Conflict()
    obj.version = expected_version + 1
