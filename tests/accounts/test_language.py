"""The language switch: saved on the user, set in the cookie, used by the pages."""

import re

import pytest
from django.conf import settings
from django.test import Client

from campaigndesk.accounts.models import AuditEntry

LANGUAGE = "/accounts/language/"


@pytest.fixture
def client():
    """A browser that states no language preference: the site's default applies."""
    return Client()


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


def test_logged_in_user_switches_language(client, world):
    client.force_login(world.office)
    assert html_lang(client.get("/")) == "zh-hans"  # the default
    response = client.post(LANGUAGE, {"language": "en", "next": "/units/"})
    assert response.status_code == 302
    assert response["Location"] == "/units/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    world.office.refresh_from_db()
    assert world.office.language == "en"
    assert AuditEntry.objects.filter(action="accounts.user.language_set", actor=world.office)

    page = client.get("/units/")
    assert page["Content-Language"] == "en"
    assert html_lang(page) == "en"
    # Django's own catalogue translates the password form's labels.
    assert "Old password" in client.get("/accounts/password/").content.decode()

    client.post(LANGUAGE, {"language": "zh-hans", "next": "/"})
    assert html_lang(client.get("/")) == "zh-hans"
    assert "旧密码" in client.get("/accounts/password/").content.decode()

    client.post(LANGUAGE, {"language": "zh-hant", "next": "/"})
    page = client.get("/")
    assert page["Content-Language"] == "zh-hant"
    assert html_lang(page) == "zh-hant"


def test_saved_language_follows_the_user_to_a_new_browser(client, world):
    world.office.language = "en"
    world.office.save(update_fields=["language"])
    client.force_login(world.office)  # a fresh client: no language cookie
    assert html_lang(client.get("/")) == "en"


def test_anonymous_visitor_switches_language_by_cookie(client, db):
    assert html_lang(client.get("/accounts/login/")) == "zh-hans"  # the default
    response = client.post(LANGUAGE, {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert html_lang(client.get("/accounts/login/")) == "en"


def test_unknown_language_changes_nothing(client, world):
    client.force_login(world.office)
    response = client.post(LANGUAGE, {"language": "xx", "next": "/"})
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    world.office.refresh_from_db()
    assert world.office.language == ""


def test_next_must_stay_on_this_site(client, world):
    client.force_login(world.office)
    response = client.post(LANGUAGE, {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_language_switch_needs_post(client, world):
    client.force_login(world.office)
    assert client.get(LANGUAGE, {"language": "en"}).status_code == 405
