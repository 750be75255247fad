"""Django app config of the rule book pages and API."""

from django.apps import AppConfig


class RulebookConfig(AppConfig):
    name = "airgrade.platform.rulebook"
    label = "rulebook"
    verbose_name = "规则库与自评"
