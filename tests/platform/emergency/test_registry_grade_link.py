"""The emergency list takes a site's grade from the grade registry when one is in force (REQ H21-7)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from airgrade.core.types import Grade
from airgrade.platform.emergency.services import registry_grade
from airgrade.platform.grades.models import GradeRecord

pytestmark = pytest.mark.django_db


def test_registry_grade_in_force_wins(users: dict[str, Any]) -> None:
    enterprise = users["own_enterprise"]
    site = enterprise.sites.get()
    assert registry_grade(site, "cement") is None
    GradeRecord.objects.create(
        enterprise=enterprise,
        site=site,
        region_id=site.region_id,
        industry_code="cement",
        grade="B",
        valid_from=dt.date(2020, 1, 1),
        source=GradeRecord.Source.CAMPAIGN,
    )
    assert registry_grade(site, "cement") is Grade.B
    assert registry_grade(site, "glass") is None
