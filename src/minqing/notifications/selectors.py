"""Reads of the outbox. A user's inbox is their own in-app messages; the staff outbox is every message whose
area lies in the reader's scope, for those who may read the audit trail (community admins, street officers)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from minqing.accounts.roles import Cap, can
from minqing.core.errors import Forbidden, NotFound

from .models import Message, MessageChannel


def inbox_for(user) -> QuerySet[Message]:
    if not user.is_authenticated:
        return Message.objects.none()
    return Message.objects.filter(recipient_user=user, channel=MessageChannel.INAPP).order_by(
        "-created_at", "-id"
    )


def get_inbox_message(user, pk) -> Message:
    message = inbox_for(user).filter(pk=pk).first()
    if message is None:
        raise NotFound()
    return message


def unread_count(user) -> int:
    if not user.is_authenticated:
        return 0
    return Message.objects.filter(
        recipient_user=user, channel=MessageChannel.INAPP, read_at__isnull=True
    ).count()


def can_see_outbox(user) -> bool:
    """The outbox shows what was said to whom across an area, and its failures: the same readers as the
    audit trail (Cap.VIEW_AUDIT: community admins and street officers; superusers)."""
    return can(user, Cap.VIEW_AUDIT)


def _outbox_scope(user) -> Q:
    """Messages whose area path lies in the user's area subtrees (the paths of `user.areas`, as everywhere).
    A message without an area is seen only by superusers."""
    paths = user.scope_paths
    if "/" in paths:
        return Q()
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        q |= Q(area_path__startswith=path)
    return q


def in_outbox_scope(user, area_path: str) -> bool:
    return any(path == "/" or (area_path and area_path.startswith(path)) for path in user.scope_paths)


def outbox_for(user, *, status: str | None = None) -> QuerySet[Message]:
    if not can_see_outbox(user):
        raise Forbidden()
    qs = Message.objects.filter(_outbox_scope(user)).select_related("recipient_user")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def get_outbox_message(user, pk) -> Message:
    message = outbox_for(user).filter(pk=pk).first()
    if message is None:
        raise NotFound()
    return message


def messages_about(obj) -> QuerySet[Message]:
    """Messages about a record (a case), newest first. Not scoped: the caller already obtained `obj` through
    its own scoped selector (as cases.selectors.get_case)."""
    return (
        Message.objects.filter(about_type=ContentType.objects.get_for_model(obj), about_id=str(obj.pk))
        .select_related("recipient_user")
        .order_by("-created_at", "-id")
    )
