"""Reporting tests keep uploaded files (attachments, proofs, issued documents) in a
temporary media directory."""

import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
