"""The API's pages: its documentation and schema, a user's own API token, and webhooks with their delivery
log. Login required (the site's middleware; the schema: DRF's authentication)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from drf_spectacular.views import SpectacularAPIView
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import IsAuthenticated

from minqing.accounts.roles import can
from minqing.core.errors import ApplicationError, Forbidden
from minqing.core.forms import apply_error
from minqing.core.middleware import CSP

from . import actions, selectors
from .forms import WebhookForm, WebhookUpdateForm
from .models import RETRYABLE_STATUSES, DeliveryStatus

PAGE_SIZE = 30


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema of /api/v1/ (YAML; JSON with ?format=json), for signed-in users and tokens."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]


# Swagger UI's own scripts and styles, all from this site (drf-spectacular-sidecar): the site's policy as
# it is, said here so that a change to it is checked against the documentation page too.
DOCS_CSP = CSP


@require_GET
def docs(request):
    """Swagger UI for the API, served from the app itself (no CDN); "Try it out" uses the session."""
    response = render(request, "api/docs.html")
    response["Content-Security-Policy"] = DOCS_CSP
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def token(request):
    """A user's own API token: create (shown once), replace or revoke."""
    if not actions.may_hold_token(request.user):
        raise Forbidden()
    key = None
    if request.method == "POST":
        if request.POST.get("do") == "revoke":
            if actions.revoke_token(acting_user=request.user):
                messages.success(request, _("The token was revoked: it no longer works."))
            return redirect("api:token")
        key = actions.create_token(acting_user=request.user)
    return render(request, "api/token.html", {"token": selectors.token_of(request.user), "key": key})


def _require_webhooks(user) -> None:
    if not can(user, actions.WEBHOOK_CAPABILITY):
        raise Forbidden()


@never_cache
@require_http_methods(["GET", "POST"])
def webhooks(request):
    """The webhooks of the admin's areas, and a form to add one (its secret is shown once)."""
    _require_webhooks(request.user)
    form = WebhookForm(request.POST or None)
    created = secret = None
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = actions.create_subscription(acting_user=request.user, **form.cleaned_data)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            form = WebhookForm()
    subscriptions = selectors.subscriptions_for(request.user).select_related("created_by")
    return render(
        request,
        "api/webhooks.html",
        {"form": form, "subscriptions": subscriptions, "created": created, "secret": secret},
    )


@require_http_methods(["GET", "POST"])
def webhook(request, pk):
    """One webhook: switch it on or off, change its events, and its delivery log."""
    _require_webhooks(request.user)
    subscription = selectors.get_subscription(request.user, pk)
    form = WebhookUpdateForm(
        request.POST or None, initial={"active": subscription.active, "events": subscription.events}
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_subscription(
                acting_user=request.user, subscription=subscription, **form.cleaned_data
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("api:webhook", pk=subscription.pk)
    status = request.GET.get("status") if request.GET.get("status") in DeliveryStatus.values else None
    deliveries = selectors.deliveries_for(request.user, subscription=subscription, status=status)
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "api/webhook.html",
        {
            "subscription": subscription,
            "form": form,
            "page": page,
            "status": status,
            "statuses": DeliveryStatus.choices,
            "retryable": set(RETRYABLE_STATUSES),
        },
    )


@require_POST
def delivery_retry(request, pk):
    _require_webhooks(request.user)
    delivery = selectors.get_delivery(request.user, pk)
    try:
        actions.retry_delivery(acting_user=request.user, delivery=delivery)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The message will be sent again now."))
    return redirect("api:webhook", pk=delivery.subscription_id)
