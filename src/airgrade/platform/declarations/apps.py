"""Declarations app config; contributes experts' assignment keys to the permission layer and declarations to the
home work queue."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class DeclarationsConfig(AppConfig):
    name = "airgrade.platform.declarations"
    label = "declarations"
    verbose_name = "绩效分级申报"

    def expert_assignments(self, user: Any) -> list[str]:
        """Keys of the on-site checks assigned to a (not blacklisted) expert, and the expert's own key."""
        from airgrade.platform.declarations.models import ExpertProfile, OnsiteCheck

        profile = ExpertProfile.objects.filter(user=user).first()
        if profile is None or profile.blacklisted:
            return []
        keys = [f"expert:{profile.pk}"]
        keys += [f"onsite:{pk}" for pk in OnsiteCheck.objects.filter(experts=profile).values_list("pk", flat=True)]
        return keys

    def work_items(self, user: Any) -> list[dict[str, Any]]:
        """Declarations waiting on the caller, or an expert's open on-site checks (the home work queue)."""
        from airgrade.platform.declarations.services import work_items

        return work_items(user)
