"""The one check every write makes: may this role do it, and is the place inside the user's area?"""

from django.utils.translation import gettext as _

from minqing.accounts.roles import can
from minqing.core.errors import Forbidden

from .models import Area
from .selectors import area_in_scope


def require(user, capability: str, area: Area | None = None) -> None:
    """Raise Forbidden unless the user's role has `capability` and `area` (if given) is in their scope."""
    if not can(user, capability):
        raise Forbidden()
    if area is not None and not area_in_scope(user, area):
        raise Forbidden(_("This place is outside your area."))
