"""Grade-history import (REQ H21-7, LC-12; issue 10): grades published in earlier years, one row per site, industry
and period, each with the document that published it. A row fills a gap in the site's history through the grade
registry's service; it never closes or changes a recorded grade, so an overlap is refused with the record it
overlaps. The same file imported twice changes nothing (a row equal to a recorded history entry is unchanged)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airgrade.core.types import Grade
from airgrade.io.excel.layouts import GRADE_HISTORY
from airgrade.io.excel.reader import CellError, Row, SheetData
from airgrade.platform.grades import services as grades
from airgrade.platform.grades.models import GradeRecord
from airgrade.platform.jobs.services import Progress
from airgrade.platform.permissions import actor_of
from airgrade.platform.workbooks.imports import NEW, REFUSED, UNCHANGED, Plan, Unit
from airgrade.platform.workbooks.resolve import Lookups, Unresolved, check_credit_code


def _error(row: Row, key: str, reason: str) -> None:
    row.errors.append(CellError(row.sheet, row.number, GRADE_HISTORY.column(key).title, row.values.get(key), reason))


def _overlaps(a: tuple[Any, Any], b: tuple[Any, Any]) -> bool:
    """Half-open periods [from, until); an open end (None) runs on."""
    return (b[1] is None or a[0] < b[1]) and (a[1] is None or b[0] < a[1])


def plan(user: Any, sheets: Sequence[SheetData], progress: Progress) -> Plan:
    look = Lookups(actor_of(user))
    rows = [row for sheet in sheets for row in sheet.rows]
    codes: dict[int, str] = {}
    for row in rows:
        try:
            codes[row.number] = check_credit_code(row.values.get("credit_code"))
        except Unresolved as exc:
            _error(row, "credit_code", str(exc))
    look.load(codes.values())
    units: list[Unit] = []
    periods: dict[tuple[int, str], list[tuple[Row, tuple[Any, Any]]]] = {}
    for done, row in enumerate(rows, start=1):
        unit = Unit(f"第{row.number}行", [row])
        units.append(unit)
        _plan_row(user, unit, row, codes.get(row.number), look, periods)
        progress.advance(done, sum(u.status == REFUSED for u in units))
    return Plan(units)


def _plan_row(
    user: Any,
    unit: Unit,
    row: Row,
    code: str | None,
    look: Lookups,
    periods: dict[tuple[int, str], list[tuple[Row, tuple[Any, Any]]]],
) -> None:
    values = row.values
    if code is None or row.errors:
        unit.status = REFUSED
        return
    enterprise = look.enterprises.get(code)
    if enterprise is None or not look.in_scope(enterprise.region_id):
        _error(row, "credit_code", "企业未登记或不在本账号管辖范围内（请先导入企业档案）")
        unit.status = REFUSED
        return
    if not look.may_edit(enterprise, "grade.history.record"):
        _error(row, "credit_code", "本账号不能登记该企业的历年等级")
        unit.status = REFUSED
        return
    unit.label = f"{enterprise.name} 第{row.number}行"
    site = look.site(enterprise, str(values.get("site_name") or "").strip())
    if site is None:
        _error(row, "site_name", "该企业没有这个厂区（企业有多个厂区时须填写厂区名称）")
    try:
        industry = look.industry(values.get("industry"), enterprise.region_id)
    except Unresolved as exc:
        _error(row, "industry", str(exc))
        industry = None
    if site is None or industry is None:
        unit.status = REFUSED
        return
    grade = Grade(values["grade"])
    period = (values["valid_from"], values.get("valid_until"))
    refusal = grades.history_refusal(site, industry.code, grade, *period)
    same = GradeRecord.objects.filter(
        site=site,
        industry_code=industry.code,
        grade=grade.value,
        valid_from=period[0],
        valid_until=period[1],
        source=GradeRecord.Source.HISTORY,
    ).exists()
    if same:
        unit.status = UNCHANGED
        return
    if refusal:
        _error(row, "valid_until" if "失效日期" in refusal else "grade", refusal)
        unit.status = REFUSED
        return
    earlier = periods.setdefault((site.pk, industry.code), [])
    for other, other_period in earlier:
        if _overlaps(period, other_period):
            _error(row, "valid_from", f"与本文件第{other.number}行同一厂区同一行业的时段重叠")
            unit.status = REFUSED
            return
    earlier.append((row, period))
    unit.status = NEW
    document, published_on = str(values["source_document"]).strip(), values["published_on"]

    def apply(reason: str) -> None:
        grades.record_historical_grade(
            actor=user,
            site=site,
            industry_code=industry.code,
            grade=grade,
            valid_from=period[0],
            valid_until=period[1],
            document=document,
            published_on=published_on,
            reason=reason,
        )

    unit.apply = apply
