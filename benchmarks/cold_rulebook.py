"""Benchmark: the first grading request after process start, with the rule book parsed lazily or at worker boot.

    uv run python benchmarks/cold_rulebook.py [--runs 5]

A temporary SQLite database is migrated once and gets one province user. Each run is a fresh Python process that
boots the application the way a gunicorn worker does — `lazy`: Django's bare `get_wsgi_application()` (the rule
book is parsed on first use); `preload`: `airgrade.platform.wsgi`, which parses it at boot — then signs the user in
and posts docs/examples/enterprises.yaml to `POST /api/grading/evaluate` twice. It prints the median and worst of
boot time, first request and second request per mode, and the rule book's parse time alone.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "examples" / "enterprises.yaml"
USERNAME = "bench-province"


def _child_env(var_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "AIRGRADE_VAR_DIR": var_dir,
            "DJANGO_SETTINGS_MODULE": "airgrade.platform.settings",
            "AIRGRADE_DATABASE_URL": f"sqlite:///{var_dir}/bench.sqlite3",
        }
    )
    return env


def _setup(var_dir: str) -> None:
    env = _child_env(var_dir)
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([sys.executable, __file__, "--child", "user"], env=env, check=True, cwd=ROOT)


def _child(mode: str) -> None:
    started = time.perf_counter()
    if mode == "user":
        import django

        django.setup()
        from airgrade.core.types import Role
        from airgrade.platform.accounts.models import User
        from airgrade.platform.regions.services import load_regions

        load_regions()
        User.objects.create(username=USERNAME, role=Role.PROVINCE.value, region_id="410000")
        return
    if mode == "preload":
        import airgrade.platform.wsgi  # noqa: F401  (the gunicorn entry point)
    else:
        from django.core.wsgi import get_wsgi_application

        get_wsgi_application()
    boot = time.perf_counter() - started
    import yaml
    from django.test import Client

    from airgrade.core.rules.rulebook import default_rulebook
    from airgrade.platform.accounts.models import User

    loaded_at_boot = default_rulebook.cache_info().currsize == 1
    client = Client()
    client.force_login(User.objects.get(username=USERNAME))
    body = json.dumps(yaml.safe_load(EXAMPLE.read_text("utf-8")), ensure_ascii=False, default=str)
    times = []
    for _ in range(2):
        begun = time.perf_counter()
        response = client.post("/api/grading/evaluate", data=body, content_type="application/json")
        times.append(time.perf_counter() - begun)
        assert response.status_code == 200, response.content[:300]
    print(json.dumps({"boot": boot, "first": times[0], "second": times[1], "loaded_at_boot": loaded_at_boot}))


def _parse_time() -> float:
    code = (
        "import time; from airgrade.core.rules.loader import load_rulebook; t = time.perf_counter(); load_rulebook(); "
        "print(time.perf_counter() - t)"
    )
    return float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", choices=["user", "lazy", "preload"])
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return
    with tempfile.TemporaryDirectory() as var_dir:
        _setup(var_dir)
        parse = [_parse_time() for _ in range(args.runs)]
        print(f"rule book parse alone (load_rulebook, fresh process): median {statistics.median(parse):.3f} s")
        print(f"{'mode':8} {'boot':>16} {'first request':>16} {'second request':>16}  (median / worst of {args.runs})")
        for mode in ("lazy", "preload"):
            runs = []
            for _ in range(args.runs):
                out = subprocess.run(
                    [sys.executable, __file__, "--child", mode],
                    env=_child_env(var_dir),
                    check=True,
                    capture_output=True,
                    text=True,
                    cwd=ROOT,
                )
                runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
            assert all(run["loaded_at_boot"] == (mode == "preload") for run in runs)
            cells = [
                f"{statistics.median(r[key] for r in runs):.3f} / {max(r[key] for r in runs):.3f} s"
                for key in ("boot", "first", "second")
            ]
            print(f"{mode:8} {cells[0]:>16} {cells[1]:>16} {cells[2]:>16}")


if __name__ == "__main__":
    main()
