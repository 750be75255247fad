"""Registry import (REQ G-1, LC-4, LC-5; issue 10): the rows of one credit code are one enterprise with its sites,
industries per site (type + branch), production lines with capacities, and (sheet 排放口) outlets. Written through
enterprises.services — created, or updated where the file differs — and never deleted: a registry import adds and
corrects, removing is a decision made on the registry page. The export `registry` is this layout (round trip)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from airgrade.core.industries import Industry
from airgrade.io.excel.layouts import OUTLETS, REGISTRY
from airgrade.io.excel.reader import CellError, Row, SheetData
from airgrade.io.excel.spec import fold
from airgrade.platform.enterprises import services as registry
from airgrade.platform.enterprises.models import EmissionOutlet, Enterprise, IndustryAssignment, ProductionLine, Site
from airgrade.platform.jobs.services import Progress
from airgrade.platform.permissions import actor_of
from airgrade.platform.workbooks.imports import CHANGED, NEW, REFUSED, UNCHANGED, Plan, Unit
from airgrade.platform.workbooks.resolve import BATCH, DEFAULT_SITE, Lookups, Unresolved, check_credit_code

ENTERPRISE_KEYS = {
    "enterprise_name": "name",
    "address": "address",
    "contact_name": "contact_name",
    "contact_phone": "contact_phone",
    "enterprise_status": "status",
}
LINE_KEYS = {
    "kind": "kind",
    "process_type": "process_type",
    "capacity": "capacity",
    "capacity_unit": "capacity_unit",
    "energy_type": "energy_type",
    "line_status": "status",
    "non_interruptible": "non_interruptible",
}
POLLUTANT_NAMES = {"so2": "SO2", "二氧化硫": "SO2", "nox": "NOx", "氮氧化物": "NOx", "pm": "PM", "颗粒物": "PM"}
POLLUTANT_NAMES |= {"烟尘": "PM", "烟粉尘": "PM", "vocs": "VOCs", "挥发性有机物": "VOCs"}


def _error(row: Row, layout_key: str, key: str, reason: str) -> None:
    layout = REGISTRY if layout_key == "registry" else OUTLETS
    row.errors.append(CellError(row.sheet, row.number, layout.column(key).title, row.values.get(key), reason))


def _same(stored: Any, wanted: Any) -> bool:
    if isinstance(stored, Decimal) and wanted is not None:
        return stored == Decimal(str(wanted)).quantize(stored)
    return bool(stored == wanted)


class _Existing:
    """The registered enterprises the file names, with their sites, industries, lines and outlets, in bulk."""

    def __init__(self, look: Lookups):
        site_ids = sorted({site.pk for site in look.sites.values()})
        self.industries: dict[int, set[tuple[str, str]]] = {}
        self.lines: dict[int, dict[str, ProductionLine]] = {}
        self.outlets: dict[int, set[str]] = {}
        for start in range(0, len(site_ids), BATCH):
            batch = site_ids[start : start + BATCH]
            for item in IndustryAssignment.objects.filter(site_id__in=batch):
                self.industries.setdefault(item.site_id, set()).add((item.industry_code, item.branch))
            for line in ProductionLine.objects.filter(site_id__in=batch):
                self.lines.setdefault(line.site_id, {})[fold(line.name)] = line
            for outlet in EmissionOutlet.objects.filter(site_id__in=batch):
                self.outlets.setdefault(outlet.site_id, set()).add(outlet.code)


def plan(user: Any, sheets: Sequence[SheetData], progress: Progress) -> Plan:
    look = Lookups(actor_of(user))
    groups: dict[str, list[Row]] = {}
    outlets: dict[str, list[Row]] = {}
    units: list[Unit] = []
    for sheet in sheets:
        target = outlets if sheet.layout.key == OUTLETS.key else groups
        for row in sheet.rows:
            try:
                code = check_credit_code(row.values.get("credit_code"))
            except Unresolved as exc:
                if row.values.get("credit_code"):
                    _error(row, sheet.layout.key, "credit_code", str(exc))
                units.append(Unit(f"第{row.number}行", [row], REFUSED))
                continue
            target.setdefault(code, []).append(row)
    for code, rows in outlets.items():
        if code not in groups:
            units.append(Unit(code, rows, REFUSED))
            for row in rows:
                _error(row, OUTLETS.key, "credit_code", "排放口所属企业不在“企业档案”工作表中")
    look.load(groups)
    existing = _Existing(look)
    done = refused = len(units)
    for code, rows in groups.items():
        unit = Unit(f"{rows[0].values.get('enterprise_name') or code}", [*rows, *outlets.get(code, [])])
        units.append(unit)
        if any(row.errors for row in unit.rows):
            unit.status = REFUSED
        else:
            _plan_enterprise(user, unit, code, rows, outlets.get(code, []), look, existing)
        refused += unit.status == REFUSED
        done += len(unit.rows)
        progress.advance(done, refused)
    return Plan(units)


def _plan_enterprise(
    user: Any,
    unit: Unit,
    code: str,
    rows: list[Row],
    outlet_rows: list[Row],
    look: Lookups,
    existing: _Existing,
) -> None:
    first = rows[0].values
    enterprise = look.enterprises.get(code)
    if enterprise is not None:
        if not look.may_edit(enterprise, "enterprise.edit"):
            unit.refuse("该企业不在本账号管辖范围内，不能导入其档案", REGISTRY.column("credit_code").title, code)
            return
        region_code = enterprise.region_id
    else:
        try:
            region_code = look.region(first.get("county")).code
        except Unresolved as exc:
            reason = str(exc) if first.get("county") else "企业尚未登记，须填写所在县（市、区）"
            unit.refuse(reason, REGISTRY.column("county").title, first.get("county"))
            return
        if not first.get("enterprise_name"):
            _error(rows[0], "registry", "enterprise_name", "新登记的企业须填写企业名称")
    # Enterprise fields: the same on every row that fills them.
    fields: dict[str, Any] = {}
    for row in rows:
        for key, name in ENTERPRISE_KEYS.items():
            if key in row.values:
                if name in fields and fields[name] != row.values[key]:
                    _error(row, "registry", key, "同一企业的各行，企业信息应相同")
                fields.setdefault(name, row.values[key])
    # Sites, industries and lines.
    sites: dict[str, dict[str, Any]] = {}
    for row in rows:
        values = row.values
        site_key = fold(values.get("site_name") or "")
        site = sites.setdefault(
            site_key,
            {"name": str(values.get("site_name") or "").strip(), "address": "", "industries": [], "lines": []},
        )
        if values.get("site_address"):
            site["address"] = values["site_address"]
        industry: Industry | None = None
        if values.get("industry"):
            try:
                industry = look.industry(values["industry"], region_code)
            except Unresolved as exc:
                _error(row, "registry", "industry", str(exc))
                continue
            pair = (industry.code, str(values.get("branch") or "").strip())
            if pair not in site["industries"]:
                site["industries"].append(pair)
        if values.get("line_name"):
            line = {name: values[key] for key, name in LINE_KEYS.items() if key in values}
            line["name"] = str(values["line_name"]).strip()
            if industry is not None:
                line["industry_code"] = industry.code
            if "capacity" not in line:
                _error(row, "registry", "capacity", "生产线须填写产能")
            elif not line.get("capacity_unit"):
                _error(row, "registry", "capacity_unit", "生产线须填写产能单位")
            if any(fold(other["name"]) == fold(line["name"]) for other in site["lines"]):
                _error(row, "registry", "line_name", "同一厂区内生产线名称重复")
            site["lines"].append(line)
    outlets_by_site: dict[str, list[dict[str, Any]]] = {}
    for row in outlet_rows:
        pollutants = []
        for part in str(row.values.get("pollutants") or "").replace("，", "、").replace(",", "、").split("、"):
            if not part.strip():
                continue
            found = POLLUTANT_NAMES.get(fold(part))
            if found is None:
                _error(row, "outlets", "pollutants", f"未知污染物“{part.strip()}”（可填 SO2、NOx、PM、VOCs）")
            else:
                pollutants.append(found)
        site_key = fold(row.values.get("site_name") or "")
        if site_key not in sites:
            sites[site_key] = {
                "name": str(row.values.get("site_name") or ""),
                "address": "",
                "industries": [],
                "lines": [],
            }
        outlets_by_site.setdefault(site_key, []).append(
            {
                "code": str(row.values["code"]),
                "name": str(row.values.get("name") or row.values["code"]),
                "pollutants": pollutants,
            }
        )
    if any(row.errors for row in unit.rows):
        unit.status = REFUSED
        return

    # What would change.
    changes = 0
    if enterprise is None:
        changes += 1
    else:
        changes += sum(not _same(getattr(enterprise, name), value) for name, value in fields.items())
    site_objects: dict[str, Site | None] = {}
    for site_key, site in sites.items():
        found = look.site(enterprise, site["name"]) if enterprise is not None else None
        site_objects[site_key] = found
        if found is None:
            changes += 1
            continue
        site["name"] = found.name
        have = existing.industries.get(found.pk, set())
        changes += sum(pair not in have for pair in site["industries"])
        stored_lines = existing.lines.get(found.pk, {})
        for line in site["lines"]:
            stored = stored_lines.get(fold(line["name"]))
            if stored is None or any(
                not _same(getattr(stored, name), value) for name, value in line.items() if name != "name"
            ):
                changes += 1
        codes = existing.outlets.get(found.pk, set())
        changes += sum(outlet["code"] not in codes for outlet in outlets_by_site.get(site_key, []))
    if not changes:
        unit.status = UNCHANGED
        return
    unit.status = NEW if enterprise is None else CHANGED

    def apply(reason: str) -> None:
        _write(user, code, region_code, fields, sites, outlets_by_site, reason)

    unit.apply = apply


def _write(
    user: Any,
    code: str,
    region_code: str,
    fields: dict[str, Any],
    sites: dict[str, dict[str, Any]],
    outlets_by_site: dict[str, list[dict[str, Any]]],
    reason: str,
) -> None:
    enterprise = Enterprise.objects.filter(credit_code=code).first()
    if enterprise is None:
        enterprise = registry.create_enterprise(user, {"credit_code": code, "region": region_code, **fields}, reason)
    else:
        changed = {name: value for name, value in fields.items() if not _same(getattr(enterprise, name), value)}
        if changed:
            enterprise = registry.update_enterprise(user, enterprise.pk, changed, reason)
    only = list(enterprise.sites.all())
    for site_key, wanted in sites.items():
        name = wanted["name"]
        if name:
            site = next((s for s in only if fold(s.name) == fold(name)), None)
        else:
            site = only[0] if len(only) == 1 else next((s for s in only if s.name == DEFAULT_SITE), None)
        if site is None:
            site = registry.add_site(
                user, enterprise.pk, {"name": name or DEFAULT_SITE, "address": wanted["address"]}, reason
            )
            only.append(site)
        have = list(site.industries.values_list("industry_code", "branch"))
        missing = [pair for pair in wanted["industries"] if pair not in have]
        if missing:
            registry.set_site_industries(
                user, site.pk, [{"industry_code": c, "branch": b} for c, b in [*have, *missing]], reason
            )
        stored = {fold(line.name): line for line in site.lines.all()}
        for line in wanted["lines"]:
            found = stored.get(fold(line["name"]))
            if found is None:
                registry.add_line(user, site.pk, line, reason)
            else:
                changed = {k: v for k, v in line.items() if k != "name" and not _same(getattr(found, k), v)}
                if changed:
                    registry.update_line(user, found.pk, changed, reason)
        codes = set(site.outlets.values_list("code", flat=True))
        for outlet in outlets_by_site.get(site_key, []):
            if outlet["code"] not in codes:
                registry.add_outlet(user, site.pk, outlet, reason)
