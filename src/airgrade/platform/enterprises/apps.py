"""Enterprises app config."""

from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "airgrade.platform.enterprises"
    label = "enterprises"
    verbose_name = "企业档案"
