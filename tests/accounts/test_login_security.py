"""Login lockout, password policy, forced change of an initial password, session timeout."""

import datetime
import os

from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from campaigndesk.accounts.models import AuditEntry

from ..factories import TEST_PASSWORD

LOGIN = "/accounts/login/"


def post_login(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_lockout_setting_is_five():
    expected = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
    assert expected == settings.AXES_FAILURE_LIMIT


def test_login_with_right_password_works(client, world):
    response = post_login(client, "office", TEST_PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)
    assert AuditEntry.objects.filter(action="accounts.login.succeeded", actor=world.office).exists()


def test_four_failures_do_not_lock(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert post_login(client, "office", "wrong-password").status_code == 200
    assert post_login(client, "office", TEST_PASSWORD).status_code == 302
    assert logged_in(client)


def test_lockout_after_five_failures(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = post_login(client, "office", "wrong-password")
        assert not logged_in(client)
    # The sixth attempt, with the right password, is refused with the lockout page.
    response = post_login(client, "office", TEST_PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)
    assert "Account locked" in response.content.decode()
    failed = AuditEntry.objects.filter(action="accounts.login.failed", object_repr="office")
    # The five failures and the refused sixth attempt are all on record.
    assert failed.count() == settings.AXES_FAILURE_LIMIT + 1
    assert set(failed.values_list("outcome", flat=True)) == {AuditEntry.Outcome.FAILED}
    # Other accounts are not locked (lockout is per username, not per address).
    assert post_login(client, "reporter", TEST_PASSWORD).status_code == 302
    assert logged_in(client)


def test_password_change_rejects_a_short_password(client, world):
    client.force_login(world.reporter)
    response = client.post(
        reverse("password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": "Sh0rt-pw", "new_password2": "Sh0rt-pw"},
    )
    assert response.status_code == 200
    assert "at least 10 characters" in response.content.decode()
    world.reporter.refresh_from_db()
    assert world.reporter.check_password(TEST_PASSWORD)


def test_initial_password_must_be_changed_before_anything_else(client, world):
    user = world.reporter
    user.must_change_password = True
    user.save(update_fields=["must_change_password"])
    client.force_login(user)
    for url in ["/", "/units/", f"/campaigns/{world.campaign.pk}/", "/audit/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == reverse("password_change")
    assert client.get(reverse("password_change")).status_code == 200

    new_password = "Another-Horse-77"
    response = client.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": new_password,
            "new_password2": new_password,
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert user.check_password(new_password)
    assert client.get("/").status_code == 200  # still logged in, and free to go on
    assert AuditEntry.objects.filter(action="accounts.user.password_changed", actor=user).exists()


def test_session_idle_timeout_settings():
    idle_seconds = int(os.environ.get("SESSION_IDLE_MINUTES", "30")) * 60
    assert idle_seconds == settings.SESSION_COOKIE_AGE
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_each_request_extends_the_session_and_an_idle_one_expires(client, world):
    client.force_login(world.office)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + datetime.timedelta(seconds=5)
    )
    assert client.get("/").status_code == 200
    expires = Session.objects.get(session_key=key).expire_date
    expected = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs((expires - expected).total_seconds()) < 60

    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
