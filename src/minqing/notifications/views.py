from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from minqing.core.errors import ApplicationError
from minqing.core.htmx import is_htmx

from . import actions, selectors
from .models import RETRYABLE_STATUSES, MessageStatus

PAGE_SIZE = 30


@require_GET
def inbox(request):
    page = Paginator(selectors.inbox_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "unread": selectors.unread_count(request.user)},
    )


@require_POST
def mark_read(request, pk):
    actions.mark_read(acting_user=request.user, message_id=pk)
    if is_htmx(request):
        message = selectors.get_inbox_message(request.user, pk)
        return render(request, "notifications/inbox.html#message", {"m": message})
    return redirect(_inbox_url(request.POST.get("page")))


@require_POST
def mark_all_read(request):
    actions.mark_all_read(acting_user=request.user)
    return redirect(_inbox_url(request.POST.get("page")))


def _inbox_url(page) -> str:
    url = reverse("notifications:inbox")
    return f"{url}?{urlencode({'page': page})}" if page and str(page).isdigit() else url


@require_GET
def outbox(request):
    status = request.GET.get("status") or None
    if status not in MessageStatus.values:
        status = None
    page = Paginator(selectors.outbox_for(request.user, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/outbox.html",
        {
            "page": page,
            "status": status,
            "statuses": MessageStatus.choices,
            "retryable": set(RETRYABLE_STATUSES),
        },
    )


@require_POST
def retry(request, pk):
    message = selectors.get_outbox_message(request.user, pk)
    try:
        actions.retry_message(acting_user=request.user, message=message)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The message will be sent again now."))
    url = reverse("notifications:outbox")
    status = request.POST.get("status")
    if status in MessageStatus.values:
        url = f"{url}?{urlencode({'status': status})}"
    return redirect(url)
