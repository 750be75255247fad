"""Pure-core tests: when pytest-django is disabled (`make test-core`), prove that no core test pulls Django in."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _core_runs_without_django(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if not request.config.pluginmanager.has_plugin("django"):
        assert "django" not in sys.modules, f"{request.node.nodeid} imported Django"
