"""A gunicorn worker parses the rule book at boot (airgrade.platform.wsgi), while a management command or a test that
only sets Django up does not pay for it (issue 9; figures in benchmarks/cold_rulebook.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

PROBE = """
import json, sys
import django
django.setup()
from airgrade.core.rules.rulebook import default_rulebook
after_setup = default_rulebook.cache_info().currsize
import airgrade.platform.wsgi
print(json.dumps({"after_setup": after_setup, "after_wsgi": default_rulebook.cache_info().currsize,
                  "urls": "airgrade.platform.urls" in sys.modules}))
"""


def test_the_wsgi_entry_point_parses_the_rule_book_and_django_setup_does_not() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "airgrade.platform.settings"}
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, check=True, capture_output=True, text=True).stdout
    assert json.loads(out.strip().splitlines()[-1]) == {"after_setup": 0, "after_wsgi": 1, "urls": True}
