"""Headers and deployment (issue 8, defect 10): a Content-Security-Policy that no template breaks, the API docs from
local assets, and production mode that `check --deploy` passes: HTTPS redirect, HSTS, secure cookies, no
`testserver` host, no weak secret key."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

import airgrade

SRC = Path(airgrade.__file__).parent
ROOT = SRC.parent.parent


@pytest.mark.django_db
def test_pages_carry_a_strict_script_policy() -> None:
    response = Client().get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "default-src" in directives and "base-uri" in directives
    assert response["X-Content-Type-Options"] == "nosniff" and response["X-Frame-Options"] == "DENY"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def test_no_template_has_script_the_policy_would_block() -> None:
    """Inline <script>, on…= handlers and javascript: links are dead under script-src 'self': move them to a file
    under static/."""
    offenders = []
    for template in SRC.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, HANDLER, re.compile(r"javascript:", re.IGNORECASE)):
            offenders += [f"{template.relative_to(SRC)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert offenders == []


@pytest.mark.django_db
def test_api_docs_load_swagger_from_our_own_static_files() -> None:
    page = Client().get("/api/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assets = [s for s in sources if s.endswith((".js", ".css"))]
    assert any("swagger-ui-bundle.js" in s for s in assets)
    for source in assets:
        assert source.startswith("/static/"), f"{source} is not served by us"
        assert finders.find(source.removeprefix("/static/")), f"{source} is not among the static files"


def _production(extra: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # DJANGO_ALLOW_ASYNC_UNSAFE is set in this process by the browser tests' live server (pytest-playwright); a
    # production process never has it, and check --deploy rightly refuses it.
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRGRADE_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update({"AIRGRADE_PRODUCTION": "1", "AIRGRADE_VAR_DIR": str(ROOT / "var"), **extra})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


STRONG = {"AIRGRADE_SECRET_KEY": secrets.token_urlsafe(60), "AIRGRADE_ALLOWED_HOSTS": "airgrade.example.org"}


def test_check_deploy_is_clean_in_production_mode() -> None:
    result = _production(STRONG, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings(tmp_path: Path) -> None:
    probe = (
        "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k, None) for k in "
        "['ALLOWED_HOSTS', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SESSION_COOKIE_SECURE', "
        "'CSRF_COOKIE_SECURE', 'DEBUG']}))"
    )
    result = _production({**STRONG, "AIRGRADE_ALLOWED_HOSTS": "airgrade.example.org,testserver"}, "shell", "-c", probe)
    assert result.returncode == 0, result.stderr
    values: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["ALLOWED_HOSTS"] == ["airgrade.example.org"]
    assert values["SECURE_SSL_REDIRECT"] and values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and not values["DEBUG"]


@pytest.mark.parametrize("weak", ["short-key", "a" * 60, "django-insecure-" + "x1y2z3" * 10])
def test_a_weak_secret_key_is_refused_in_production(weak: str) -> None:
    result = _production({**STRONG, "AIRGRADE_SECRET_KEY": weak}, "check")
    assert result.returncode != 0
    assert "AIRGRADE_SECRET_KEY" in result.stderr and "太弱" in result.stderr
