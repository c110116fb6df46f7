"""notify(): one row per user, duplicates skipped by key, email on commit only with SMTP."""

import pytest
from django.core import mail
from django.db import transaction

from campaigndesk.common.errors import NotFound
from campaigndesk.notifications import selectors, services
from campaigndesk.notifications.models import Notification

KIND = Notification.Kind.ITEM_RETURNED


@pytest.fixture
def with_emails(world):
    for name in ("reporter", "office"):
        user = world.user(name)
        user.email = f"{name}@example.cn"
        user.save(update_fields=["email"])
    return world


def test_notify_creates_one_row_per_distinct_user(world):
    created = services.notify(
        users=[world.reporter, world.office, world.reporter, None],
        kind=KIND,
        message="退回：请补充数据",
        link="/reporting/items/1/",
    )
    assert len(created) == 2
    rows = Notification.objects.order_by("user__username")
    assert [(n.user.username, n.message, n.link) for n in rows] == [
        ("office", "退回：请补充数据", "/reporting/items/1/"),
        ("reporter", "退回：请补充数据", "/reporting/items/1/"),
    ]
    assert all(n.read_at is None and n.emailed_at is None for n in rows)


def test_notify_skips_users_who_hold_the_dedupe_key(world):
    services.notify(users=[world.reporter], kind=KIND, message="一", dedupe_key="quota:1:2024-05")
    again = services.notify(
        users=[world.reporter, world.office], kind=KIND, message="二", dedupe_key="quota:1:2024-05"
    )
    assert [n.user for n in again] == [world.office]
    assert Notification.objects.filter(user=world.reporter).count() == 1
    assert Notification.objects.get(user=world.reporter).message == "一"
    # Without a key nothing is deduplicated.
    services.notify(users=[world.reporter], kind=KIND, message="三")
    services.notify(users=[world.reporter], kind=KIND, message="三")
    assert Notification.objects.filter(user=world.reporter).count() == 3


def test_notify_skips_inactive_users(world):
    world.observer.is_active = False
    world.observer.save(update_fields=["is_active"])
    assert services.notify(users=[world.observer], kind=KIND, message="x") == []
    assert not Notification.objects.exists()


def test_no_email_without_email_host(with_emails, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_HOST = ""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.notify(users=[with_emails.reporter], kind=KIND, message="退回")
    assert callbacks == []
    assert mail.outbox == []
    assert Notification.objects.get().emailed_at is None


def test_email_is_sent_on_commit_when_smtp_is_configured(
    with_emails, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST = "smtp.example.cn"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "desk@example.cn"
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(
            users=[with_emails.reporter, with_emails.editor],  # the editor has no address
            kind=KIND,
            message="信息已退回",
            link="/reporting/items/7/",
        )
        assert mail.outbox == []  # nothing before the commit
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["reporter@example.cn"]
    assert sent.from_email == "desk@example.cn"
    assert sent.subject == "信息已退回"
    assert "/reporting/items/7/" in sent.body
    assert Notification.objects.get(user=with_emails.reporter).emailed_at is not None
    assert Notification.objects.get(user=with_emails.editor).emailed_at is None


def test_no_email_when_the_transaction_rolls_back(
    with_emails, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST = "smtp.example.cn"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.notify(users=[with_emails.reporter], kind=KIND, message="x")
        raise RuntimeError("the calling service failed")
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_a_failing_mail_server_keeps_the_notification(
    with_emails, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST = "smtp.example.cn"
    settings.EMAIL_BACKEND = "tests.notifications.test_services.BrokenBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(users=[with_emails.reporter], kind=KIND, message="x")
    row = Notification.objects.get()
    assert row.emailed_at is None


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def __enter__(self):
        raise ConnectionRefusedError("smtp down")

    def __exit__(self, *exc):
        return False


def test_mark_read_and_all_read_touch_only_the_actors_rows(world):
    mine = services.notify(users=[world.reporter], kind=KIND, message="a")[0]
    services.notify(users=[world.reporter], kind=KIND, message="b")
    theirs = services.notify(users=[world.office], kind=KIND, message="c")[0]
    assert selectors.unread_count(actor=world.reporter) == 2

    with pytest.raises(NotFound):
        services.notification_mark_read(actor=world.reporter, notification=theirs)
    services.notification_mark_read(actor=world.reporter, notification=mine)
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert selectors.unread_count(actor=world.reporter) == 1
    assert [
        n.message for n in selectors.notification_list(actor=world.reporter, unread_only=True)
    ] == ["b"]

    assert services.notification_mark_all_read(actor=world.reporter) == 1
    assert selectors.unread_count(actor=world.reporter) == 0
    assert selectors.unread_count(actor=world.office) == 1  # untouched
    assert [n.message for n in selectors.notification_list(actor=world.office)] == ["c"]


def test_access_notification_hides_others(world):
    theirs = services.notify(users=[world.office], kind=KIND, message="c")[0]
    with pytest.raises(NotFound):
        selectors.access_notification(actor=world.reporter, id=theirs.pk)
    with pytest.raises(NotFound):
        selectors.access_notification(actor=world.reporter, id=999999)
    assert selectors.access_notification(actor=world.office, id=theirs.pk) == theirs
