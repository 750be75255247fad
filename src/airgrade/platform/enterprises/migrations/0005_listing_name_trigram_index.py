"""PostgreSQL only: the trigram index for name search on the industry listing too (industry + text filters)."""

from django.db import migrations, transaction


def create_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                "CREATE INDEX IF NOT EXISTS listing_name_trgm ON enterprises_industrylisting USING gin (name gin_trgm_ops)"
            )
    except Exception as exc:  # pragma: no cover - depends on the server's extensions
        print(f"pg_trgm unavailable, listing name search will scan: {exc}")


def drop_index(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS listing_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0004_registry_tally")]
    operations = [migrations.RunPython(create_index, drop_index)]
