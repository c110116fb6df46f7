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
def playwright_instance() -> Iterator:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "Playwright for Python is not installed: it is pinned in requirements.lock "
            "(make setup installs it).",
            pytrace=False,
        )

    # Playwright's sync API keeps an asyncio event loop in this thread, so Django's check
    # for the ORM being called from async code would refuse the tests' own (synchronous)
    # seeding and assertions. Nothing here runs in a coroutine.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
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
def _artifacts_dir():
    ARTIFACTS.mkdir(exist_ok=True)
