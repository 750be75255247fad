"""Backup and restore of the whole platform: every table, the uploaded files and the audit chain, in one zip file.

The format is portable (docs/adr/0003-fuzz-backup-portable-zip.md): Django's serialisers write every model as JSON
lines with its primary key (audit records name objects by id), the files of every FileField sit next to them, and a
manifest holds the schema version (latest migration per app), row counts and a digest of every table. The same file
restores on SQLite or PostgreSQL. A restore runs in one transaction: it empties the tables, loads every row, resets
the id sequences and then recomputes every table's digest — any difference rolls everything back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.jsonl import Serializer as JsonlSerializer
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.loader import MigrationLoader

from airgrade.core.errors import AirgradeError

FORMAT = "airgrade-backup/1"
MANIFEST = "manifest.json"
DATA = "data.jsonl"
MEDIA_PREFIX = "media/"
# Rows a fresh `airgrade setup` creates by itself (migrate's post_migrate hooks): not a reason to refuse a restore.
CREATED_BY_MIGRATE = {"contenttypes.contenttype", "auth.permission"}


class BackupError(AirgradeError):
    """A backup that cannot be written or restored; the message says why (Chinese, with an English hint)."""


class LosslessEncoder(DjangoJSONEncoder):
    """Like Django's encoder, but times keep their microseconds (Django's cuts them to milliseconds)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


class _RowSerializer(JsonlSerializer):  # type: ignore[misc]
    """Rows only: many-to-many tables are written as rows of their own, so their ids survive too."""

    def handle_m2m_field(self, obj: Any, field: Any) -> None:
        return None


@dataclass(frozen=True)
class Summary:
    tables: int
    rows: int
    files: int
    audit_records: int


def _models(include_auto_created: bool = False) -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models(include_auto_created=include_auto_created)
        if model._meta.managed and not model._meta.proxy
    ]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize()) if value == value else "NaN"
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def table_digests(using: str = DEFAULT_DB_ALIAS) -> dict[str, dict[str, Any]]:
    """Row count and SHA-256 of every table (M2M tables included), rows in id order, values canonical JSON."""
    result: dict[str, dict[str, Any]] = {}
    for model in _models(include_auto_created=True):
        names = [field.attname for field in model._meta.concrete_fields]
        hasher = hashlib.sha256()
        count = 0
        for row in model._default_manager.using(using).order_by("pk").values_list(*names).iterator(chunk_size=2000):
            canonical = json.dumps([_plain(v) for v in row], ensure_ascii=False, sort_keys=True, cls=LosslessEncoder)
            hasher.update(canonical.encode("utf-8") + b"\n")
            count += 1
        result[model._meta.label_lower] = {"rows": count, "sha256": hasher.hexdigest()}
    return result


def _schema(using: str) -> dict[str, str]:
    """The latest applied migration of every app: a backup restores only into the same schema."""
    loader = MigrationLoader(connections[using], ignore_no_migrations=True)
    latest: dict[str, str] = {}
    for app_label, name in sorted(loader.applied_migrations):
        latest[app_label] = max(latest.get(app_label, ""), name)
    return latest


def _file_names(using: str) -> Iterator[str]:
    for model in _models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                yield from (
                    name
                    for name in model._default_manager.using(using).values_list(field.attname, flat=True).iterator()
                    if name
                )


def backup(target: Path, using: str = DEFAULT_DB_ALIAS) -> Summary:
    """Write every table and uploaded file to `target` (a zip), as of one consistent moment of the database."""
    from airgrade.platform.audit.models import AuditRecord

    partial = target.with_name(target.name + ".partial")
    # One transaction: every table read from the same snapshot (PostgreSQL: repeatable read of one transaction).
    with transaction.atomic(using=using), zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        connection = connections[using]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        digests = table_digests(using)
        with archive.open(DATA, "w") as raw, io.TextIOWrapper(raw, "utf-8", newline="\n") as handle:
            for model in _models(include_auto_created=True):
                queryset = model._default_manager.using(using).order_by("pk")
                _RowSerializer().serialize(queryset.iterator(chunk_size=2000), stream=handle, cls=LosslessEncoder)
        files = sorted(set(_file_names(using)))
        for name in files:
            if not default_storage.exists(name):
                raise BackupError(f"上传文件缺失，无法完整备份 (missing upload): {name}")
            with default_storage.open(name, "rb") as source, archive.open(MEDIA_PREFIX + name, "w") as out:
                while chunk := source.read(1 << 20):
                    out.write(chunk)
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "database": connection.vendor,
            "schema": _schema(using),
            "tables": digests,
            "files": files,
            "audit_records": AuditRecord.objects.using(using).count(),
        }
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    partial.replace(target)
    return Summary(len(digests), sum(t["rows"] for t in digests.values()), len(files), manifest["audit_records"])


def _read_manifest(archive: zipfile.ZipFile, source: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except (KeyError, ValueError):
        raise BackupError(f"{source}: 不是 airgrade 备份文件（缺少清单）(not an airgrade backup)") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{source}: 备份格式不符，应为 {FORMAT} (unknown backup format)")
    return manifest


def occupied_tables(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Tables holding rows that a fresh, migrated database would not have."""
    return [
        model._meta.label_lower
        for model in _models(include_auto_created=True)
        if model._meta.label_lower not in CREATED_BY_MIGRATE and model._default_manager.using(using).exists()
    ]


def restore(source: Path, *, force: bool = False, using: str = DEFAULT_DB_ALIAS) -> Summary:
    """Replace the database's content with the backup in `source`; refuses a non-empty database unless `force`."""
    try:
        archive = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile) as error:
        raise BackupError(f"{source}: 无法读取备份文件 (cannot read backup): {error}") from None
    with archive:
        manifest = _read_manifest(archive, source)
        schema = _schema(using)
        if manifest["schema"] != schema:
            differing = sorted(
                k for k in set(schema) | set(manifest["schema"]) if schema.get(k) != manifest["schema"].get(k)
            )
            raise BackupError(
                f"{source}: 备份的数据库结构与目标不同（{', '.join(differing)}），请先升级到相同版本再恢复 (schema differs)"
            )
        occupied = occupied_tables(using)
        if occupied and not force:
            raise BackupError(
                f"目标数据库不是空的（{', '.join(occupied[:5])} 等 {len(occupied)} 个表有数据）；"
                "确认覆盖请加 --force (target database is not empty)"
            )
        connection = connections[using]
        with transaction.atomic(using=using):
            tables = [model._meta.db_table for model in _models(include_auto_created=True)]
            with connection.cursor() as cursor:
                for statement in connection.ops.sql_flush(no_style(), tables, allow_cascade=True):
                    cursor.execute(statement)
            with archive.open(DATA) as raw, io.TextIOWrapper(raw, "utf-8") as handle:
                for item in serializers.deserialize("jsonl", handle, using=using):
                    item.save(using=using)
            with connection.cursor() as cursor:
                for statement in connection.ops.sequence_reset_sql(no_style(), _models(include_auto_created=True)):
                    cursor.execute(statement)
            connection.check_constraints()
            restored = table_digests(using)
            different = sorted(k for k in manifest["tables"] if manifest["tables"][k] != restored.get(k))
            if different:
                raise BackupError(f"恢复后的数据与备份不符（{', '.join(different)}），已全部撤销 (restore mismatch)")
            for name in manifest["files"]:
                _restore_file(archive, name)
    tables = manifest["tables"]
    return Summary(
        len(tables), sum(t["rows"] for t in tables.values()), len(manifest["files"]), manifest["audit_records"]
    )


def _restore_file(archive: zipfile.ZipFile, name: str) -> None:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts:
        raise BackupError(f"备份中的文件名不安全 (unsafe file name): {name}")
    if default_storage.exists(name):
        default_storage.delete(name)
    with archive.open(MEDIA_PREFIX + name) as handle:
        saved = default_storage.save(name, handle)
    if saved != name:
        raise BackupError(f"上传文件无法按原名恢复 (file name taken): {name}")
