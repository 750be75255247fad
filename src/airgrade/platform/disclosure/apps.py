"""Disclosure app config; contributes open objections to the home work queue."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "airgrade.platform.disclosure"
    label = "disclosure"
    verbose_name = "信息公开与举报"

    def work_items(self, user: Any) -> list[dict[str, Any]]:
        from airgrade.platform.disclosure.services import objection_work_items

        return objection_work_items(user)
