"""Housekeeping on the clock (core/periodic.py)."""

import datetime

from django_tasks import task

from .actions import expire_stale_batches


@task()
def expire_uploads() -> int:
    """Uploaded ledgers never imported nor discarded: their personal data goes after 48 hours."""
    return expire_stale_batches(older_than=datetime.timedelta(hours=48))
