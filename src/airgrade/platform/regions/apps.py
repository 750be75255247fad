"""Regions app config."""

from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "airgrade.platform.regions"
    label = "regions"
    verbose_name = "行政区划"
