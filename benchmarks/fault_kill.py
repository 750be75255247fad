"""Fault benchmark: a process killed with SIGKILL in the middle of a long write leaves no partial state.

Run: `uv run python benchmarks/fault_kill.py --database sqlite|postgresql [--rows 3000] [--kill-after 3]`
A fresh database (SQLite file in a temporary directory, or PostgreSQL `airgrade_bench_fault`, recreated) is migrated
and given the bundled regions. Two long writes each run in a child process that is killed with SIGKILL part-way:

1. a bulk import: `--rows` enterprises created through the audited registry service inside ONE transaction
   (as a workbook import does: all rows or none);
2. `airgrade regions load` of a CSV with `--rows` new county codes (one transaction).

For each, the script prints the row count of every table that changed and the audit chain before and after the kill
(expected: identical), runs `airgrade audit verify`, and then repeats the same write to completion to show that the
database is usable (no stale lock, chain extends).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PG_URL = "postgresql://postgres@127.0.0.1:5432/airgrade_bench_fault"
AIRGRADE = str(Path(sys.executable).parent / "airgrade")

COUNTS = """
import json, django
django.setup()
from django.apps import apps
from airgrade.platform.audit.models import AuditChainHead
counts = {m._meta.label_lower: m._default_manager.count() for m in apps.get_models(include_auto_created=True)}
head = AuditChainHead.objects.filter(id=1).values_list("last_hash", flat=True).first()
print(json.dumps({"counts": counts, "head": head}))
"""

IMPORT = """
import sys, django
django.setup()
from django.db import transaction
from airgrade.core.credit_code import make
from airgrade.core.types import Role
from airgrade.platform.accounts.models import User
from airgrade.platform.enterprises import services
clerk = User.objects.get(username="bench-clerk")
rows, batch = int(sys.argv[1]), sys.argv[2]
with transaction.atomic():
    for n in range(rows):
        services.create_enterprise(clerk, {"credit_code": make(f"91410181{batch}{n:08d}"), "name": f"导入企业{batch}-{n}", "region": "410181"})
        if n == 10:
            print("writing", flush=True)
print("committed", flush=True)
"""

SETUP = """
import django
django.setup()
from django.db import transaction
from airgrade.core.types import Role
from airgrade.platform.accounts.models import User
from airgrade.platform.regions.services import load_regions
load_regions()
with transaction.atomic():
    User.objects.create_user("bench-clerk", password="bench-clerk-password", role=Role.PROVINCE.value, region_id="410000")
"""


def prepare(database: str, workdir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "AIRGRADE_VAR_DIR": str(workdir / "var"),
        "DJANGO_SETTINGS_MODULE": "airgrade.platform.settings",
    }
    if database == "postgresql":
        import psycopg

        with psycopg.connect(PG_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
            connection.execute('DROP DATABASE IF EXISTS "airgrade_bench_fault" WITH (FORCE)')
            connection.execute('CREATE DATABASE "airgrade_bench_fault"')
        env["AIRGRADE_DATABASE_URL"] = PG_URL
    else:
        env["AIRGRADE_DATABASE_URL"] = f"sqlite:///{workdir / 'fault.sqlite3'}"
    subprocess.run([AIRGRADE, "manage", "migrate", "-v0"], env=env, check=True)
    subprocess.run([sys.executable, "-c", SETUP], env=env, check=True)
    return env


def state(env: dict[str, str]) -> dict:
    return json.loads(
        subprocess.run([sys.executable, "-c", COUNTS], env=env, check=True, capture_output=True, text=True).stdout
    )


def verify(env: dict[str, str]) -> str:
    result = subprocess.run([AIRGRADE, "audit", "verify"], env=env, capture_output=True, text=True)
    return (result.stdout + result.stderr).strip()


def killed_write(name: str, command: list[str], env: dict[str, str], kill_after: float, wait_for: str | None) -> bool:
    before = state(env)
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if wait_for and child.stdout is not None:
        for line in child.stdout:  # the write is under way once the child says so
            if wait_for in line:
                break
    time.sleep(kill_after)
    finished = child.poll() is not None
    child.send_signal(signal.SIGKILL)
    child.wait()
    after = state(env)
    changed = {
        k: (before["counts"][k], after["counts"][k])
        for k in before["counts"]
        if before["counts"][k] != after["counts"][k]
    }
    print(
        f"-- {name}: child killed with SIGKILL after {kill_after:.1f} s {'(it had already finished!)' if finished else 'mid-transaction'}"
    )
    print(
        f"   audit records before/after: {before['counts']['audit.auditrecord']} / {after['counts']['audit.auditrecord']}"
    )
    print(
        f"   enterprises before/after: {before['counts']['enterprises.enterprise']} / {after['counts']['enterprises.enterprise']}"
    )
    print(f"   regions before/after: {before['counts']['regions.region']} / {after['counts']['regions.region']}")
    print(
        f"   tables changed by the killed write: {changed or 'none'}; chain head unchanged: {before['head'] == after['head']}"
    )
    print(f"   {verify(env)}")
    return not changed and before["head"] == after["head"] and not finished


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--kill-after", type=float, default=3.0)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="airgrade-fault-"))
    env = prepare(args.database, workdir)
    print(f"database: {args.database}")

    ok = killed_write(
        f"bulk import of {args.rows} enterprises in one transaction",
        [sys.executable, "-c", IMPORT, str(args.rows), "1"],
        env,
        args.kill_after,
        "writing",
    )
    csv = workdir / "regions.csv"
    # New county codes under 郑州 (4101xx) and 洛阳 (4103xx) that the bundled table does not use.
    rows = [f"{city}{n:02d},压测县{city}{n:02d},county,{city}00" for city in ("4101", "4103") for n in range(50, 100)]
    csv.write_text("code,name,level,parent\n" + "\n".join(rows * max(1, args.rows // len(rows))) + "\n", "utf-8")
    ok &= killed_write(
        "regions load (one transaction)", [AIRGRADE, "regions", "load", str(csv)], env, args.kill_after / 3, None
    )

    # The database is usable afterwards: the same import completes and the chain extends.
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", IMPORT, "200", "2"], env=env, capture_output=True, text=True)
    print(
        f"-- afterwards: an import of 200 enterprises {'committed' if 'committed' in done.stdout else 'FAILED: ' + done.stderr[-300:]} in {time.perf_counter() - start:.1f} s"
    )
    print(f"   {verify(env)}")
    print("RESULT:", "no partial state after SIGKILL" if ok else "PARTIAL STATE OR KILL TOO LATE")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
