"""Grade registry app config."""

from django.apps import AppConfig


class GradesConfig(AppConfig):
    name = "airgrade.platform.grades"
    label = "grades"
    verbose_name = "绩效等级"
