"""Background work of the outbox (django-tasks). Tasks only call notifications.actions.

`retry_due_messages` is meant to run every minute (the periodic runner enqueues it); it enqueues a
`deliver` task per due message.
"""

from django_tasks import task

from . import actions
from .actions import retry_due

__all__ = ["deliver", "retry_due", "retry_due_messages"]


@task()
def deliver(message_id: int) -> str:
    """Send one message if it is still due; safe to run twice or on two workers at once."""
    return actions.deliver_message(message_id)


@task()
def retry_due_messages() -> int:
    return retry_due()
