"""Django app: background jobs (imports, large exports, batch work) with progress, cancel and scope."""

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "airgrade.platform.jobs"
    label = "jobs"
    verbose_name = "后台任务"
    default_auto_field = "django.db.models.BigAutoField"
