"""PostgreSQL only: a trigram index so searching enterprise names by any fragment (中文 included) uses an index."""

from django.db import migrations, transaction


def create_trigram_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite scans; its registries are small enough that a scan is fast.
    try:
        # A savepoint, so a server without the pg_trgm extension (or the right to create it) still migrates.
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                "CREATE INDEX IF NOT EXISTS enterprise_name_trgm ON enterprises_enterprise USING gin (name gin_trgm_ops)"
            )
    except Exception as exc:  # pragma: no cover - depends on the server's extensions
        print(f"pg_trgm unavailable, name search will scan: {exc}")


def drop_trigram_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS enterprise_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]
    operations = [migrations.RunPython(create_trigram_index, drop_trigram_index)]
