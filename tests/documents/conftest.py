"""Fixtures of the documents tests."""

import pytest

from . import helpers


@pytest.fixture
def shaoyang_units(world):
    return helpers.shaoyang_units(world)
