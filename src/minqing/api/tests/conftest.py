import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from .helpers import dispatch, register


@pytest.fixture
def api(db):
    """api(user) → an APIClient that calls the API with the user's token (language: Accept-Language)."""

    def _api(user=None, *, language="en"):
        client = APIClient()
        headers = {"HTTP_ACCEPT_LANGUAGE": language}
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            headers["HTTP_AUTHORIZATION"] = f"Token {token.key}"
        client.credentials(**headers)
        return client

    return _api


@pytest.fixture
def cases(world):
    """Cases in each grid; one of grid1's and one of grid2's dispatched to the handler's organisation."""
    w = world
    c1 = register(w.grid_worker, building=w.building1, resident=w.resident1, reporter_phone="13911112222")
    c1b = dispatch(w.grid_worker, register(w.grid_worker, building=w.building1), w.renovation)
    c2 = register(w.grid_worker2, building=w.building2)
    c2b = dispatch(w.grid_worker2, register(w.grid_worker2, household=w.household2), w.renovation)
    c3 = register(w.other_admin, building=w.building3)
    return {"grid1": c1, "grid1_dispatched": c1b, "grid2": c2, "grid2_dispatched": c2b, "grid3": c3}
