"""What the browser tests share: launching Chromium, logging in, screenshots, axe-core."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings

from ..factories import TEST_PASSWORD

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(settings.PROJECT_DIR) / "test-artifacts"
AXE = Path(settings.NODE_MODULES_DIR) / "axe-core" / "axe.min.js"
PHONE = {"width": 375, "height": 812}
DESK = {"width": 1280, "height": 900}

# Every browser test module sets ``pytestmark = BROWSER``: a transactional database (the
# live server answers from another thread), restored to the migrated contents (the seeded
# indicators) before each test.
BROWSER = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def missing_browser_message(path: Path) -> str:
    return (
        f"Chromium was not found at {path}. The browser tests need Debian's chromium "
        "package: run `make test` as root (it installs it through "
        "scripts/system-packages.sh), or `sudo apt-get install chromium`."
    )


def launch(playwright, path: Path = CHROMIUM):
    """Chromium, headless, as the tests run it; fails (never skips) when it is missing."""
    if not path.is_file():
        pytest.fail(missing_browser_message(path), pytrace=False)
    return playwright.chromium.launch(executable_path=str(path), args=CHROMIUM_ARGS)


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def press(page, target) -> None:
    """Click what loads another page (a form's button, a link) and wait for that page.

    A bare click returns before the answer arrives, and ``wait_for_load_state`` right
    after it sees the old page already loaded: either would let a test read the page it
    just left.
    """
    with page.expect_navigation():
        target.click()


def log_in(page, live_server, username: str, password: str = TEST_PASSWORD) -> None:
    """Log in through the login form, as a person does."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label(re.compile("用户名|Username|用戶名")).fill(username)
    page.get_by_label(re.compile("密码|Password|密碼")).fill(password)
    press(page, page.locator("main form button[type=submit]"))
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


def axe_violations(page, *, impacts=("serious", "critical")) -> list[dict]:
    """Runs axe-core (from node_modules) on the page; the violations of these impacts."""
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing at {AXE}: run `npm ci`.", pytrace=False)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in impacts
    ]
