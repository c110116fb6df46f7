"""The notifications page and the bell in the header."""

import re

import pytest
from django.test import Client

from campaigndesk.notifications import services
from campaigndesk.notifications.models import Notification

KIND = Notification.Kind.BULLETIN_ISSUED


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def bell(body: str) -> int:
    """The unread count the header's bell shows (0: no badge)."""
    link = re.search(r'<a class="bell[^"]*"[^>]*>.*?</a>', body, re.S)
    assert link, "the header has a bell"
    count = re.search(r'data-unread="(\d+)"', link.group(0))
    return int(count.group(1)) if count else 0


def test_bell_counts_unread_and_the_page_lists_own_notifications(client, world):
    services.notify(users=[world.reporter], kind=KIND, message="五月通报已印发", link="/units/")
    services.notify(users=[world.reporter], kind=KIND, message="第二条")
    services.notify(users=[world.office], kind=KIND, message="别人的")
    client.force_login(world.reporter)
    body = client.get("/").content.decode()
    assert bell(body) == 2
    page = client.get("/notifications/").content.decode()
    assert "五月通报已印发" in page and "第二条" in page
    assert "别人的" not in page


def test_opening_marks_read_and_follows_the_link(client, world):
    n = services.notify(users=[world.reporter], kind=KIND, message="x", link="/units/")[0]
    client.force_login(world.reporter)
    response = client.post(f"/notifications/{n.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/units/"
    n.refresh_from_db()
    assert n.read_at is not None
    assert bell(client.get("/").content.decode()) == 0


def test_an_outside_link_is_not_followed(client, world):
    n = services.notify(
        users=[world.reporter], kind=KIND, message="x", link="https://evil.example/"
    )[0]
    client.force_login(world.reporter)
    response = client.post(f"/notifications/{n.pk}/open/")
    assert response["Location"] == "/notifications/"


def test_someone_elses_notification_is_not_found(client, world):
    n = services.notify(users=[world.office], kind=KIND, message="x")[0]
    client.force_login(world.reporter)
    assert client.post(f"/notifications/{n.pk}/open/").status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


def test_mark_all_read_and_unread_filter(client, world):
    services.notify(users=[world.reporter], kind=KIND, message="甲")
    services.notify(users=[world.reporter], kind=KIND, message="乙")
    client.force_login(world.reporter)
    assert "甲" in client.get("/notifications/?unread=1").content.decode()
    assert client.post("/notifications/read-all/").status_code == 302
    assert Notification.objects.filter(read_at__isnull=True).count() == 0
    page = client.get("/notifications/?unread=1").content.decode()
    assert "甲" not in page and "No notifications." in page
    assert "甲" in client.get("/notifications/").content.decode()
