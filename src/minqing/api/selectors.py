"""Reads of the API app, scoped: an admin sees the webhooks of their areas and below, and their deliveries."""

from django.db.models import QuerySet
from rest_framework.authtoken.models import Token

from minqing.accounts.roles import can
from minqing.core.errors import NotFound
from minqing.places.selectors import visible_areas

from .actions import WEBHOOK_CAPABILITY
from .models import DeliveryStatus, WebhookDelivery, WebhookSubscription


def token_of(user) -> Token | None:
    return Token.objects.filter(user=user).first()


def subscriptions_for(user) -> QuerySet[WebhookSubscription]:
    if not can(user, WEBHOOK_CAPABILITY):
        return WebhookSubscription.objects.none()
    through = WebhookSubscription.areas.through.objects.filter(area__in=visible_areas(user))
    return WebhookSubscription.objects.filter(pk__in=through.values("webhooksubscription_id"))


def get_subscription(user, pk) -> WebhookSubscription:
    subscription = subscriptions_for(user).filter(pk=pk).select_related("created_by").first()
    if subscription is None:
        raise NotFound()
    return subscription


def deliveries_for(user, *, subscription=None, status: str | None = None) -> QuerySet[WebhookDelivery]:
    deliveries = WebhookDelivery.objects.filter(subscription__in=subscriptions_for(user).values("pk"))
    if subscription is not None:
        deliveries = deliveries.filter(subscription=subscription)
    if status in DeliveryStatus.values:
        deliveries = deliveries.filter(status=status)
    return (
        deliveries.select_related("subscription").defer("subscription__secret").order_by("-created_at", "-id")
    )


def get_delivery(user, pk) -> WebhookDelivery:
    delivery = deliveries_for(user).filter(pk=pk).first()
    if delivery is None:
        raise NotFound()
    return delivery
