"""Writes of the API app: a user's own API token, and webhook subscriptions. Each is atomic, checks who is
acting and writes the audit trail (never the token or the secret themselves)."""

import secrets
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.authtoken.models import Token

from minqing.accounts.roles import STAFF_ROLES, Cap, Role
from minqing.core import audit
from minqing.core.errors import Forbidden, InvalidInput
from minqing.places.permissions import require
from minqing.places.selectors import scope_roots

from . import webhooks
from .models import RETRYABLE_STATUSES, DeliveryStatus, Event, WebhookDelivery, WebhookSubscription

audit.register_labels(
    {
        "api.token.create": gettext_lazy("API token created"),
        "api.token.revoke": gettext_lazy("API token revoked"),
        "api.webhook.create": gettext_lazy("Webhook added"),
        "api.webhook.update": gettext_lazy("Webhook changed"),
        "api.webhook.retry": gettext_lazy("Webhook delivery sent again"),
    }
)

# Who may hold an API token: those the API has something for (staff and organisation handlers).
TOKEN_ROLES = STAFF_ROLES | {Role.ORG_HANDLER}
# Who registers webhooks and reads their delivery log: community admins and street officers.
WEBHOOK_CAPABILITY = Cap.MANAGE_DIRECTORY


def may_hold_token(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role in TOKEN_ROLES))


@transaction.atomic
def create_token(*, acting_user) -> str:
    """A new token for the acting user, replacing any earlier one (which stops working). Returns the key,
    which the caller shows once."""
    if not may_hold_token(acting_user):
        raise Forbidden()
    replaced = Token.objects.filter(user=acting_user).delete()[0] > 0
    token = Token.objects.create(user=acting_user)
    audit.record(
        actor=acting_user,
        action="api.token.create",
        target=acting_user,
        changes={"replaced": [None, True]} if replaced else {},
    )
    return token.key


@transaction.atomic
def revoke_token(*, acting_user) -> bool:
    """The acting user's token stops working. False if there was none."""
    deleted = Token.objects.filter(user=acting_user).delete()[0] > 0
    if deleted:
        audit.record(actor=acting_user, action="api.token.revoke", target=acting_user)
    return deleted


def _check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(_("Enter an address that starts with https:// or http://."))
    return url


def _check_events(events) -> list[str]:
    chosen = [e for e in Event.values if e in set(events)]
    if not chosen or len(chosen) != len(set(events)):
        raise InvalidInput(_("Choose at least one event."))
    return chosen


@transaction.atomic
def create_subscription(
    *, acting_user, url: str, events, description: str = ""
) -> tuple[WebhookSubscription, str]:
    """Subscribe `url` to `events` of cases in the acting admin's areas. Returns the subscription and its
    secret, which the caller shows once (it is kept encrypted and never shown again)."""
    require(acting_user, WEBHOOK_CAPABILITY)
    areas = list(scope_roots(acting_user))
    if not areas:
        raise Forbidden(_("This place is outside your area."))
    secret = secrets.token_urlsafe(32)
    subscription = WebhookSubscription.objects.create(
        url=_check_url(url),
        secret=secret,
        events=_check_events(events),
        description=description.strip()[:200],
        created_by=acting_user,
    )
    subscription.areas.set(areas)
    audit.record(
        actor=acting_user,
        action="api.webhook.create",
        target=subscription,
        area_path=areas[0].path,
        changes={"url": [None, subscription.url], "events": [None, subscription.events]},
    )
    return subscription, secret


@transaction.atomic
def update_subscription(
    *, acting_user, subscription: WebhookSubscription, active: bool | None = None, events=None
) -> WebhookSubscription:
    """Switch a webhook on or off, or change its events. `subscription` comes from selectors (in scope)."""
    require(acting_user, WEBHOOK_CAPABILITY)
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    before = audit.snapshot(subscription, ("active", "events"))
    if active is not None:
        subscription.active = active
    if events is not None:
        subscription.events = _check_events(events)
    subscription.save(update_fields=["active", "events", "updated_at"])
    audit.record(
        actor=acting_user,
        action="api.webhook.update",
        target=subscription,
        area_path=_area_path(subscription),
        changes=audit.diff(before, audit.snapshot(subscription, ("active", "events"))),
    )
    return subscription


@transaction.atomic
def retry_delivery(*, acting_user, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a failed delivery again now (one more attempt). `delivery` comes from selectors (in scope)."""
    require(acting_user, WEBHOOK_CAPABILITY)
    old_status = delivery.status
    updated = WebhookDelivery.objects.filter(pk=delivery.pk, status__in=RETRYABLE_STATUSES).update(
        status=DeliveryStatus.PENDING,
        next_attempt_at=timezone.now() + webhooks.PENDING_GRACE,
        updated_at=timezone.now(),
    )
    if not updated:
        raise InvalidInput(_("This message is not waiting to be sent again."))
    delivery.refresh_from_db()
    audit.record(
        actor=acting_user,
        action="api.webhook.retry",
        target=delivery.subscription,
        area_path=_area_path(delivery.subscription),
        changes={"status": [old_status, DeliveryStatus.PENDING]},
        reason=str(delivery.uuid),
    )
    webhooks.enqueue_on_commit(delivery.pk)
    return delivery


def _area_path(subscription: WebhookSubscription) -> str:
    area = subscription.areas.order_by("path").first()
    return area.path if area else ""
