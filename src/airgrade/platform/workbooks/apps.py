"""Django app: workbooks in and out — imports (registry, emergency list, grade history) with a dry run and an
all-or-nothing commit, exports of the official tables, template downloads (issue 10)."""

from django.apps import AppConfig


class WorkbooksConfig(AppConfig):
    name = "airgrade.platform.workbooks"
    label = "workbooks"
    verbose_name = "表格导入导出"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from airgrade.platform.workbooks import imports

        imports.register_jobs()
