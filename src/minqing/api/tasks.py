"""Background work of the API's webhooks (run by `manage.py run_worker`, see core/periodic.py). Tasks only
call minqing.api.webhooks.

`retry_due_webhooks` is meant to run every minute; it enqueues a `deliver_webhook` task per due delivery.
"""

from django_tasks import task

from . import webhooks


@task()
def deliver_webhook(delivery_id: int) -> str:
    """Post one delivery if it is still due; safe to run twice or on two workers at once."""
    return webhooks.deliver(delivery_id)


@task()
def retry_due_webhooks() -> int:
    return webhooks.retry_due()
