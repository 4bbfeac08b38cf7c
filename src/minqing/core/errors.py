"""One hierarchy of errors that business code raises; mapped once to HTML (middleware) and to the API."""

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    status = 400
    default_message = _("This request could not be carried out.")

    def __init__(self, message=None, *, extra: dict | None = None):
        self.message = message or self.default_message
        self.extra = extra or {}
        super().__init__(str(self.message))


class NotFound(ApplicationError):
    """Also used when the thing exists but is outside the user's scope: we never confirm it exists."""

    status = 404
    default_message = _("Not found, or not in your area.")


class Forbidden(ApplicationError):
    status = 403
    default_message = _("Your role does not allow this.")


class Conflict(ApplicationError):
    status = 409
    default_message = _(
        "Someone else changed this record while you were editing. Your changes were not saved; "
        "the page now shows the latest version."
    )


class InvalidInput(ApplicationError):
    status = 400
    default_message = _("Some of the input is not valid.")
