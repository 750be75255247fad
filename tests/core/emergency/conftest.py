"""Fixtures of the emergency-core tests."""

from __future__ import annotations

import pytest

from airgrade.core.emergency.lookups import TableLookup
from emergency_builders import cement_measures


@pytest.fixture
def lookup() -> TableLookup:
    return TableLookup(cement_measures())
