"""The history of production-line status (LineStatusChange), seeded with one row per existing line: its current
status, in force since its enterprise was registered (the registry kept no older history; the cross-checks judged
every past hour by the current status before, and still do for the seeded span, so no finding changes)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

SEED_REASON = "启用状态记录时的档案状态"


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    # One set-based INSERT … SELECT: a province's registry holds tens of thousands of lines.
    change = apps.get_model("enterprises", "LineStatusChange")
    line = apps.get_model("enterprises", "ProductionLine")
    site = apps.get_model("enterprises", "Site")
    enterprise = apps.get_model("enterprises", "Enterprise")
    now = schema_editor.connection.ops.adapt_datetimefield_value(timezone.now())
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {change._meta.db_table} (line_id, status, since, reason, recorded_at) "
            f"SELECT l.id, l.status, e.created_at, %s, %s FROM {line._meta.db_table} l "
            f"JOIN {site._meta.db_table} s ON s.id = l.site_id "
            f"JOIN {enterprise._meta.db_table} e ON e.id = s.enterprise_id",
            [SEED_REASON, now],
        )


class Migration(migrations.Migration):

    dependencies = [
        ('enterprises', '0006_readable_capacity'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='LineStatusChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('running', '运行'), ('stopped', '停运'), ('backup', '备用')], max_length=16, verbose_name='运行状态')),
                ('since', models.DateTimeField(verbose_name='起始时间')),
                ('reason', models.TextField(blank=True, verbose_name='变更原因')),
                ('recorded_at', models.DateTimeField(auto_now_add=True, verbose_name='登记时间')),
                ('changed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='变更人')),
                ('line', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='status_history', to='enterprises.productionline', verbose_name='生产线')),
            ],
            options={
                'verbose_name': '生产线状态记录',
                'verbose_name_plural': '生产线状态记录',
                'ordering': ['line_id', 'since', 'id'],
                'indexes': [models.Index(fields=['line', 'since'], name='line_status_since')],
            },
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
