"""Fixtures for the API tests: clients signed in per role."""

import pytest
from django.test import Client


@pytest.fixture
def login(world):
    """``login("office")``: a test client signed in as that user of the world
    (``"anonymous"``: not signed in)."""

    def _login(role: str) -> Client:
        # English messages, so that assertions on them hold once translations are compiled.
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        if role != "anonymous":
            client.force_login(world.user(role))
        return client

    return _login


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Evidence uploaded in a test lands in the test's own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
