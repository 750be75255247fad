"""Emergency-list import (REQ SJZ-9, H23-4): rows of one enterprise site and year become one list entry, written
through emergency.services.save_entry; enterprises and sites not yet registered are created through the registry
services; the free-text measures are kept with their quantified reading for a reviewer (workbooks.services)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from airgrade.core.emergency import model as core
from airgrade.core.types import AlertLevel, Grade
from airgrade.io.excel.layouts import EMERGENCY_LIST
from airgrade.io.excel.reader import CellError, Row, SheetData
from airgrade.io.excel.spec import fold
from airgrade.platform.emergency import services as emergency
from airgrade.platform.emergency.models import ListEntry, ListIndustry, ListLine
from airgrade.platform.enterprises import services as registry
from airgrade.platform.enterprises.models import Enterprise, Site
from airgrade.platform.errors import ServiceError
from airgrade.platform.grades.services import grades_on, today
from airgrade.platform.jobs.services import Progress
from airgrade.platform.permissions import actor_of
from airgrade.platform.workbooks import services
from airgrade.platform.workbooks.imports import CHANGED, NEW, REFUSED, UNCHANGED, Plan, Unit
from airgrade.platform.workbooks.resolve import BATCH, DEFAULT_SITE, Lookups, Unresolved, check_credit_code

LEVEL_COLUMNS = {
    "measure_yellow": AlertLevel.YELLOW,
    "measure_orange": AlertLevel.ORANGE,
    "measure_red": AlertLevel.RED,
}
ENTRY_FIELDS = tuple(emergency.ENTRY_FIELDS)
_MISSING = object()
# (column, level value): an enum's .value is a property, slow on 100,000 rows.
LEVEL_VALUES = tuple((column, level.value) for column, level in LEVEL_COLUMNS.items())
POLLUTANTS = [p.value for p in emergency.POLLUTANT_FIELDS]
# Entries checked together as one list table (see emergency.check_tables).
TABLE_CHUNK = 2000
LINE_KEYS = (
    "kind",
    "status",
    "capacity_unit",
    "operating_days",
    "eia_capacity",
    "permit_capacity",
    "actual_output",
    "non_interruptible",
    "key_parameters",
)


def _title(key: str) -> str:
    return EMERGENCY_LIST.column(key).title


def _error(row: Row, key: str, reason: str) -> None:
    row.errors.append(CellError(row.sheet, row.number, _title(key), row.values.get(key), reason))


def _existing(look: Lookups, keys: Sequence[tuple[str, str, int]]) -> dict[tuple[int, int], ListEntry]:
    site_ids = sorted({site.pk for site in look.sites.values()})
    years = sorted({year for _, _, year in keys})
    found: dict[tuple[int, int], ListEntry] = {}
    for start in range(0, len(site_ids), BATCH):
        entries = (
            ListEntry.objects.filter(site_id__in=site_ids[start : start + BATCH], year__in=years)
            .select_related("site", "enterprise")
            .prefetch_related("industries", "lines", "measure_texts")
        )
        for entry in entries:
            found[(entry.site_id, entry.year)] = entry
    return found


def canonical_entry(entry: ListEntry) -> tuple[Any, ...]:
    """What the import layout carries of a stored entry, in a comparable form."""
    industries: list[ListIndustry] = list(entry.industries.all())
    lines: list[ListLine] = list(entry.lines.all())
    return (
        (
            entry.in_industrial_park,
            entry.transport_mode,
            entry.transport_volume_t,
            entry.daily_heavy_trucks,
            entry.output_value_10k_yuan,
            entry.energy_use_tce,
            entry.annual_output,
            entry.output_unit,
        ),
        tuple(sorted((item.industry_code, item.grade or "") for item in industries)),
        tuple(
            (
                line.key,
                line.name,
                line.industry_code,
                line.kind,
                line.status,
                line.capacity_unit,
                line.operating_days,
                line.eia_capacity,
                line.permit_capacity,
                line.actual_output,
                *(getattr(line, field) for field in emergency.POLLUTANT_FIELDS.values()),
                line.non_interruptible,
                line.key_parameters,
            )
            for line in lines
        ),
        tuple(sorted((text.level, text.line_key, text.industry_code, text.text) for text in entry.measure_texts.all())),
    )


def canonical_checked(
    checked: core.ListEntry, industries: list[dict[str, Any]], texts: list[tuple[str, str, str, str]]
) -> tuple[Any, ...]:
    """The same form for a checked entry from the file (emissions converted as save_entry stores them)."""

    def emission(line: core.Line, pollutant: str) -> float:
        factor = 0.001 if line.emission_unit.startswith(("kg", "千克")) else 1.0
        return line.emissions.get(core.Pollutant(pollutant), 0.0) * factor

    return (
        (
            checked.in_industrial_park,
            checked.transport.mode,
            checked.transport.annual_volume_t,
            checked.transport.daily_heavy_trucks,
            checked.output_value_10k_yuan,
            checked.energy_use_tce,
            checked.annual_output,
            checked.output_unit,
        ),
        tuple(sorted((item["industry_code"], item["grade"] or "") for item in industries)),
        tuple(
            (
                line.key,
                line.name,
                checked.line_industry(line),
                line.kind,
                line.status.value,
                line.capacity_unit,
                line.operating_days,
                line.eia_capacity,
                line.permit_capacity,
                line.actual_output,
                *(emission(line, pollutant) for pollutant in POLLUTANTS),
                line.non_interruptible,
                line.key_parameters,
            )
            for line in checked.lines
        ),
        tuple(sorted(texts)),
    )


def plan(user: Any, sheets: Sequence[SheetData], progress: Progress) -> Plan:
    sheet = sheets[0]
    look = Lookups(actor_of(user))
    groups: dict[tuple[str, str, int], list[Row]] = {}
    units: list[Unit] = []
    codes: dict[Any, str | Unresolved] = {}  # each code is checked once, however many lines it has
    for row in sheet.rows:
        values = row.values
        raw_code = values.get("credit_code")
        code = codes.get(raw_code)
        if code is None:
            try:
                code = check_credit_code(raw_code)
            except Unresolved as exc:
                code = exc
            codes[raw_code] = code
        if isinstance(code, Unresolved):
            if raw_code:
                _error(row, "credit_code", str(code))
            units.append(Unit(f"第{row.number}行", [row], REFUSED))
            continue
        year = values.get("year")
        if not isinstance(year, int):
            units.append(Unit(f"第{row.number}行", [row], REFUSED))
            continue
        groups.setdefault((code, fold(values.get("site_name") or ""), year), []).append(row)
    look.load(code for code, _, _ in groups)
    existing = _existing(look, list(groups))
    grades: dict[int, dict[str, Grade]] = {}
    for (site_id, code), grade in grades_on(sorted({site.pk for site in look.sites.values()}), today()).items():
        grades.setdefault(site_id, {})[code] = grade
    context = _Context(user, look, existing, grades, today())
    done = refused = len(units)
    for key, rows in groups.items():
        values = rows[0].values
        unit = Unit(
            f"{values.get('enterprise_name') or key[0]} · {values.get('site_name') or DEFAULT_SITE} · {key[2]}", rows
        )
        units.append(unit)
        if any(row.errors for row in rows):
            unit.status = REFUSED
        else:
            _plan_entry(unit, key, context)
        refused += unit.status == REFUSED
        if len(context.checked) >= TABLE_CHUNK:
            refused += _check_tables(context)
        done += len(rows)
        progress.advance(done, refused)
    _check_tables(context)
    # A new enterprise named by one entry only is registered and listed in bulk; the rest go one by one.
    per_code: dict[str, int] = {}
    for unit in units:
        if unit.bulk is not None:
            per_code[unit.bulk["code"]] = per_code.get(unit.bulk["code"], 0) + 1
    for unit in units:
        if unit.bulk is not None and (per_code[unit.bulk["code"]] > 1 or unit.status != NEW):
            unit.bulk = None

    def bulk_apply(chunk: list[Unit], reason: str) -> None:
        _write_many(user, [unit.bulk for unit in chunk], reason)

    return Plan(units, notes={"measure_texts": context.texts}, bulk_apply=bulk_apply)


def _check_tables(context: _Context) -> int:
    """The list-table check of the entries planned so far, at once (one table per chunk rather than one per entry,
    dropped afterwards so a large file is not held twice); how many it refused."""
    failed = emergency.check_tables([checked for _, checked in context.checked], chunk=TABLE_CHUNK)
    for position, reason in failed.items():
        context.checked[position][0].refuse(reason)
    context.checked.clear()
    return len(failed)


@dataclass
class _Context:
    """What every entry of one import is planned against, looked up once."""

    user: Any
    look: Lookups
    existing: dict[tuple[int, int], ListEntry]
    grades: dict[int, dict[str, Grade]]
    as_of: dt.date
    checked: list[tuple[Unit, core.ListEntry]] = field(default_factory=list)
    texts: int = 0  # free-text measures read (the report's count)


def _plan_entry(unit: Unit, key: tuple[str, str, int], context: _Context) -> None:
    user, look, existing, grades = context.user, context.look, context.existing, context.grades
    code, _, year = key
    first = unit.rows[0].values
    enterprise = look.enterprises.get(code)
    site: Site | None = None
    if enterprise is not None:
        if not look.may_edit(enterprise, "emergency.list.edit"):
            unit.refuse("该企业不在本账号管辖范围内，不能导入其清单", _title("credit_code"), code)
            return
        region_code, enterprise_name = enterprise.region_id, enterprise.name
        site = look.site(enterprise, str(first.get("site_name") or ""))
    else:
        try:
            region = look.region(first.get("county"))
        except Unresolved as exc:
            reason = str(exc) if first.get("county") else "企业尚未登记，须填写所在县（市、区）"
            unit.refuse(reason, _title("county"), first.get("county"))
            return
        region_code, enterprise_name = region.code, str(first.get("enterprise_name") or "").strip()
    site_name = site.name if site is not None else str(first.get("site_name") or DEFAULT_SITE).strip()

    industries: dict[str, str | None] = {}
    entry_values: dict[str, Any] = {}
    lines: list[dict[str, Any]] = []
    texts: list[tuple[str, str, str, str]] = []
    for position, row in enumerate(unit.rows, start=1):
        values = row.values
        try:
            industry = look.industry(values.get("industry"), region_code)
        except Unresolved as exc:
            _error(row, "industry", str(exc))
            continue
        grade = values.get("grade")
        if grade and industries.get(industry.code) not in (None, grade):
            _error(row, "grade", f"同一企业{industry.name_zh}行业的绩效等级与前面各行不一致")
        elif grade or industry.code not in industries:
            industries[industry.code] = grade or industries.get(industry.code)
        for name in ENTRY_FIELDS:
            value = values.get(name, _MISSING)
            if value is _MISSING:
                continue
            before = entry_values.get(name, _MISSING)
            if before is _MISSING:
                entry_values[name] = value
            elif before != value:
                _error(row, name, "同一企业同一厂区同一年度的各行，企业信息应相同")
        line_key = str(values.get("line_key") or "")
        if values.get("line_name") or line_key:
            line_key = line_key or f"L{position}"
            line: dict[str, Any] = {
                "key": line_key,
                "name": values.get("line_name") or line_key,
                "industry_code": industry.code,
                "emission_unit": "t/d",
                "emissions": {pollutant: values[pollutant] for pollutant in POLLUTANTS if pollutant in values},
            }
            line.update({name: values[name] for name in LINE_KEYS if name in values})
            lines.append(line)
        for column, level_value in LEVEL_VALUES:
            text = values.get(column)
            if text:
                text = str(text).strip()
                if text:
                    texts.append((level_value, line_key, industry.code, text))
    if any(row.errors for row in unit.rows):
        unit.status = REFUSED
        return
    context.texts += len(texts)
    data: dict[str, Any] = {
        **entry_values,
        "industries": [{"industry_code": code, "grade": grade} for code, grade in industries.items()],
        "lines": lines,
    }
    stored = existing.get((site.pk, year)) if site is not None else None
    if stored is not None:
        # What the layout does not carry stays as it is: 保障类 application, 小微 facts, proposals, registry links.
        kept = emergency.entry_data(stored)
        data.update(guarantee=kept["guarantee"], small_micro=kept["small_micro"], proposals=kept["proposals"])
        links = {line["key"]: line["registry_line"] for line in kept["lines"]}
        for line in lines:
            if links.get(line["key"]):
                line["registry_line"] = links[line["key"]]
        data = {name: value for name, value in data.items() if value is not None}
    try:
        checked, resolved, _ = emergency.check_entry(
            site,
            year,
            data,
            region_code=region_code,
            enterprise_name=enterprise_name,
            site_name=site_name,
            registry_grades=grades.get(site.pk, {}) if site is not None else None,
            as_of=context.as_of,
            table=False,
            key=f"import:{code}:{site_name}:{year}",
        )
    except ServiceError as exc:
        unit.refuse(exc.message)
        return
    context.checked.append((unit, checked))
    if stored is None:
        unit.status = NEW
    elif canonical_entry(stored) == canonical_checked(checked, resolved, texts):
        unit.status = UNCHANGED
        return
    else:
        unit.status = CHANGED

    def apply(reason: str) -> None:
        entry = _write_entry(user, code, enterprise_name, region_code, site_name, year, data, reason)
        services.replace_measure_texts(user, entry, texts, reason)

    unit.apply = apply
    if enterprise is None:
        unit.bulk = {
            "code": code,
            "name": enterprise_name,
            "region": region_code,
            "site": site_name,
            "year": year,
            "data": data,
            "texts": texts,
        }


def _write_entry(
    user: Any,
    code: str,
    enterprise_name: str,
    region_code: str,
    site_name: str,
    year: int,
    data: dict[str, Any],
    reason: str,
) -> ListEntry:
    """The registry rows the entry needs (enterprise, site, industries), then the entry itself."""
    enterprise = Enterprise.objects.filter(credit_code=code).first()
    if enterprise is None:
        enterprise = registry.create_enterprise(
            user, {"credit_code": code, "name": enterprise_name, "region": region_code}, reason
        )
    site = Site.objects.filter(enterprise=enterprise, name=site_name).first()
    if site is None:
        site = registry.add_site(user, enterprise.pk, {"name": site_name, "region": region_code}, reason)
    have = sorted(site.industries.values_list("industry_code", "branch"))
    missing = [
        item["industry_code"] for item in data["industries"] if item["industry_code"] not in {c for c, _ in have}
    ]
    if missing:
        registry.set_site_industries(
            user,
            site.pk,
            [{"industry_code": c, "branch": b} for c, b in have] + [{"industry_code": c} for c in missing],
            reason,
        )
    return emergency.save_entry(user, site.pk, year, data, reason)


def _write_many(user: Any, items: list[dict[str, Any]], reason: str) -> None:
    """New enterprises with their site, industries and list entry, in bulk (registry.register_many,
    emergency.create_entries, services.add_measure_texts): the same rows and audit records as _write_entry."""
    sites = registry.register_many(
        user,
        [
            registry.NewRegistration(
                credit_code=item["code"],
                name=item["name"],
                region_code=item["region"],
                site_name=item["site"],
                industries=tuple(i["industry_code"] for i in item["data"]["industries"]),
            )
            for item in items
        ],
        reason,
    )
    entries = emergency.create_entries(
        user, [(sites[item["code"]], item["year"], item["data"]) for item in items], reason
    )
    services.add_measure_texts(
        user, [(entry, item["texts"]) for entry, item in zip(entries, items, strict=True)], reason
    )


def measure_text_rows(entry: ListEntry) -> dict[tuple[str, str], dict[str, str]]:
    """Stored measure texts of an entry by (line key, industry) → {layout column: text}, for the export."""
    by_line: dict[tuple[str, str], dict[str, str]] = {}
    columns = {level.value: column for column, level in LEVEL_COLUMNS.items()}
    for text in entry.measure_texts.all():
        by_line.setdefault((text.line_key, text.industry_code), {})[columns[text.level]] = text.text
    return by_line
