"""Browser tests: Playwright for Python driving Debian's Chromium (headless) against
pytest-django's live server. Each test seeds its own data.

Chromium comes from the Debian package ``chromium`` (``make test`` installs it when run
as root). Without it these tests FAIL with a message saying how to install it; they are
never skipped.
"""

import os
from collections.abc import Iterator

import pytest

from .helpers import ARTIFACTS, DESK, launch


@pytest.fixture(scope="session")
def playwright_instance(django_db_setup, django_db_blocker) -> Iterator:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "Playwright for Python is not installed: it is pinned in requirements.lock "
            "(make setup installs it).",
            pytrace=False,
        )
    from django.db import connections

    # Playwright's sync API keeps an asyncio event loop in this thread, so Django's check
    # for the ORM being called from async code would refuse the tests' own (synchronous)
    # seeding and assertions. Nothing here runs in a coroutine.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # Starting Playwright switches this thread to another context, where Django's
    # connections (context-local) are new objects without the migrated contents saved
    # when the test database was made: hand them over, so that serialized rollback
    # restores the seeded indicators before each test.
    saved = {
        alias: getattr(connections[alias], "_test_serialized_contents", None)
        for alias in connections
    }
    try:
        with sync_playwright() as playwright:
            with django_db_blocker.unblock():
                for alias, contents in saved.items():
                    if contents is not None:
                        connections[alias]._test_serialized_contents = contents
            yield playwright
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(playwright_instance):
    chromium = launch(playwright_instance)
    yield chromium
    chromium.close()


@pytest.fixture
def context(browser):
    """A fresh browser (cookies, storage) on a desk-sized screen."""
    ctx = browser.new_context(viewport=DESK, locale="zh-CN")
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The dashboard's cache starts empty in each test (ids repeat between tests)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _artifacts_dir():
    ARTIFACTS.mkdir(exist_ok=True)
