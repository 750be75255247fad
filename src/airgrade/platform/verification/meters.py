"""The meter register (issue 12 item 1): electricity meters linked to the registry's production lines and online
monitors linked to the registry's outlets, kept by the enterprise or its county with a reason, entered one by one or
from a CSV/xlsx file (all rows or none, every error by row, column and reason).

A meter or monitor that first appears in imported readings is kept with its readings and shown as 未登记 (not in the
register) until someone registers it; the idle-line cross-check (crosscheck.py) judges only meters linked to a line.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from airgrade.core.access import Target, decide
from airgrade.platform.audit import services as audit
from airgrade.platform.enterprises.models import EmissionOutlet, Enterprise, ProductionLine, Site
from airgrade.platform.errors import NotFound, ServiceError
from airgrade.platform.permissions import require_found, require_role, scoped
from airgrade.platform.verification import files
from airgrade.platform.verification.models import MonitoringPoint

MISSING_SITE = "厂区不存在或不在您的管辖范围内"
KINDS = {"电表": MonitoringPoint.Kind.METER, "meter": MonitoringPoint.Kind.METER,
         "排放口": MonitoringPoint.Kind.OUTLET, "在线监测": MonitoringPoint.Kind.OUTLET,
         "outlet": MonitoringPoint.Kind.OUTLET}  # fmt: skip
COLUMNS = (
    ("credit_code", "统一社会信用代码", True),
    ("site", "厂区", False),
    ("kind", "类别", True),
    ("code", "编号", True),
    ("line", "生产线", False),
    ("outlet", "档案排放口编号", False),
    ("reason", "原因", False),
)
MAX_ROWS = 5000


def _site(user: Any, site_id: int, action: str = "verification.meter.edit") -> Site:
    require_role(user, action)
    site = Site.objects.select_related("enterprise").filter(pk=site_id).first()
    if site is None:
        raise NotFound(MISSING_SITE)
    require_found(
        user,
        action,
        Target(region_code=site.region_id, enterprise_id=site.enterprise_id),
        view="verification.view",
        missing=MISSING_SITE,
    )
    return site


def visible_points(user: Any, *, unregistered: bool = False) -> QuerySet[MonitoringPoint]:
    actor = require_role(user, "verification.view")
    points = scoped(
        MonitoringPoint.objects.select_related("site", "enterprise", "line", "outlet"),
        actor,
        enterprise_field="enterprise_id",
    )
    if unregistered:
        points = points.filter(registered=False)
    return points.order_by("enterprise__name", "site_id", "kind", "code")


def site_choices(user: Any, site_id: int) -> tuple[Site, list[ProductionLine], list[EmissionOutlet]]:
    site = _site(user, site_id, "verification.view")
    return site, list(site.lines.all()), list(site.outlets.all())


def _snapshot(point: MonitoringPoint | None) -> dict[str, Any]:
    if point is None:
        return {}
    return {
        "kind": point.kind,
        "code": point.code,
        "line": point.line.name if point.line else None,
        "outlet": point.outlet.code if point.outlet else None,
        "registered": point.registered,
    }


def _save(
    user: Any, site: Site, kind: str, code: str, line: ProductionLine | None, outlet: EmissionOutlet | None, reason: str
) -> MonitoringPoint:
    point = MonitoringPoint.objects.select_related("line", "outlet").filter(site=site, kind=kind, code=code).first()
    before = _snapshot(point)
    if point is not None and point.registered and not reason:
        raise ServiceError("修改已登记的点位须写明原因", field="reason")
    if point is None:
        point = MonitoringPoint(
            site=site, enterprise_id=site.enterprise_id, region_id=site.region_id, kind=kind, code=code
        )
    point.line = line if kind == MonitoringPoint.Kind.METER else None
    point.outlet = outlet if kind == MonitoringPoint.Kind.OUTLET else None
    point.registered = True
    point.save()
    audit.record(
        actor=user,
        action="verification.meter.save",
        obj=point,
        object_label=f"{site.enterprise.name} {point.get_kind_display()} {code}",
        region_code=site.region_id,
        before=before,
        after=_snapshot(point),
        reason=reason,
    )
    return point


def _clean_code(value: Any, field_name: str = "code") -> str:
    code = unicodedata.normalize("NFKC", str(value or "")).strip()
    if not code:
        raise ServiceError("须填写编号", field=field_name)
    if len(code) > 40:
        raise ServiceError("编号不能超过 40 个字符", field=field_name)
    return code


@transaction.atomic
def save_point(
    user: Any,
    site_id: int,
    *,
    kind: str,
    code: str,
    line_id: int | None = None,
    outlet_id: int | None = None,
    reason: str = "",
) -> MonitoringPoint:
    """Register (or change) a meter → production line or a monitor → registry outlet of a site; a change of a
    registered point needs a reason. The line or outlet must be the site's own."""
    site = _site(user, site_id)
    if kind not in MonitoringPoint.Kind.values:
        raise ServiceError(f"未知的点位类别：{str(kind)[:20]}", field="kind")
    clean = _clean_code(code)
    line = outlet = None
    if kind == MonitoringPoint.Kind.METER:
        if line_id is None:
            raise ServiceError("电表须关联档案中的生产线", field="line")
        line = ProductionLine.objects.filter(pk=line_id, site=site).first()
        if line is None:
            raise ServiceError("该生产线不属于此厂区", field="line")
    elif outlet_id is not None:
        outlet = EmissionOutlet.objects.filter(pk=outlet_id, site=site).first()
        if outlet is None:
            raise ServiceError("该排放口不属于此厂区", field="outlet")
    return _save(user, site, kind, clean, line, outlet, str(reason or "").strip()[:500])


@dataclass
class RegisterReport:
    file_name: str
    rows: int = 0
    saved: int = 0
    committed: bool = False
    errors: list[files.RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def messages(self, limit: int = 200) -> list[str]:
        return [error.text(self.file_name) for error in self.errors[:limit]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "file_name": self.file_name,
            "rows": self.rows,
            "saved": self.saved,
            "committed": self.committed,
            "errors": [error.as_dict() for error in self.errors],
        }


def import_register(user: Any, file_name: str, content: bytes, *, commit: bool) -> RegisterReport:
    """Check (dry run) or load a meter register file: all rows or none. Columns: 统一社会信用代码*, 厂区, 类别* (电表 /
    排放口), 编号*, 生产线 (the registry line's name; required for a meter), 档案排放口编号, 原因."""
    actor = require_role(user, "verification.meter.edit")
    report = RegisterReport(file_name)
    try:
        cells = files._cells(file_name, content)
    except ValueError as exc:
        raise ServiceError(str(exc), field="file") from None
    if not cells:
        raise ServiceError(f"{file_name}：文件为空", field="file")
    header = [files.fold(str(cell or "")) for cell in cells[0]]
    where: dict[str, int] = {}
    for key, title, required in COLUMNS:
        folded = files.fold(title)
        if folded in header:
            where[key] = header.index(folded)
        elif required:
            report.errors.append(files.RowError(0, title, "", "缺少此列"))
    if report.errors:
        return report
    body = [row for row in cells[1:] if any(str(cell or "").strip() for cell in row)]
    if len(body) > MAX_ROWS:
        raise ServiceError(f"一次最多 {MAX_ROWS} 行，请分批导入", field="file")
    report.rows = len(body)
    codes = {str(row[where["credit_code"]] or "").strip() for row in body if where["credit_code"] < len(row)}
    sites: dict[str, list[Site]] = {}
    for enterprise in Enterprise.objects.filter(credit_code__in=codes).prefetch_related("sites"):
        target = Target(region_code=enterprise.region_id, enterprise_id=enterprise.pk)
        if decide(actor, "verification.meter.edit", target):
            sites[enterprise.credit_code] = list(enterprise.sites.all())
    planned: list[tuple[Site, str, str, ProductionLine | None, EmissionOutlet | None, str]] = []
    seen: dict[tuple[int, str, str], int] = {}
    for number, row in enumerate(body, start=2):

        def cell(key: str, row: list[Any] = row) -> str:
            index = where.get(key)
            if index is None or index >= len(row) or row[index] is None:
                return ""
            return unicodedata.normalize("NFKC", str(row[index])).strip()

        def error(column: str, value: str, reason: str, number: int = number) -> None:
            report.errors.append(files.RowError(number, column, value[:40], reason))

        candidates = sites.get(cell("credit_code"))
        if candidates is None:
            error("统一社会信用代码", cell("credit_code"), "企业不存在或不在您的管辖范围内")
            continue
        site_name = cell("site")
        chosen = [s for s in candidates if s.name == site_name] if site_name else candidates
        if len(chosen) != 1:
            error(
                "厂区",
                site_name,
                f"该企业没有名为“{site_name}”的厂区" if site_name else "该企业有多个厂区，须填写厂区名称",
            )
            continue
        site = chosen[0]
        kind = KINDS.get(cell("kind").lower())
        if kind is None:
            error("类别", cell("kind"), "类别须为“电表”或“排放口”")
            continue
        code = cell("code")
        if not code or len(code) > 40:
            error("编号", code, "须填写编号（不超过 40 个字符）")
            continue
        line = outlet = None
        if kind == MonitoringPoint.Kind.METER:
            named = [line for line in site.lines.all() if line.name == cell("line")]
            if len(named) != 1:
                error(
                    "生产线",
                    cell("line"),
                    "档案中没有此生产线（电表须关联生产线）" if not named else "档案中有同名生产线",
                )
                continue
            line = named[0]
        elif cell("outlet"):
            outlet = site.outlets.filter(code=cell("outlet")).first()
            if outlet is None:
                error("档案排放口编号", cell("outlet"), "档案中没有此排放口")
                continue
        key = (site.pk, kind, code)
        if key in seen:
            error("编号", code, f"与第 {seen[key]} 行重复")
            continue
        seen[key] = number
        existing = MonitoringPoint.objects.filter(site=site, kind=kind, code=code, registered=True).first()
        changes = existing is not None and (existing.line_id, existing.outlet_id) != (
            line.pk if line else None,
            outlet.pk if outlet else None,
        )
        if changes and not cell("reason"):
            error("原因", "", "修改已登记的点位须写明原因")
            continue
        planned.append((site, kind, code, line, outlet, cell("reason") or f"导入 {file_name}"))
    if report.errors or not commit:
        report.errors.sort(key=lambda e: e.row)
        return report
    with transaction.atomic():
        for site, kind, code, line, outlet, reason in planned:
            _save(user, site, kind, code, line, outlet, reason[:500])
            report.saved += 1
    report.committed = True
    return report


def editable_sites(user: Any) -> list[Site]:
    """Sites whose points the caller may register, with their lines and outlets (for the register form)."""
    actor = require_role(user, "verification.meter.edit")
    sites = scoped(Site.objects.select_related("enterprise"), actor, enterprise_field="enterprise_id")
    return list(sites.prefetch_related("lines", "outlets").order_by("enterprise__name", "name")[:300])
