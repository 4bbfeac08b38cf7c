from django import template
from django.utils.translation import gettext

from minqing.core import audit

register = template.Library()


@register.filter
def audit_label(event) -> str:
    return audit.describe(event)


@register.filter
def changed_fields(event) -> str:
    return gettext(", ").join(audit.changed_field_labels(event))
