"""The cross-app work queue: every installed app contributes its share through the `work_items(user)` hook."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from airgrade.platform.hooks import contributions


def work_queue(user: Any) -> list[dict[str, Any]]:
    """The caller's tasks from every app (declarations, on-site checks, rectification orders, objections), each a
    dict with kind, id, declaration_id, title, due and overdue; overdue first, then by due date, undated last."""
    moment = timezone.now()
    tasks = contributions("work_items", user)
    return sorted(tasks, key=lambda t: (not t["overdue"], t["due"] or moment + dt.timedelta(days=3650)))
