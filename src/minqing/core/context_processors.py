from django.conf import settings

from minqing.accounts.roles import CAPABILITIES


def minqing(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"product_name": settings.MINQING_PRODUCT_NAME, "role": None, "caps": frozenset()}
    caps = (
        frozenset(c for caps in CAPABILITIES.values() for c in caps)
        if user.is_superuser
        else (CAPABILITIES.get(user.role, frozenset()))
    )
    return {"product_name": settings.MINQING_PRODUCT_NAME, "role": user.role_info, "caps": caps}
