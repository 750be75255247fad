"""Benchmark: 16 concurrent clients mixing reads and audited writes for 60 s against a real gunicorn on loopback.

Run: `uv run python benchmarks/load_mixed.py --database sqlite|postgresql [--clients 16] [--seconds 60] [--workers 4]`
A fresh database (SQLite file in a temporary directory, or the PostgreSQL database `airgrade_bench_load` on
127.0.0.1:5432 — or the one AIRGRADE_DATABASE_URL names — dropped and recreated) gets the demo data (`airgrade demo --enterprises 40`); gunicorn serves it on
127.0.0.1 only. Each client is logged in as a demo user (province, city, county or enterprise) through a server-side
session and loops: 70 % reads (enterprise list and detail, public grades, emergency list, home page), 30 % writes
(rename an enterprise with a reason, add a site — both audited services). Prints requests/s, p50/p95/max latency,
errors (5xx, connection errors, unexpected 4xx) and "database is locked" lines in the server log, then checks the
audit chain. Goal: 0 errors, 0 "database is locked".
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

# AIRGRADE_DATABASE_URL names another PostgreSQL database (e.g. one per worktree); it is dropped and recreated too.
_ENV_URL = os.environ.get("AIRGRADE_DATABASE_URL", "")
PG_URL = _ENV_URL if _ENV_URL.startswith("postgres") else "postgresql://postgres@127.0.0.1:5432/airgrade_bench_load"
PG_NAME = PG_URL.rsplit("/", 1)[1].split("?")[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(database: str, workdir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "AIRGRADE_VAR_DIR": str(workdir / "var"),
        "DJANGO_SETTINGS_MODULE": "airgrade.platform.settings",
    }
    if database == "postgresql":
        import psycopg

        with psycopg.connect(PG_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{PG_NAME}"')
        env["AIRGRADE_DATABASE_URL"] = PG_URL
    else:
        env["AIRGRADE_DATABASE_URL"] = f"sqlite:///{workdir / 'load.sqlite3'}"
    airgrade = str(Path(sys.executable).parent / "airgrade")
    subprocess.run([airgrade, "demo", "--enterprises", "40"], env=env, check=True, stdout=subprocess.DEVNULL)
    return env


SESSIONS = """
import json, django
django.setup()
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from airgrade.platform.accounts.models import User
from airgrade.platform.enterprises.models import Enterprise
out = {"sessions": {}, "enterprises": {}}
for name in ("province", "city", "county", "enterprise"):
    user = User.objects.get(username=name)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    out["sessions"][name] = store.session_key
    if user.enterprise_id:
        ids = [user.enterprise_id]
    else:
        ids = list(Enterprise.objects.filter(region__code__startswith=user.region_id.rstrip("0")).values_list("pk", flat=True)[:20])
    out["enterprises"][name] = ids
print(json.dumps(out))
"""


class Client:
    def __init__(self, port: int, session: str, enterprises: list[int], role: str) -> None:
        self.port, self.role, self.enterprises = port, role, enterprises
        self.csrf = secrets.token_hex(16)  # 32 characters: Django accepts the same secret in cookie and header
        self.cookie = f"sessionid={session}; csrftoken={self.csrf}"
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, method: str, path: str, body: dict | None = None) -> int:
        headers = {"Cookie": self.cookie, "X-CSRFToken": self.csrf}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            return 599

    def one(self, rng: random.Random, counter: int) -> tuple[str, int]:
        enterprise = rng.choice(self.enterprises)
        if rng.random() < 0.3 and self.role in ("province", "city", "county"):
            if rng.random() < 0.5:
                path = f"/api/enterprises/{enterprise}"
                return "write", self.call(
                    "PATCH", path, {"name": f"压测企业{enterprise}-{counter}", "reason": "压测改名"}
                )
            return "write", self.call("POST", f"/api/enterprises/{enterprise}/sites", {"name": f"压测厂区{counter}"})
        path = rng.choice(
            [
                "/api/enterprises/?page_size=20",
                f"/api/enterprises/{enterprise}",
                "/api/public/grades.json",
                "/api/emergency/entries",
                "/",
            ]
        )
        return "read", self.call("GET", path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="airgrade-load-"))
    env = prepare(args.database, workdir)
    info = json.loads(
        subprocess.run([sys.executable, "-c", SESSIONS], env=env, check=True, capture_output=True, text=True).stdout
    )
    port = free_port()
    log = (workdir / "server.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "airgrade.platform.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--timeout",
            "60",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        # Ready when a worker answers a page (the socket accepts before the workers have loaded Django).
        for _ in range(600):
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                probe.request("GET", "/accounts/login/")
                probe.getresponse().read()
                probe.close()
                break
            except (OSError, http.client.HTTPException):
                time.sleep(0.5)
        roles = ["province", "city", "county", "enterprise"]
        results: list[tuple[str, int, float]] = []
        lock = threading.Lock()
        deadline = time.monotonic() + args.seconds

        def run(index: int) -> None:
            role = roles[index % len(roles)]
            client = Client(port, info["sessions"][role], info["enterprises"][role], role)
            rng = random.Random(index)
            counter = 0
            local: list[tuple[str, int, float]] = []
            while time.monotonic() < deadline:
                counter += 1
                start = time.perf_counter()
                kind, status = client.one(rng, index * 1_000_000 + counter)
                local.append((kind, status, time.perf_counter() - start))
            with lock:
                results.extend(local)

        started = time.monotonic()
        threads = [threading.Thread(target=run, args=(i,)) for i in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        try:
            server.wait(120)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    statuses = Counter(status for _, status, _ in results)
    errors = sum(n for status, n in statuses.items() if status >= 500 or status in (400, 401, 403, 404, 409, 422))
    server_log = (workdir / "server.log").read_text(errors="replace")
    locked = server_log.count("database is locked")
    deadlocks = server_log.count("deadlock detected")
    print(
        f"database: {args.database}  clients: {args.clients}  gunicorn workers: {args.workers}  duration: {elapsed:.1f} s"
    )
    for kind in ("read", "write", None):
        times = sorted(t for k, _, t in results if kind is None or k == kind)
        if not times:
            continue
        p95 = times[int(len(times) * 0.95) - 1]
        print(
            f"{kind or 'all':>5}: {len(times)} requests, {len(times) / elapsed:.1f} req/s, "
            f"p50 {statistics.median(times) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms"
        )
    print(f"statuses: {dict(sorted(statuses.items()))}")
    print(f"errors: {errors}   'database is locked' in server log: {locked}   'deadlock detected': {deadlocks}")
    verify = subprocess.run(
        [str(Path(sys.executable).parent / "airgrade"), "audit", "verify"], env=env, capture_output=True, text=True
    )
    print(verify.stdout.strip() or verify.stderr.strip())
    shutil.rmtree(workdir, ignore_errors=True)
    return 0 if errors == 0 and locked == 0 and deadlocks == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
