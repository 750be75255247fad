"""Disclosure app config."""

from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "airgrade.platform.disclosure"
    label = "disclosure"
    verbose_name = "信息公开与举报"
