"""Targets app config: A/B share attainment against the province's targets and the leaders' dashboards."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "airgrade.platform.targets"
    label = "targets"
    verbose_name = "绩效分级提升目标"

    def monthly_report_sections(self, user: Any, region_code: str, on: dt.date) -> list[dict[str, Any]]:
        """The month's A/B shares against the targets, for the monthly report to the province (REQ H23-3)."""
        from airgrade.platform.targets.services import monthly_section

        return monthly_section(user, region_code, on)
