from django.contrib import messages
from django.shortcuts import render

from .errors import ApplicationError
from .htmx import is_htmx

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """A strict policy: no inline scripts or styles, nothing from outside the app (intranet deployments)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


class ApplicationErrorMiddleware:
    """Maps ApplicationError to a page (or an htmx fragment) with the message in the user's language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ApplicationError):
            return None
        if is_htmx(request):
            return render(request, "core/error.html#message", {"error": exception}, status=exception.status)
        return render(request, "core/error.html", {"error": exception}, status=exception.status)


def flash_error(request, error: ApplicationError):
    messages.error(request, error.message)
