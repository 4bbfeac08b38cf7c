"""One error shape for every failure of the API, in the asker's language (Accept-Language):

    {"error": {"code": "not_found", "message": "…", "fields": {"organisation": ["…"]}}}

`code` is stable and machine-readable; `message` is for people; `fields` names the input that was refused
(empty when the failure is not about one field). The mapping from our ApplicationError hierarchy (what the
actions raise), from Django's and from DRF's exceptions is here and nowhere else (DRF's EXCEPTION_HANDLER).
"""

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import set_rollback

from minqing.core.errors import ApplicationError, Conflict, Forbidden, InvalidInput, NotFound

logger = logging.getLogger(__name__)

# The code of each ApplicationError; DRF's exceptions keep their own (not_authenticated, method_not_allowed …).
APPLICATION_CODES = (
    (NotFound, "not_found"),
    (Forbidden, "permission_denied"),
    (Conflict, "conflict"),
    (InvalidInput, "invalid"),
)
NON_FIELD = ("non_field_errors", "__all__")


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def exception_handler(exc, context):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every exception of an API view becomes the one error shape."""
    headers = {}
    if isinstance(exc, ApplicationError):
        status, body = exc.status, error_body(_application_code(exc), str(exc.message))
    elif isinstance(exc, DjangoValidationError):  # raised by a model or identity check inside an action
        fields = (
            {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
            if hasattr(exc, "error_dict")
            else {}
        )
        message = " ".join(fields.pop("__all__", [])) or " ".join(str(m) for m in exc.messages)
        status, body = 400, error_body("invalid", message, fields)
    elif isinstance(exc, Http404):
        status, body = 404, error_body("not_found", str(NotFound.default_message))
    elif isinstance(exc, PermissionDenied):
        status, body = 403, error_body("permission_denied", str(Forbidden.default_message))
    elif isinstance(exc, exceptions.ValidationError):
        fields = dict(_flatten(exc.detail))
        general = [m for key in NON_FIELD for m in fields.pop(key, [])]
        status = exc.status_code
        body = error_body("invalid", " ".join(general) or str(InvalidInput.default_message), fields)
    elif isinstance(exc, exceptions.APIException):
        if isinstance(exc, exceptions.NotFound):
            message = str(NotFound.default_message)
        else:
            message = str(exc.detail) if not isinstance(exc.detail, list | dict) else str(exc.default_detail)
        status, body = exc.status_code, error_body(_api_code(exc), message)
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait))
    else:
        # A bug. Logged with its traceback; the client still gets the one shape, and nothing of the bug.
        logger.exception("Unhandled error in %s", context.get("view").__class__.__name__)
        status = 500
        body = error_body("server_error", _("Something went wrong on our side. Please try again later."))
    set_rollback()
    return Response(body, status=status, headers=headers)


def _application_code(exc: ApplicationError) -> str:
    for cls, code in APPLICATION_CODES:
        if isinstance(exc, cls):
            return code
    return "invalid" if exc.status == 400 else "error"


def _api_code(exc: exceptions.APIException) -> str:
    code = getattr(exc.detail, "code", None)
    return code if isinstance(code, str) else exc.default_code


def _flatten(detail, prefix: str = ""):
    """DRF's nested error details as {"field": [...], "items.0": [...]}."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            yield from _flatten(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(detail, list) and all(not isinstance(item, list | dict) for item in detail):
        yield prefix or NON_FIELD[0], [str(item) for item in detail]
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            yield from _flatten(item, f"{prefix}.{index}" if prefix else str(index))
    else:
        yield prefix or NON_FIELD[0], [str(detail)]


# --- the shape, for the OpenAPI schema (minqing.api.schema adds it to every operation) -------------------


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Stable, machine-readable: invalid, not_authenticated, authentication_failed, "
        "permission_denied, not_found, conflict, method_not_allowed, unsupported_media_type, not_acceptable, "
        "throttled, server_error."
    )
    message = serializers.CharField(help_text="For people, in the language of Accept-Language.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="The input that was refused, by field name, with the reasons; empty when none is to blame.",
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()
