"""Every URL pattern of the project, asked anonymously: only the explicitly public ones answer."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC = {
    "accounts:login",
    "set_language",
    "core:health",
    "admin:login",
    # The resident portal's front door: its front page, code login, privacy notice and 这事儿该找谁.
    "portal:home",
    "portal:login",
    "portal:privacy",
    "portal:who",
}

# Machine interfaces, public by design, that answer with their own documents (errors included) instead of
# a login page; reversing them needs arguments, so they are not in PUBLIC. Tested in their app.
PUBLIC_API = {
    "open311:discovery",
    "open311:services",
    "open311:service_definition",
    "open311:requests",
    "open311:request",
    "open311:token",
    "open311:updates",
}


def _walk(resolver, prefix="", namespace=None):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns and namespace and entry.namespace:
                ns = f"{namespace}:{entry.namespace}"
            yield from _walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name, prefix + str(entry.pattern)


def _concrete(pattern: str) -> str:
    path = pattern.lstrip("^").rstrip("$").replace("\\Z", "").replace("\\/", "/")
    path = re.sub(r"<int:\w+>", "1", path)
    path = re.sub(r"<(?:str:|slug:)?\w+>", "x", path)
    path = re.sub(r"<path:\w+>", "x/y", path)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)
    return "/" + path


ALL = sorted({(name or "", _concrete(p)) for name, p in _walk(get_resolver())})


def test_the_walk_sees_the_project_urls():
    names = {name for name, _ in ALL}
    assert {"core:home", "people:resident", "places:building", "registry_io:import"} <= names


@pytest.mark.parametrize(("name", "path"), ALL, ids=[f"{n or '-'} {p}" for n, p in ALL])
@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, name, path):
    if name in PUBLIC or name in PUBLIC_API or path.startswith("/static/"):
        pytest.skip("public by design")
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        assert response.status_code in (301, 302, 401, 403), (
            f"{method.upper()} {path} answered {response.status_code}"
        )
        if response.status_code == 302:
            assert "login" in response["Location"], response["Location"]


@pytest.mark.parametrize("name", sorted(PUBLIC))
@pytest.mark.django_db
def test_public_pages_answer_anonymously(client, name):
    from django.urls import reverse

    response = (
        client.get(reverse(name))
        if name != "set_language"
        else client.post(reverse(name), {"language": "en"})
    )
    assert response.status_code in (200, 302)


@pytest.mark.django_db
def test_unknown_urls_get_our_page_not_a_debug_page(client, settings):
    from tests.factories import user

    settings.DEBUG = False
    client.force_login(user("grid_worker"))
    response = client.get("/places/buildings/999999/")
    assert response.status_code == 404
    assert "Minqing" in response.content.decode() or "民情" in response.content.decode()
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "民情" in response.content.decode()
