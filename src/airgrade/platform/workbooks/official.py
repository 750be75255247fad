"""The official tables that leave the platform (issue 10): 绩效分级 A、B 级和引领性企业清单 per batch (REQ H21-4
附件4), 环保绩效评级申请名单 (SJZ-2), 回头看 资格审查一览表 / 现场核查表 / 问题企业汇总表 (H23-1 附件1–3), 白名单企业
与保障类企业审核认定表 (H23-5 附件4) and the registry. None of their column lists is public: the layouts
(io/excel/layouts.py) are derived from the seed texts, say so in every file and are documented in docs/workbooks.md.

Every table reads through the owning app's scoped services or `permissions.scoped`, so a file holds only rows the
caller may see; an object out of scope does not exist (404). Staff only: these are the bureaus' reports upwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from airgrade.core.access import Target
from airgrade.core.emergency.model import GuaranteeCategory
from airgrade.core.industries import industry_by_code
from airgrade.core.types import Grade
from airgrade.core.workflow.campaigns import IndustryBatch, batch_for_industry
from airgrade.core.workflow.states import State
from airgrade.io.excel import layouts
from airgrade.io.excel.spec import Layout
from airgrade.io.excel.writer import SheetSpec, provenance, write_workbook
from airgrade.platform.declarations import services as declarations
from airgrade.platform.declarations.models import Campaign, CampaignBatch, OnsiteCheck
from airgrade.platform.emergency import services as emergency
from airgrade.platform.emergency.models import ListEntry
from airgrade.platform.enterprises import services as registry
from airgrade.platform.errors import NotFound, ServiceError
from airgrade.platform.grades import services as grades
from airgrade.platform.grades.models import GradeRecord, LookbackItem
from airgrade.platform.permissions import actor_of, require, scoped
from airgrade.platform.regions.models import Region

TOP_TIER = [g.value for g in Grade if g.is_top_tier and not g.is_designation]


@dataclass(frozen=True)
class OfficialTable:
    """One downloadable table: its layout, the query parameters it needs and how its sheet is built."""

    kind: str  # the URL and CLI name
    label: str
    layout: Layout
    params: tuple[str, ...]  # required integer parameters (campaign, batch, round, item); year is optional
    build: Callable[[Any, dict[str, int]], tuple[str, list[dict[str, Any]] | Iterable[dict[str, Any]], str]]


def _names() -> dict[str, tuple[str, str]]:
    """Region code → (name, parent code): county and city names of each row in one query."""
    return {code: (name, parent or "") for code, name, parent in Region.objects.values_list("code", "name", "parent")}


def _county_city(names: dict[str, tuple[str, str]], code: str) -> tuple[str, str]:
    name, parent = names.get(code, (code, ""))
    return name, names.get(parent, ("", ""))[0]


def _industry(code: str) -> str:
    industry = industry_by_code(code)
    return industry.name_zh if industry else code


def _numbered(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**row, "number": number} for number, row in enumerate(rows, start=1)]


def _staff(user: Any, region_code: str | None) -> None:
    require(actor_of(user), "workbook.official_export", Target(region_code=region_code))


# ---------------------------------------------------------------- H21-4 附件4


def _core_batches(campaign: Campaign) -> tuple[IndustryBatch, ...]:
    return tuple(
        IndustryBatch(
            order=b.order,
            code=b.code,
            name_zh=b.name,
            families=tuple(b.families),
            includes_guarantee=b.includes_guarantee,
            due=b.due.replace(tzinfo=None),
        )
        for b in campaign.batches.all()
    )


def ab_list(user: Any, params: dict[str, int]) -> tuple[str, list[dict[str, Any]], str]:
    """A, B, B- and 引领性 grades decided in a campaign, of one batch when `batch` is given (REQ H21-4)."""
    _staff(user, actor_of(user).region_code)  # the role first: a missing and a foreign campaign answer alike
    campaign = declarations.visible_campaign(user, params["campaign"])
    batch: CampaignBatch | None = None
    if "batch" in params:
        batch = campaign.batches.filter(pk=params["batch"]).first()
        if batch is None:
            raise NotFound("评级批次不存在")
    core_batches = _core_batches(campaign)
    records = (
        scoped(
            GradeRecord.objects.filter(campaign=campaign, grade__in=TOP_TIER), actor_of(user), "region", "enterprise_id"
        )
        .select_related("enterprise", "site", "declaration")
        .order_by("region_id", "industry_code", "grade", "enterprise__name", "id")
    )
    names = _names()
    rows = []
    for record in records:
        guarantee = bool(record.declaration and record.declaration.is_guarantee)
        found = batch_for_industry(core_batches, record.industry_code, guarantee=guarantee) if core_batches else None
        if batch is not None and (found is None or found.code != batch.code):
            continue
        county, city = _county_city(names, record.region_id)
        branches = [
            item.branch
            for item in record.site.industries.all()
            if item.industry_code == record.industry_code and item.branch
        ]
        rows.append(
            {
                "city": city,
                "county": county,
                "credit_code": record.enterprise.credit_code,
                "enterprise_name": record.enterprise.name,
                "site_name": record.site.name,
                "industry": _industry(record.industry_code),
                "branch": "、".join(branches),
                "grade": record.grade,
                "batch": found.name_zh if found else "",
                "valid_from": record.valid_from,
                "guarantee": guarantee,
                "remark": "已失效" if record.valid_until and record.valid_until < grades.today() else "",
            }
        )
    subtitle = f"评级批次：{campaign.name}" + (f" · {batch.name}" if batch else "")
    filename = f"AB级和引领性企业清单-{campaign.name}" + (f"-{batch.name}" if batch else "")
    return subtitle, _numbered(rows), filename


# ---------------------------------------------------------------- SJZ-2


def application_list(user: Any, params: dict[str, int]) -> tuple[str, list[dict[str, Any]], str]:
    """Every live application of a campaign with its industries and applied grades (REQ SJZ-2)."""
    _staff(user, actor_of(user).region_code)  # the role first: a missing and a foreign campaign answer alike
    campaign = declarations.visible_campaign(user, params["campaign"])
    found = (
        declarations.visible_declarations(user)
        .filter(campaign=campaign)
        .exclude(state__in=[State.WITHDRAWN.value, State.DRAFT.value])
        .prefetch_related("items")
        .order_by("region_id", "enterprise__name", "site__name", "id")
    )
    names = _names()
    rows = []
    for declaration in found:
        for item in declaration.items.all():
            rows.append(
                {
                    "county": _county_city(names, declaration.region_id)[0],
                    "credit_code": declaration.enterprise.credit_code,
                    "enterprise_name": declaration.enterprise.name,
                    "site_name": declaration.site.name,
                    "industry": _industry(item.industry_code),
                    "process": item.process,
                    "target_grade": item.target_grade,
                    "guarantee": declaration.is_guarantee,
                    "contact_name": declaration.enterprise.contact_name,
                    "contact_phone": declaration.enterprise.contact_phone,
                    "declaration": declaration.number,
                    "state": State(declaration.state).label_zh,
                    "submitted_on": declaration.submitted_at.date() if declaration.submitted_at else None,
                }
            )
    return f"评级批次：{campaign.name}", _numbered(rows), f"评级申请名单-{campaign.name}"


# ---------------------------------------------------------------- H23-1 附件1–3


def _finding(item: LookbackItem, stage: str) -> str:
    result = getattr(item, f"get_{stage}_result_display")()
    note = getattr(item, f"{stage}_note")
    return f"{result}：{note}" if note else result


def lookback_qualification(user: Any, params: dict[str, int]) -> tuple[str, list[dict[str, Any]], str]:
    round_ = grades.visible_lookback(user, params["round"])
    _staff(user, round_.region_id)
    items = round_.items.select_related("grade_record__enterprise", "grade_record__site").order_by(
        "grade_record__region_id", "grade_record__enterprise__name", "id"
    )
    names = _names()
    rows = [
        {
            "county": _county_city(names, item.grade_record.region_id)[0],
            "credit_code": item.grade_record.enterprise.credit_code,
            "enterprise_name": item.grade_record.enterprise.name,
            "site_name": item.grade_record.site.name,
            "industry": _industry(item.grade_record.industry_code),
            "grade": item.grade_record.grade,
            "valid_from": item.grade_record.valid_from,
            "result": item.get_qualification_result_display(),
            "problems": item.qualification_note,
            "outcome": item.get_outcome_display() if item.outcome else "",
        }
        for item in items
    ]
    region = round_.region.name
    return f"{region} · {round_.year} 年", _numbered(rows), f"资格审查回头看一览表-{region}-{round_.year}"


def lookback_problems(user: Any, params: dict[str, int]) -> tuple[str, list[dict[str, Any]], str]:
    round_ = grades.visible_lookback(user, params["round"])
    _staff(user, round_.region_id)
    items = (
        grades.visible_problem_items(user, round_.pk)
        .select_related("grade_record__enterprise", "grade_record__site")
        .order_by("grade_record__region_id", "grade_record__enterprise__name", "id")
    )
    names = _names()
    rows = []
    for item in items:
        results = {item.qualification_result, item.onsite_result}
        severity = (
            LookbackItem.Result.SERIOUS.label
            if LookbackItem.Result.SERIOUS in results
            else LookbackItem.Result.MINOR.label
        )
        rows.append(
            {
                "county": _county_city(names, item.grade_record.region_id)[0],
                "credit_code": item.grade_record.enterprise.credit_code,
                "enterprise_name": item.grade_record.enterprise.name,
                "site_name": item.grade_record.site.name,
                "industry": _industry(item.grade_record.industry_code),
                "grade": item.grade_record.grade,
                "qualification": _finding(item, "qualification"),
                "onsite": _finding(item, "onsite"),
                "severity": severity,
                "outcome": item.get_outcome_display() if item.outcome else "未处理",
            }
        )
    region = round_.region.name
    return f"{region} · {round_.year} 年", _numbered(rows), f"回头看问题企业汇总表-{region}-{round_.year}"


def lookback_onsite(user: Any, params: dict[str, int]) -> tuple[str, list[dict[str, Any]], str]:
    """One enterprise's 现场核查表: both look-back conclusions, the item-by-item findings of the on-site checks the
    grade was decided on, and the handling."""
    item = grades.visible_lookback_item(user, params["item"])
    record = item.grade_record
    _staff(user, record.region_id)
    rows: list[dict[str, Any]] = [
        {"item": "资格审查回头看", "result": item.get_qualification_result_display(), "note": item.qualification_note},
        {"item": "现场核查回头看", "result": item.get_onsite_result_display(), "note": item.onsite_note},
    ]
    if record.declaration_id is not None:
        checks = OnsiteCheck.objects.filter(declaration_id=record.declaration_id).prefetch_related("findings")
        for check in checks.order_by("level", "id"):
            for finding in check.findings.all().order_by("industry_code", "indicator_id"):
                rows.append(
                    {
                        "item": f"{check.get_level_display()}·{_industry(finding.industry_code)}·{finding.indicator_id}",
                        "result": finding.get_result_display(),
                        "note": finding.note,
                    }
                )
            if check.signature_name:
                signed = check.signed_at.date().isoformat() if check.signed_at else ""
                rows.append(
                    {"item": f"{check.get_level_display()}签字", "result": check.signature_name, "note": signed}
                )
    rows.append({"item": "处理结果", "result": item.get_outcome_display() if item.outcome else "未处理", "note": ""})
    subtitle = (
        f"企业：{record.enterprise.name}（{record.enterprise.credit_code}） · 厂区：{record.site.name} · "
        f"行业：{_industry(record.industry_code)} · 等级：{record.grade} · {item.round.year} 年回头看"
    )
    return subtitle, _numbered(rows), f"回头看现场核查表-{record.enterprise.name}-{item.round.year}"


# ---------------------------------------------------------------- H23-5 附件4


def guarantee_review(user: Any, params: dict[str, int]) -> tuple[str, list[dict[str, Any]], str]:
    """List entries applying for or listed as 白名单 / 保障类 (REQ H23-5), of one year when given."""
    _staff(user, actor_of(user).region_code)
    entries = (
        emergency.visible_entries(user, year=params.get("year"))
        .filter(~Q(guarantee_status=ListEntry.GuaranteeStatus.NONE))
        .prefetch_related("industries")
        .order_by("region_id", "enterprise__name", "site__name", "-year")
    )
    names = _names()
    rows = []
    for entry in entries:
        try:
            category = GuaranteeCategory(entry.guarantee_category).label_zh if entry.guarantee_category else ""
        except ValueError:
            category = entry.guarantee_category
        share = ""
        if entry.guaranteed_daily_output and entry.normal_daily_output:
            share = f"{entry.guaranteed_daily_output / entry.normal_daily_output:.0%}"
        rows.append(
            {
                "county": _county_city(names, entry.region_id)[0],
                "credit_code": entry.enterprise.credit_code,
                "enterprise_name": entry.enterprise.name,
                "site_name": entry.site.name,
                "category": category,
                "industries": "；".join(
                    f"{_industry(item.industry_code)} {item.grade or '未评级'}" for item in entry.industries.all()
                ),
                "task": entry.guarantee_task,
                "guaranteed_daily_output": entry.guaranteed_daily_output,
                "normal_daily_output": entry.normal_daily_output,
                "share": share,
                "status": entry.get_guarantee_status_display(),
                "note": entry.guarantee_note,
                "year": entry.year,
            }
        )
    year = params.get("year")
    return (
        (f"{year} 年" if year else "全部年度"),
        _numbered(rows),
        f"白名单与保障类审核认定表{f'-{year}' if year else ''}",
    )


# ---------------------------------------------------------------- registry


def registry_rows(user: Any, params: dict[str, int]) -> tuple[str, Iterator[dict[str, Any]], str]:
    """The registry in its import layout: one row per production line, one row for a site without lines."""
    _staff(user, actor_of(user).region_code)
    enterprises = registry.visible_enterprises(user).prefetch_related("sites__industries", "sites__lines")

    def rows() -> Iterator[dict[str, Any]]:
        for enterprise in enterprises.order_by("region_id", "name", "id").iterator(chunk_size=500):
            base = {
                "credit_code": enterprise.credit_code,
                "enterprise_name": enterprise.name,
                "county": enterprise.region_id,
                "address": enterprise.address,
                "contact_name": enterprise.contact_name,
                "contact_phone": enterprise.contact_phone,
                "enterprise_status": enterprise.status,
            }
            sites = list(enterprise.sites.all())
            if not sites:
                yield base
            for site in sites:
                industries = list(site.industries.all())
                first = industries[0] if industries else None
                at_site = {
                    **base,
                    "site_name": site.name,
                    "site_address": site.address,
                    "industry": _industry(first.industry_code) if first else "",
                    "branch": first.branch if first else "",
                }
                lines = list(site.lines.all())
                branch_of = {item.industry_code: item.branch for item in industries}
                for line in lines:
                    yield {
                        **at_site,
                        "industry": _industry(line.industry_code) if line.industry_code else at_site["industry"],
                        "branch": branch_of.get(line.industry_code, at_site["branch"]),
                        "line_name": line.name,
                        "kind": line.kind,
                        "process_type": line.process_type,
                        "capacity": float(line.capacity) if line.capacity is not None else None,
                        "capacity_unit": line.capacity_unit,
                        "energy_type": line.energy_type,
                        "line_status": line.status,
                        "non_interruptible": line.non_interruptible,
                    }
                if not lines:
                    yield at_site
                for other in industries[1:]:  # further industries of the site, one row each
                    yield {**at_site, "industry": _industry(other.industry_code), "branch": other.branch}

    return "", rows(), "企业档案"


TABLES: dict[str, OfficialTable] = {
    table.kind: table
    for table in (
        OfficialTable("ab-list", "A、B级和绩效引领性企业清单", layouts.AB_LIST, ("campaign",), ab_list),
        OfficialTable(
            "application-list", "环保绩效评级申请名单", layouts.APPLICATION_LIST, ("campaign",), application_list
        ),
        OfficialTable(
            "lookback-qualification",
            "资格审查回头看一览表",
            layouts.LOOKBACK_QUALIFICATION,
            ("round",),
            lookback_qualification,
        ),
        OfficialTable("lookback-onsite", "回头看现场核查表", layouts.LOOKBACK_ONSITE, ("item",), lookback_onsite),
        OfficialTable(
            "lookback-problems", "回头看问题企业汇总表", layouts.LOOKBACK_PROBLEMS, ("round",), lookback_problems
        ),
        OfficialTable(
            "guarantee-review", "白名单企业与保障类企业审核认定表", layouts.GUARANTEE_REVIEW, (), guarantee_review
        ),
        OfficialTable("registry", "企业档案", layouts.REGISTRY, (), registry_rows),
    )
}
OPTIONAL_PARAMS = ("batch", "year")


def parse_params(table: OfficialTable, raw: Any) -> dict[str, int]:
    """The table's parameters from a query string (or CLI options) as integers; a missing or bad one is a 400
    naming the field, never a 500."""
    labels = {"campaign": "评级批次", "batch": "审核批次", "round": "回头看", "item": "回头看企业", "year": "年度"}
    parsed: dict[str, int] = {}
    for name in (*table.params, *OPTIONAL_PARAMS):
        text = str(raw.get(name) or "").strip()
        if not text:
            if name in table.params:
                raise ServiceError(f"缺少参数：{labels[name]}", field=name)
            continue
        if not text.isdigit() or len(text) > 9:
            raise ServiceError(f"参数“{labels[name]}”应为正整数：{text[:20]}", field=name)
        value = int(text)
        if name == "year" and not 2000 <= value <= 2100:
            raise ServiceError(f"年度应在 2000–2100 之间：{value}", field=name)
        parsed[name] = value
    return parsed


def export(user: Any, kind: str, raw_params: Any) -> tuple[bytes, str]:
    """The table `kind` as .xlsx bytes and its file name."""
    table = TABLES.get(kind)
    if table is None:
        raise NotFound("没有这个导出表格")
    params = parse_params(table, raw_params)
    subtitle, rows, filename = table.build(user, params)
    note = "（本表列名为平台依据公开文件整理，非官方正式模板）" if not table.layout.official else ""
    sheet = SheetSpec(table.layout, rows, title=table.layout.title, subtitle=f"{subtitle} {note}".strip())
    data = write_workbook([sheet], instructions=True)
    return data, f"{filename}.xlsx"


def provenance_of(kind: str) -> str:
    return provenance(TABLES[kind].layout)
