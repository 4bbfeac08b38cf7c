"""Who may use the diary and who may change a note. Scope (which grids) is the places rule, as everywhere."""

from minqing.accounts.roles import STAFF_ROLES, Cap, Role
from minqing.core.errors import Forbidden
from minqing.places.models import Area
from minqing.places.permissions import require
from minqing.places.selectors import area_in_scope


def is_staff(user) -> bool:
    """The diary is a cadre's notebook: staff roles only, never handlers, volunteers or residents."""
    return bool(user.is_authenticated and (user.is_superuser or user.role in STAFF_ROLES))


def require_staff(user, area: Area | None = None) -> None:
    if not is_staff(user):
        raise Forbidden()
    if area is not None:
        require(user, Cap.VIEW_REGISTRY, area)


def may_edit(user, entry) -> bool:
    """The author, or a community admin over the note's grid (who keeps the diary tidy when people move on)."""
    if not is_staff(user) or not area_in_scope(user, entry.area):
        return False
    return user.is_superuser or entry.author_id == user.pk or user.role == Role.COMMUNITY_ADMIN
