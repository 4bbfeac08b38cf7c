from django import template
from django.utils.translation import gettext

from minqing.core import audit, identity

register = template.Library()


@register.filter
def audit_label(event) -> str:
    return audit.describe(event)


@register.filter
def changed_fields(event) -> str:
    return gettext(", ").join(audit.changed_field_labels(event))


@register.filter
def mask_phone(value: str) -> str:
    """A phone number with its middle hidden (139****5678)."""
    return identity.mask_phone(value) if value else ""
