"""Work that runs on a clock rather than on a click: the deadline scan (warnings, 督办) and the outbox's
retries. `manage.py run_worker` enqueues each of these every `every` seconds and runs the task worker;
`manage.py run_worker --once` enqueues them once and works the queue empty (cron-friendly, and what tests
of the schedule use)."""

from dataclasses import dataclass

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Periodic:
    task: str
    every: int  # seconds


PERIODIC = (
    Periodic("minqing.cases.tasks.scan_deadlines", 60),
    Periodic("minqing.notifications.tasks.retry_due_messages", 60),
    Periodic("minqing.api.tasks.retry_due_webhooks", 60),
    Periodic("minqing.registry_io.tasks.expire_uploads", 3600),
    Periodic("minqing.hotline.tasks.expire_uploads", 3600),
)


def enqueue_due(last_run: dict[str, float], now: float) -> list[str]:
    """Enqueue every periodic task whose interval has passed since `last_run` (updated in place)."""
    enqueued = []
    for job in PERIODIC:
        if now - last_run.get(job.task, float("-inf")) >= job.every:
            import_string(job.task).enqueue()
            last_run[job.task] = now
            enqueued.append(job.task)
    return enqueued
