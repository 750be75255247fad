"""Grade registry app config; provides the grade ledger the declaration workflow writes through."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class GradesConfig(AppConfig):
    name = "airgrade.platform.grades"
    label = "grades"
    verbose_name = "绩效等级"

    def ready(self) -> None:
        from airgrade.platform import hooks
        from airgrade.platform.grades import services

        hooks.provide_grade_ledger(services)

    def work_items(self, user: Any) -> list[dict[str, Any]]:
        """Open rectification orders for whoever acts next: the enterprise reports, the county / city closes."""
        from airgrade.platform.grades.services import rectification_work_items

        return rectification_work_items(user)
