"""`airgrade backup` / `airgrade restore`: a backup restores into a fresh database with every table, every uploaded
file and the audit chain identical; a non-empty target is refused unless forced; a damaged backup changes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from tests.conftest import HOME_CITY, _user
from tests.platform.declarations.workflow_helpers import make_campaign, ready_declaration
from typer.testing import CliRunner

from airgrade.cli import app
from airgrade.core.types import Role
from airgrade.platform.backup import table_digests

runner = CliRunner()
AIRGRADE = str(Path(sys.executable).parent / "airgrade")  # the installed command, as an operator runs it
DIGESTS = (
    "import json, django; django.setup(); from airgrade.platform.backup import table_digests; "
    "print(json.dumps(table_digests()))"
)


@pytest.fixture
def fresh_database(tmp_path: Path) -> Any:
    """Environment of a second, empty and migrated database of the same backend, used through the command line."""
    # A second installation, not a test worker: without PYTEST_XDIST_WORKER its var/ is exactly AIRGRADE_VAR_DIR.
    env = {
        **{key: value for key, value in os.environ.items() if key != "PYTEST_XDIST_WORKER"},
        "DJANGO_SETTINGS_MODULE": "airgrade.platform.settings",
        "AIRGRADE_VAR_DIR": str(tmp_path / "fresh"),
    }
    settings_db = connection.settings_dict
    if connection.vendor == "postgresql":
        name = f"{settings_db['NAME']}_restore"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        user, host, port = settings_db["USER"], settings_db["HOST"], settings_db["PORT"] or 5432
        env["AIRGRADE_DATABASE_URL"] = f"postgresql://{user}@{host}:{port}/{name}"
    else:
        env["AIRGRADE_DATABASE_URL"] = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    subprocess.run([AIRGRADE, "manage", "migrate", "-v0"], env=env, check=True)
    yield env
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AIRGRADE, *args], env=env, capture_output=True, text=True)


@pytest.mark.django_db(transaction=True)
def test_backup_restores_every_table_file_and_the_audit_chain_into_a_fresh_database(
    tmp_path: Path, settings: Any, make_enterprise: Any, fresh_database: dict[str, str]
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    enterprise = make_enterprise()
    owner = _user("owner", Role.ENTERPRISE, enterprise=enterprise)
    campaign = make_campaign(_user("city", Role.CITY, HOME_CITY))
    declaration = ready_declaration(owner, campaign)  # uploads evidence and writes the declaration document
    evidence = declaration.evidence.first()
    assert evidence is not None
    source = table_digests()
    backup_file = tmp_path / "airgrade-backup.zip"

    result = runner.invoke(app, ["backup", str(backup_file)])
    assert result.exit_code == 0, result.output
    restored = _cli(fresh_database, "restore", str(backup_file))
    assert restored.returncode == 0, restored.stderr
    assert "审计链完整" in restored.stdout

    after = json.loads(_cli(fresh_database, "manage", "shell", "-v0", "-c", DIGESTS).stdout)
    assert after == source  # every table: same rows, same ids, same values
    assert source["audit.auditrecord"]["rows"] > 5 and source[evidence._meta.label_lower]["rows"] == 1
    verify = _cli(fresh_database, "audit", "verify")
    assert verify.returncode == 0 and "审计链完整" in verify.stdout
    copy = Path(fresh_database["AIRGRADE_VAR_DIR"]) / "media" / evidence.file.name
    assert copy.read_bytes() == evidence.file.open("rb").read()

    # The target now holds data: a second restore is refused and changes nothing, --force replaces it.
    again = _cli(fresh_database, "restore", str(backup_file))
    assert again.returncode == 2 and "--force" in again.stderr
    forced = _cli(fresh_database, "restore", "--force", str(backup_file))
    assert forced.returncode == 0, forced.stderr
    assert json.loads(_cli(fresh_database, "manage", "shell", "-v0", "-c", DIGESTS).stdout) == source


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_and_changes_nothing(tmp_path: Path, settings: Any, make_enterprise: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    make_enterprise()
    backup_file = tmp_path / "backup.zip"
    assert runner.invoke(app, ["backup", str(backup_file)]).exit_code == 0
    before = table_digests()

    # One audit record's reason edited inside the backup: the restored table would differ from the manifest.
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(backup_file) as original, zipfile.ZipFile(damaged, "w") as out:
        for item in original.infolist():
            data = original.read(item)
            if item.filename == "data.jsonl":
                data = data.replace(b'"reason": ""', b'"reason": "x"', 1)
            out.writestr(item, data)
    result = runner.invoke(app, ["restore", "--force", str(damaged)])
    assert result.exit_code == 2 and "已全部撤销" in result.output
    assert table_digests() == before

    not_a_backup = tmp_path / "notes.zip"
    not_a_backup.write_bytes(b"PK\x03\x04 not really")
    result = runner.invoke(app, ["restore", "--force", str(not_a_backup)])
    assert result.exit_code == 2 and "notes.zip" in result.output
    assert table_digests() == before
