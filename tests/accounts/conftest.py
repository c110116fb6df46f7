import pytest
from django.test import Client


@pytest.fixture
def client():
    """A browser that asks for English, so that tests can look for the source strings
    whatever the catalogues hold (the default language is Simplified Chinese)."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")
