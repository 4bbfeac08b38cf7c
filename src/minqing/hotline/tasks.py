"""Housekeeping on the clock (core/periodic.py)."""

import datetime

from django_tasks import task

from .actions import expire_stale_imports


@task()
def expire_uploads() -> int:
    """Uploaded work orders never imported nor discarded: their personal data goes after 48 hours."""
    return expire_stale_imports(older_than=datetime.timedelta(hours=48))
