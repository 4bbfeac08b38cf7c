import pytest


@pytest.fixture
def world(db):
    from tests.factories import World

    return World()


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user)
        return client

    return _login
