"""A+ designations (REQ G-8, 环办大气〔2026〕2号): the ministry selects A+ from A enterprises the province proposes.

The platform has no ministry users. A province user records the ministry's decision (document number, date) on an
A grade in force in the province, with the evidence for each condition the rule book's framework states
(internationally leading equipment or technology, at least `min_stable_years` of stable operation). The A+ grade
is a new record in the grade registry (source 部级认定), so the public grades page and the emergency measures
(at least those of A, rule book) follow from it. Conditions, dates and the minimum years come from the rule book.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from airgrade.core.access import Target
from airgrade.core.rules.rulebook import RuleLookupError, default_rulebook
from airgrade.core.types import Grade
from airgrade.platform.audit import services as audit
from airgrade.platform.errors import NotFound, ServiceError
from airgrade.platform.grades.models import Designation, GradeRecord
from airgrade.platform.grades.services import grade_on, record_grade
from airgrade.platform.permissions import require


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@transaction.atomic
def designate(
    user: Any,
    *,
    record_id: int,
    decision_document: str,
    decided_on: dt.date,
    technology: str,
    stable_since: dt.date,
    evidence: str,
    grade: Grade = Grade.A_PLUS,
) -> Designation:
    """Record the ministry's designation (A+) of a site's A grade; refuses anything the framework does not allow."""
    base = GradeRecord.objects.select_related("site", "enterprise").filter(pk=record_id).first()
    if base is None:
        raise NotFound("等级记录不存在或不在您的管辖范围内")
    require(user, "grade.designate", Target(region_code=base.region_id, enterprise_id=base.enterprise_id))
    try:
        rule = default_rulebook().designation(grade, decided_on)
    except RuleLookupError as exc:
        raise ServiceError(f"{decided_on:%Y-%m-%d} 不能认定 {grade.value} 级：{exc}", field="decided_on") from None
    current = grade_on(base.site, base.industry_code, decided_on)
    if current is None or current.pk != base.pk or Grade(base.grade) is not rule.over:
        shown = current.grade if current else "无"
        raise ServiceError(
            f"{grade.value} 级只能从认定日在用的 {rule.over.value} 级中认定；该厂区该行业认定日的等级为 {shown}",
            field="record_id",
        )
    if not decision_document.strip():
        raise ServiceError("请填写部级认定文号", field="decision_document")
    if not technology.strip():
        raise ServiceError(f"请说明满足的条件：{rule.conditions_zh[1]}", field="technology")
    if not evidence.strip():
        raise ServiceError("请列出证明材料", field="evidence")
    earliest = _years_before(decided_on, rule.min_stable_years)
    if stable_since > earliest:
        raise ServiceError(
            f"装备或技术须稳定运行 {rule.min_stable_years} 年以上：自 {stable_since:%Y-%m-%d} 起至认定日不足，"
            f"应不晚于 {earliest:%Y-%m-%d}",
            field="stable_since",
        )
    framework = default_rulebook().framework(decided_on)
    reason = (
        f"{framework.source.document}：省级推荐、部级认定（{decision_document.strip()}，{decided_on:%Y-%m-%d}）；"
        f"{'；'.join(rule.conditions_zh)}"
    )
    record = record_grade(
        actor=user,
        site=base.site,
        industry_code=base.industry_code,
        grade=grade,
        valid_from=decided_on,
        source=GradeRecord.Source.DESIGNATION,
        rules_version=str(default_rulebook().version),
        reason=reason,
        designated=True,
    )
    designation = Designation.objects.create(
        record=record,
        base_record=base,
        framework=framework.code,
        decision_document=decision_document.strip(),
        decided_on=decided_on,
        technology=technology.strip(),
        stable_since=stable_since,
        evidence=evidence.strip(),
        recorded_by=user,
    )
    audit.record(
        actor=user,
        action="grade.designate",
        obj=designation,
        region_code=base.region_id,
        after=audit.snapshot(designation),
        reason=reason,
    )
    return designation
