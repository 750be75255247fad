"""Department data for the green-performance evaluation as a workbook (部门数据, REQ ZZ-2), through the shared import
pipeline: dry run with every error named by row and column, then all rows or none in one transaction. A row names an
enterprise by credit code; an enterprise that is not in the round, or outside the importer's region, is refused."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from airgrade.core.access import Target, decide
from airgrade.core.scoring import indicators_of
from airgrade.io.excel.layouts import ZZ_DEPARTMENT
from airgrade.io.excel.reader import CellError, SheetData
from airgrade.platform.errors import ServiceError
from airgrade.platform.jobs import services as jobs
from airgrade.platform.permissions import actor_of, require, require_role
from airgrade.platform.scorecards import services
from airgrade.platform.scorecards.models import Scorecard, ScoreValue
from airgrade.platform.workbooks import imports
from airgrade.platform.workbooks.imports import CHANGED, NEW, REFUSED, UNCHANGED, Plan, Unit
from airgrade.platform.workbooks.resolve import Unresolved, check_credit_code

KIND = "import.zz_department"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def start(user: Any, round_id: int, filename: str, data: bytes, *, enqueue: bool = True) -> Any:
    """A dry run of a department workbook for a round the caller may import into (a background job)."""
    require_role(user, "scorecard.import")  # the same answer for every round, existing or not
    round_ = services.get_round(user, round_id)
    actor = actor_of(user)
    require(actor, "scorecard.import", Target(region_code=actor.region_code))
    if not data:
        raise ServiceError("请选择要上传的 Excel 文件", field="file")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ServiceError("文件超过 50 MB，请拆分后分批导入", field="file")
    return jobs.start(
        user,
        KIND,
        params={"commit": False, "year": round_.year},
        input_name=filename[:200],
        input_data=data,
        enqueue=enqueue,
    )


def _error(row: Any, column: str, value: Any, reason: str) -> None:
    row.errors.append(CellError(row.sheet, row.number, ZZ_DEPARTMENT.column(column).header, value, reason))


def plan(user: Any, sheets: Sequence[SheetData], progress: jobs.Progress) -> Plan:
    sheet = sheets[0]
    actor = actor_of(user)
    rounds = {r.year: r for r in services.visible_rounds(user)}
    units: list[Unit] = []
    codes = set()
    for row in sheet.rows:
        with contextlib.suppress(Unresolved):
            codes.add(check_credit_code(row.values.get("credit_code")))
    cards = {
        (card.round.year, card.enterprise.credit_code): card
        for card in Scorecard.objects.filter(
            enterprise__credit_code__in=codes, round__in=rounds.values()
        ).select_related("enterprise", "round", "region")
    }
    latest: dict[tuple[int, str], Any] = {}
    for value in ScoreValue.objects.filter(scorecard__in=cards.values(), source="department").order_by(
        "recorded_at", "pk"
    ):
        latest[(value.scorecard_id, value.indicator)] = value.value
    for done, row in enumerate(sheet.rows, start=1):
        values = row.values
        unit = Unit(f"第{row.number}行", [row])
        units.append(unit)
        progress.advance(done)
        if row.errors:
            unit.status = REFUSED
            continue
        year = values.get("year")
        round_ = rounds.get(year) if isinstance(year, int) else None
        if round_ is None:
            _error(row, "year", year, "没有这一年度的绿色绩效评价批次（或不在您的管辖范围内）")
            unit.status = REFUSED
            continue
        try:
            code = check_credit_code(values.get("credit_code"))
        except Unresolved as exc:
            _error(row, "credit_code", values.get("credit_code"), str(exc))
            unit.status = REFUSED
            continue
        scorecard = cards.get((round_.year, code))
        if scorecard is None or not decide(actor, "scorecard.import", services.target_of(scorecard)):
            # Out of the importer's region is the same answer as unknown: nobody learns what exists elsewhere.
            _error(row, "credit_code", code, "该企业不在本年度评价名单中或不在您的管辖范围内")
            unit.status = REFUSED
            continue
        card = services.card_of(round_)
        indicator_id = _indicator(card, str(values.get("indicator") or ""))
        if indicator_id is None:
            _error(row, "indicator", values.get("indicator"), "评价体系中没有这项指标（填写指标名称或代码）")
            unit.status = REFUSED
            continue
        try:
            parsed = services.parse_values(card, {indicator_id: values.get("value")})
        except ServiceError as exc:
            _error(row, "value", values.get("value"), exc.message)
            unit.status = REFUSED
            continue
        if indicator_id not in parsed:
            _error(row, "value", values.get("value"), "数值不能为空")
            unit.status = REFUSED
            continue
        if round_.published_at is not None:
            _error(row, "year", year, services.PUBLISHED_REFUSAL)
            unit.status = REFUSED
            continue
        department = str(values.get("department") or "").strip()
        value = parsed[indicator_id]
        unit.label = f"{scorecard.enterprise.name} · {indicator_id}"
        held = latest.get((scorecard.pk, indicator_id))
        unit.status = NEW if held is None else (UNCHANGED if held == value else CHANGED)
        unit.apply = _applier(user, scorecard, indicator_id, value, department)
    return Plan(units)


def _applier(user: Any, scorecard: Scorecard, indicator_id: str, value: Any, department: str) -> Any:
    def apply(reason: str) -> None:
        services.record_department_values(user, scorecard, {indicator_id: value}, department, reason)

    return apply


def _indicator(card: Any, text: str) -> str | None:
    text = text.strip()
    for indicator_id, (_, indicator) in indicators_of(card).items():
        if text in (indicator_id, indicator.label_zh):
            return indicator_id
    return None


def register_job() -> None:
    imports.register(imports.Importer(KIND, "导入绿色绩效部门数据", plan))
