"""Shared set-up of the PostgreSQL benchmarks: a fresh database, migrated, with the bundled regions, and peak memory.

The benchmarks that measure PostgreSQL (alert_verify, gate_ingest, workbook_import) drop and recreate their own
database so every run starts from the same state; they import this module from beside them.
"""

from __future__ import annotations

import io
import os
import resource
import sys
from typing import Any


def peak_mib() -> float:
    """The process's peak resident set size in MiB (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


SETTINGS = ("shared_buffers", "max_wal_size", "checkpoint_timeout", "wal_compression", "synchronous_commit")


def server_settings() -> str:
    """The PostgreSQL settings the figures depend on most, for the line printed beside them (benchmarks/README.md
    names the settings each table was measured with)."""
    from django.db import connection

    with connection.cursor() as cursor:
        found = {}
        for name in (*SETTINGS, "server_version"):
            cursor.execute(f"SHOW {name}")
            found[name] = cursor.fetchone()[0]
    version = found.pop("server_version").split()[0]
    return f"PostgreSQL {version}: " + ", ".join(f"{name} {found[name]}" for name in SETTINGS)


def recreate_database(url: str) -> None:
    """Drop (closing its sessions) and create the database that `url` names."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def create_database_if_missing(url: str) -> None:
    """Create the database that `url` names unless it exists (benchmarks that keep a large fixture between runs)."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def _postgres(default_url: str, *, fresh: bool) -> str | None:
    url = os.environ.setdefault("AIRGRADE_DATABASE_URL", default_url)
    if not url.startswith("postgres"):
        print("this benchmark measures PostgreSQL: set AIRGRADE_DATABASE_URL to a postgresql:// URL", file=sys.stderr)
        return None
    if fresh:
        recreate_database(url)
    else:
        create_database_if_missing(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "airgrade.platform.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from airgrade.platform.regions.services import load_regions

    call_command("migrate", interactive=False, verbosity=0)
    load_regions()
    return url


def fresh_postgres(default_url: str) -> str | None:
    """AIRGRADE_DATABASE_URL (default `default_url`) recreated, Django set up, migrated and the regions loaded; None
    (after saying why) when the URL is not PostgreSQL."""
    return _postgres(default_url, fresh=True)


def kept_postgres(default_url: str) -> str | None:
    """The same on a database kept between runs (created only if missing), for fixtures too large to refill."""
    return _postgres(default_url, fresh=False)


def zhengzhou_counties() -> list[str]:
    """The counties of Zhengzhou (4101xx) from the bundled regions, in code order: where the fixtures' enterprises are."""
    from airgrade.platform.regions.models import Region

    return list(
        Region.objects.filter(code__startswith="4101", level="county").order_by("code").values_list("code", flat=True)
    )


def copy_rows(cursor: object, table: str, columns: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
    """Rows into `table` with PostgreSQL COPY (text format, None as NULL): the fixtures' bulk fill."""
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if value is None else str(value) for value in row) + "\n")
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
        copy.write(buffer.getvalue())


def copy_registry_and_list(
    django_cursor: Any,
    cursor: Any,
    enterprise_rows: list[tuple[object, ...]],
    site_rows: list[tuple[object, ...]],
    entry_rows: list[tuple[object, ...]],
    industry_rows: list[tuple[object, ...]],
    line_rows: list[tuple[object, ...]],
) -> None:
    """COPY a fixture's enterprises, sites and emergency-list entries (industries, lines) in one go; the columns the
    fixture leaves out get empty-text defaults first (the registry's optional text columns are NOT NULL)."""
    for extra in ("address", "contact_name", "contact_phone"):
        django_cursor.execute(f"ALTER TABLE enterprises_enterprise ALTER COLUMN {extra} SET DEFAULT ''")
    django_cursor.execute("ALTER TABLE enterprises_site ALTER COLUMN address SET DEFAULT ''")
    copy_rows(
        cursor,
        "enterprises_enterprise",
        ("id", "credit_code", "name", "region_id", "status", "created_at", "updated_at"),
        enterprise_rows,
    )
    copy_rows(cursor, "enterprises_site", ("id", "enterprise_id", "name", "region_id"), site_rows)
    copy_rows(
        cursor,
        "emergency_listentry",
        (
            "id", "site_id", "enterprise_id", "region_id", "year", "in_industrial_park", "transport_mode",
            "guarantee_note", "guarantee_category", "guarantee_task", "guaranteed_daily_output",
            "normal_daily_output", "guarantee_status", "small_micro_status", "small_micro_opinion",
            "proposals", "created_at", "updated_at", "annual_output", "output_unit",
        ),
        entry_rows,
    )  # fmt: skip
    copy_rows(cursor, "emergency_listindustry", ("entry_id", "industry_code", "grade", "grade_source"), industry_rows)
    copy_rows(
        cursor,
        "emergency_listline",
        (
            "entry_id", "key", "name", "industry_code", "kind", "status", "capacity_unit", "eia_capacity",
            "permit_capacity", "actual_output", "so2_t_per_day", "nox_t_per_day", "pm_t_per_day",
            "vocs_t_per_day", "non_interruptible", "key_parameters",
        ),
        line_rows,
    )  # fmt: skip
