"""Targets app config: A/B share attainment against the province's targets and the leaders' dashboards."""

from __future__ import annotations

from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "airgrade.platform.targets"
    label = "targets"
    verbose_name = "绩效分级提升目标"
