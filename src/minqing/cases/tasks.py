"""Background work of the concern loop (run by `manage.py run_worker`, see core/periodic.py)."""

from django_tasks import task

from . import deadlines


@task()
def scan_deadlines() -> dict[str, int]:
    """Warn before time limits, flag and escalate (督办) after them. Safe to run twice at once."""
    return deadlines.scan()
