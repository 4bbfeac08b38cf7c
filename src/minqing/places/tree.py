"""The materialised-path area tree (docs/adr/0002-area-tree.md). The only code that writes `path`/`depth`."""

from django.db import transaction

from .models import ALLOWED_CHILDREN, Area


class TreeError(ValueError):
    pass


@transaction.atomic
def insert_area(*, parent: Area | None, kind: str, name: str, code: str, **fields) -> Area:
    """Create an area under `parent` and set its path. No permission check: callers decide who may."""
    if kind not in ALLOWED_CHILDREN[parent.kind if parent else None]:
        raise TreeError(kind)
    area = Area.objects.create(parent=parent, kind=kind, name=name, code=code, path="/pending/", **fields)
    area.path = f"{parent.path if parent else '/'}{area.pk}/"
    area.depth = area.path.count("/") - 2
    area.save(update_fields=["path", "depth"])
    return area
