"""Django app: Zhengzhou green-performance evaluation (郑州市工业企业绿色绩效评价, issue 14, REQ ZZ-1 … ZZ-7) — scoring
rounds, values from three sources, red lines, ranked table with classes and control ratios, recommendations."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class ScorecardsConfig(AppConfig):
    name = "airgrade.platform.scorecards"
    label = "scorecards"
    verbose_name = "绿色绩效评价"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from airgrade.platform.scorecards import department_import

        department_import.register_job()

    def expert_assignments(self, user: Any) -> list[str]:
        """Keys of the scorecards whose on-site check is assigned to this expert (REQ ZZ-2 现场核查)."""
        from airgrade.platform.scorecards.models import Scorecard

        return [f"scorecard:{pk}" for pk in Scorecard.objects.filter(onsite_expert=user).values_list("pk", flat=True)]

    def work_items(self, user: Any) -> list[dict[str, Any]]:
        """The home work queue: an enterprise's undeclared scorecard, an expert's open on-site check."""
        from airgrade.platform.scorecards.services import work_items

        return work_items(user)

    def local_control(self, enterprise_id: int) -> list[dict[str, Any]]:
        """The enterprise's class and control ratios in the latest green-performance round, for the emergency list
        page (REQ ZZ-5: the ratio serves enterprises without a national grade). The caller has already scoped."""
        from airgrade.platform.scorecards.services import local_control

        return local_control(enterprise_id)
