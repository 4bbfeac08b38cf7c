import pytest

from minqing.accounts.models import FailedLogin, User


@pytest.fixture
def account(db):
    return User.objects.create_user(
        username="redian_grid1", password="correct horse 2026", role="grid_worker"
    )


def test_login_and_logout(client, account):
    response = client.post("/accounts/login/", {"username": "redian_grid1", "password": "correct horse 2026"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_wrong_password_is_explained(client, account):
    response = client.post("/accounts/login/", {"username": "redian_grid1", "password": "nope"})
    assert response.status_code == 200
    assert FailedLogin.objects.count() == 1


def test_repeated_failures_are_throttled_even_with_the_right_password(client, account, settings):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "redian_grid1", "password": "nope"})
    response = client.post("/accounts/login/", {"username": "redian_grid1", "password": "correct horse 2026"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    body = response.content.decode()
    assert "15" in body  # "wait 15 minutes"


def test_passwords_are_hashed_with_argon2_in_production_settings():
    from minqing.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_production_refuses_to_start_without_secrets(monkeypatch):
    import importlib
    import sys

    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("MINQING_ENV", "production")
    monkeypatch.delenv("MINQING_SECRET_KEY", raising=False)
    monkeypatch.delenv("MINQING_FIELD_KEY", raising=False)
    sys.modules.pop("minqing.settings.base", None)
    try:
        with pytest.raises(ImproperlyConfigured):
            importlib.import_module("minqing.settings.base")
    finally:
        sys.modules.pop("minqing.settings.base", None)


def test_language_switch_to_english_and_back(client, account):
    client.force_login(account)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert 'lang="zh-hans"' in client.get("/").content.decode()
