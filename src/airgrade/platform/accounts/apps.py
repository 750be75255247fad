"""Accounts app config."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "airgrade.platform.accounts"
    label = "accounts"
    verbose_name = "账号与角色"
