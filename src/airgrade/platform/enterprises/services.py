"""Enterprise registry services: every registry read and write, scoped by role and region, audited."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from airgrade.core import credit_code
from airgrade.core.access import Actor, Target, decide
from airgrade.core.industries import industry_by_code
from airgrade.core.regions import contains
from airgrade.core.types import Pollutant, Role
from airgrade.platform import numbers, params
from airgrade.platform.audit import services as audit
from airgrade.platform.enterprises.models import (
    EmissionOutlet,
    Enterprise,
    IndustryAssignment,
    IndustryListing,
    LineStatusChange,
    ProductionLine,
    RegistryTally,
    Site,
)
from airgrade.platform.errors import NotFound, ServiceError
from airgrade.platform.permissions import actor_of, require, require_found, scoped, within
from airgrade.platform.regions.models import Region

ENTERPRISE_FIELDS = ["credit_code", "name", "region", "address", "contact_name", "contact_phone", "status"]
LINE_FIELDS = [
    "name",
    "kind",
    "process_type",
    "capacity",
    "capacity_unit",
    "energy_type",
    "status",
    "non_interruptible",
    "industry_code",
    "parent",
]
MAX_PAGE_SIZE = 200


def enterprise_target(enterprise: Enterprise) -> Target:
    return Target(region_code=enterprise.region_id, enterprise_id=enterprise.pk)


# ---------------------------------------------------------------- reads


MISSING_ENTERPRISE = "企业不存在或不在您的管辖范围内"


def get_enterprise(user: Any, enterprise_id: int, action: str = "enterprise.view") -> Enterprise:
    """One enterprise if the caller may do `action` on it. Reading out of scope looks like a missing row, so
    nobody learns what exists outside their region; a write out of scope says why it is refused."""
    enterprise = Enterprise.objects.select_related("region").filter(pk=enterprise_id).first()
    if enterprise is None:
        raise NotFound(MISSING_ENTERPRISE)
    require_found(user, action, enterprise_target(enterprise), view="enterprise.view", missing=MISSING_ENTERPRISE)
    return enterprise


@dataclass(frozen=True)
class EnterpriseFilter:
    query: str = ""
    region_code: str = ""
    industry_code: str = ""
    status: str = ""


def _checked(filters: EnterpriseFilter) -> EnterpriseFilter:
    """The filter with its region parsed (a bad code is a 400 naming the parameter, not a 500)."""
    return replace(filters, region_code=params.region_code(filters.region_code))


def visible_enterprises(user: Any, filters: EnterpriseFilter | None = None) -> QuerySet[Enterprise]:
    """The caller's enterprises, narrowed by search text, region, industry and status."""
    actor = actor_of(user)
    queryset = scoped(Enterprise.objects.all(), actor)
    filters = _checked(filters or EnterpriseFilter())
    if filters.query:
        text = filters.query.strip()
        queryset = (
            queryset.filter(name__contains=text) if len(text) != 18 else queryset.filter(credit_code=text.upper())
        )
    if filters.region_code:
        queryset = queryset.filter(within(filters.region_code))
    if filters.industry_code:
        # An IN over the (industry_code, enterprise) index: the planner sees how few enterprises the industry has.
        queryset = queryset.filter(
            pk__in=IndustryAssignment.objects.filter(industry_code=filters.industry_code).values("enterprise_id")
        )
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    return queryset.order_by("region_id", "name", "id")


def list_page(user: Any, filters: EnterpriseFilter, page: int, page_size: int) -> tuple[list[Enterprise], int, int]:
    """One page of the caller's enterprises (region, name order), the total and the page count.

    With an industry filter the rows come from the IndustryListing read model, otherwise from the registry table;
    without a text query the total is summed from RegistryTally. All paths apply the same scope and filters (a test
    checks they agree with a direct registry query)."""
    actor = actor_of(user)
    filters = _checked(filters)
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    if filters.industry_code:
        listing = scoped(
            IndustryListing.objects.filter(industry_code=filters.industry_code), actor, "region_code", "enterprise_id"
        )
        if filters.query:
            text = filters.query.strip()
            listing = (
                listing.filter(name__contains=text)
                if len(text) != 18
                else listing.filter(enterprise__credit_code=text.upper())
            )
        if filters.region_code:
            listing = listing.filter(within(filters.region_code, "region_code"))
        if filters.status:
            listing = listing.filter(status=filters.status)
        ordered_ids = listing.order_by("region_code", "name", "enterprise_id").values_list("enterprise_id", flat=True)
    else:
        ordered_ids = visible_enterprises(user, filters).values_list("pk", flat=True)
    count = _tallied_count(actor, filters)
    if count is None:
        count = ordered_ids.count()
    pages = max(1, -(-count // page_size))
    page = min(max(page, 1), pages)
    ids = list(ordered_ids[(page - 1) * page_size : page * page_size])
    found = Enterprise.objects.select_related("region").in_bulk(ids)
    return [found[i] for i in ids if i in found], count, pages


def _tallied_count(actor: Actor, filters: EnterpriseFilter) -> int | None:
    """The exact total from RegistryTally for staff lists without a text query; None where a tally cannot answer."""
    if filters.query or actor.role not in (Role.COUNTY, Role.CITY, Role.PROVINCE) or not actor.region_code:
        return None
    tallies = RegistryTally.objects.filter(industry_code=filters.industry_code or "")
    for code in filter(None, (actor.region_code, filters.region_code)):
        tallies = tallies.filter(within(code, "region_code"))
    if filters.status:
        tallies = tallies.filter(status=filters.status)
    return int(tallies.aggregate(total=Sum("count"))["total"] or 0)


@transaction.atomic
def retally(region_codes: set[str]) -> None:
    """Recount RegistryTally for the regions enterprises are registered in (a county has a few thousand at most)."""
    codes = sorted(code for code in region_codes if code)
    # Lock the regions so two writers in one county recount one after the other.
    list(Region.objects.select_for_update(no_key=True).filter(code__in=codes).values_list("code", flat=True))
    RegistryTally.objects.filter(region_code__in=codes).delete()
    rows = [
        RegistryTally(region_code=row["region_id"], industry_code="", status=row["status"], count=row["n"])
        for row in Enterprise.objects.filter(region_id__in=codes).values("region_id", "status").annotate(n=Count("id"))
    ]
    rows += [
        RegistryTally(
            region_code=row["region_code"], industry_code=row["industry_code"], status=row["status"], count=row["n"]
        )
        for row in IndustryListing.objects.filter(region_code__in=codes)
        .values("region_code", "industry_code", "status")
        .annotate(n=Count("id"))
    ]
    RegistryTally.objects.bulk_create(rows)


_deferred = threading.local()


@contextmanager
def deferred_tally() -> Iterator[None]:
    """Inside one transaction, recount RegistryTally once at the end instead of after every write: an import that
    registers thousands of enterprises would otherwise recount their county thousands of times."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("deferred_tally must run inside a transaction")
    outer = getattr(_deferred, "regions", None)
    if outer is not None:
        yield
        return
    _deferred.regions = set()
    try:
        yield
        regions = _deferred.regions
    finally:
        del _deferred.regions
    retally(regions)


def _registry_changed(enterprise: Enterprise, previous_region: str = "") -> None:
    """Keep the list read model and the tallies in step after a write to an enterprise or its industries."""
    IndustryListing.objects.filter(enterprise=enterprise).delete()
    codes = sorted(
        set(IndustryAssignment.objects.filter(enterprise=enterprise).values_list("industry_code", flat=True))
    )
    IndustryListing.objects.bulk_create(
        IndustryListing(
            enterprise=enterprise,
            industry_code=code,
            region_code=enterprise.region_id,
            name=enterprise.name,
            status=enterprise.status,
        )
        for code in codes
    )
    pending = getattr(_deferred, "regions", None)
    if pending is not None:
        pending.update({enterprise.region_id, previous_region})
        return
    retally({enterprise.region_id, previous_region})


# ---------------------------------------------------------------- validation


def _resolve_region(code: Any, field: str = "region") -> Region:
    region = Region.objects.filter(code=str(code or "").strip()).first()
    if region is None:
        raise ServiceError(f"行政区划代码 {code!r} 不存在", field=field)
    if region.level == "province":
        raise ServiceError("企业须落在市或县（区）级行政区划", field=field)
    return region


def _clean_enterprise(data: dict[str, Any], actor: Actor, existing: Enterprise | None) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key in data:
        if key not in ENTERPRISE_FIELDS:
            raise ServiceError(f"未知字段: {key}", field=key)
    if "credit_code" in data or existing is None:
        try:
            cleaned["credit_code"] = credit_code.validate(str(data.get("credit_code") or ""))
        except credit_code.CreditCodeError as exc:
            raise ServiceError(str(exc), field="credit_code") from None
        duplicate = Enterprise.objects.filter(credit_code=cleaned["credit_code"])
        if existing is not None:
            duplicate = duplicate.exclude(pk=existing.pk)
        if duplicate.exists():
            raise ServiceError(f"统一社会信用代码 {cleaned['credit_code']} 已被其他企业使用", field="credit_code")
    if "name" in data or existing is None:
        name = str(data.get("name") or "").strip()
        if not name:
            raise ServiceError("企业名称不能为空", field="name")
        if len(name) > 200:
            raise ServiceError("企业名称不能超过200个字符", field="name")
        cleaned["name"] = name
    if "region" in data or existing is None:
        region = _resolve_region(data.get("region"))
        if actor.region_code and not contains(actor.region_code, region.code):
            raise ServiceError("不能把企业登记到本账号管辖区域以外", field="region")
        if actor.enterprise_id is not None and existing is not None and region.code != existing.region_id:
            raise ServiceError("企业用户不能变更所在区划，请联系县级生态环境部门", field="region")
        cleaned["region"] = region
    if "status" in data:
        status = data["status"]
        if status not in Enterprise.Status.values:
            raise ServiceError(f"未知的企业状态: {status}", field="status")
        cleaned["status"] = status
    for key in ("address", "contact_name", "contact_phone"):
        if key in data:
            cleaned[key] = str(data[key] or "").strip()
    return cleaned


def _clean_line(data: dict[str, Any], site: Site, existing: ProductionLine | None) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    for key in data:
        if key not in LINE_FIELDS:
            raise ServiceError(f"未知字段: {key}", field=key)
    if "name" in data or existing is None:
        name = str(data.get("name") or "").strip()
        if not name:
            raise ServiceError("名称不能为空", field="name")
        cleaned["name"] = name
    if "capacity" in data or existing is None:
        # Bounded by the column and quantised to its decimals, so the audited "after" equals what is stored.
        capacity = numbers.service_clean(ProductionLine, "capacity", data.get("capacity"), label="产能")
        if capacity < 0:
            raise ServiceError("产能不能为负数", field="capacity")
        cleaned["capacity"] = capacity
    if "capacity_unit" in data or existing is None:
        unit = str(data.get("capacity_unit") or "").strip()
        if not unit:
            raise ServiceError("产能单位不能为空", field="capacity_unit")
        cleaned["capacity_unit"] = unit
    for key, choices in (("kind", ProductionLine.Kind.values), ("status", ProductionLine.Status.values)):
        if key in data:
            if data[key] not in choices:
                raise ServiceError(f"{key} 取值无效: {data[key]}", field=key)
            cleaned[key] = data[key]
    if data.get("industry_code"):
        code = data["industry_code"]
        if industry_by_code(code) is None:
            raise ServiceError(f"未知的重点行业: {code}", field="industry_code")
        cleaned["industry_code"] = code
    if "parent" in data:
        parent_id = data["parent"]
        if parent_id in (None, ""):
            cleaned["parent"] = None
        else:
            parent = ProductionLine.objects.filter(pk=parent_id, site=site).first()
            if parent is None or (existing is not None and parent.pk == existing.pk):
                raise ServiceError("所属生产线必须是同一厂区内的另一条生产线", field="parent")
            cleaned["parent"] = parent
    for key in ("process_type", "energy_type"):
        if key in data:
            cleaned[key] = str(data[key] or "").strip()
    if "non_interruptible" in data:
        cleaned["non_interruptible"] = bool(data["non_interruptible"])
    return cleaned


# ---------------------------------------------------------------- writes


@transaction.atomic
def create_enterprise(user: Any, data: dict[str, Any], reason: str = "") -> Enterprise:
    actor = actor_of(user)
    cleaned = _clean_enterprise(data, actor, None)
    require(actor, "enterprise.create", Target(region_code=cleaned["region"].code))
    try:
        with transaction.atomic():
            enterprise = Enterprise.objects.create(**cleaned)
    except IntegrityError:
        raise ServiceError("统一社会信用代码已被其他企业使用", field="credit_code") from None
    _registry_changed(enterprise)
    audit.record(
        actor=user,
        action="enterprise.create",
        obj=enterprise,
        region_code=enterprise.region_id,
        after=audit.snapshot(enterprise, ENTERPRISE_AUDIT_FIELDS),
        reason=reason,
    )
    return enterprise


# Audited by column: foreign keys by their id.
ENTERPRISE_AUDIT_FIELDS = ["region_id" if name == "region" else name for name in ENTERPRISE_FIELDS]
LINE_AUDIT_FIELDS = ["site_id", *("parent_id" if name == "parent" else name for name in LINE_FIELDS)]


@transaction.atomic
def update_enterprise(user: Any, enterprise_id: int, data: dict[str, Any], reason: str = "") -> Enterprise:
    enterprise = _locked_enterprise(user, enterprise_id)
    actor = actor_of(user)
    if "status" in data and data["status"] != enterprise.status:
        require(actor, "enterprise.set_status", enterprise_target(enterprise))
    cleaned = _clean_enterprise(data, actor, enterprise)
    before = audit.snapshot(enterprise, ENTERPRISE_AUDIT_FIELDS)
    for key, value in cleaned.items():
        setattr(enterprise, key, value)
    enterprise.save()
    after = audit.snapshot(enterprise, ENTERPRISE_AUDIT_FIELDS)
    if after != before:
        _registry_changed(enterprise, before["region_id"])
        audit.record(
            actor=user,
            action="enterprise.update",
            obj=enterprise,
            region_code=enterprise.region_id,
            before=before,
            after=after,
            reason=reason,
        )
    return enterprise


def _locked_enterprise(user: Any, enterprise_id: int) -> Enterprise:
    enterprise = get_enterprise(user, enterprise_id, "enterprise.edit")
    return Enterprise.objects.select_for_update(no_key=True).get(pk=enterprise.pk)


@transaction.atomic
def add_site(user: Any, enterprise_id: int, data: dict[str, Any], reason: str = "") -> Site:
    enterprise = _locked_enterprise(user, enterprise_id)
    name = str(data.get("name") or "").strip()
    if not name:
        raise ServiceError("厂区名称不能为空", field="name")
    if enterprise.sites.filter(name=name).exists():
        raise ServiceError(f"厂区名称“{name}”已存在", field="name")
    region = _site_region(actor_of(user), enterprise, data.get("region"), reason)
    site = Site.objects.create(enterprise=enterprise, name=name, region=region, address=str(data.get("address") or ""))
    audit.record(
        actor=user,
        action="site.create",
        obj=site,
        region_code=site.region_id,
        after=audit.snapshot(site, ["enterprise_id", "name", "region_id", "address"]),
        reason=reason,
    )
    return site


def _site_region(actor: Actor, enterprise: Enterprise, requested: Any, reason: str) -> Region:
    """A site lies in the enterprise's own region: its declarations go to that county, so whoever places a site
    elsewhere chooses the reviewer. Only a city or province bureau may place it elsewhere inside its jurisdiction,
    with a reason that the audit record keeps."""
    code = str(requested or "").strip()
    if not code or code == enterprise.region_id:
        return enterprise.region
    region = _resolve_region(code)
    decision = decide(actor, "site.place_elsewhere", Target(region_code=region.code))
    if not decision:
        if decide(actor, "site.place_elsewhere", Target(region_code=enterprise.region_id)):
            raise ServiceError("不能把厂区登记到本账号管辖区域以外", field="region")
        raise ServiceError(
            "厂区所在区划即企业所在区划；如确需登记在其他县（区），请由市级或省级生态环境部门办理", field="region"
        )
    if not reason.strip():
        raise ServiceError("厂区登记在企业所在区划以外须填写原因", field="reason")
    return region


def _site_for_edit(user: Any, site_id: int) -> Site:
    site = Site.objects.filter(pk=site_id).first()
    if site is None:
        raise NotFound("厂区不存在或不在您的管辖范围内")
    _locked_enterprise(user, site.enterprise_id)
    return site


@transaction.atomic
def set_site_industries(user: Any, site_id: int, industries: list[dict[str, str]], reason: str = "") -> Site:
    """Replace a site's industry assignments with `industries` ([{industry_code, branch}])."""
    site = _site_for_edit(user, site_id)
    cleaned: list[tuple[str, str]] = []
    for position, item in enumerate(industries, start=1):
        code = str(item.get("industry_code") or "").strip()
        industry = industry_by_code(code)
        if industry is None:
            raise ServiceError(f"第{position}项: 未知的重点行业 {code!r}", field="industry_code")
        if not industry.applies_in(site.region_id):
            raise ServiceError(f"第{position}项: {industry.name_zh} 是地方行业，不适用于本地区", field="industry_code")
        pair = (code, str(item.get("branch") or "").strip())
        if pair in cleaned:
            raise ServiceError(f"第{position}项: 重复的行业归属 {industry.name_zh}", field="industry_code")
        cleaned.append(pair)
    before = sorted(site.industries.values_list("industry_code", "branch"))
    site.industries.all().delete()
    IndustryAssignment.objects.bulk_create(
        IndustryAssignment(site=site, enterprise_id=site.enterprise_id, industry_code=code, branch=branch)
        for code, branch in cleaned
    )
    _registry_changed(site.enterprise)
    audit.record(
        actor=user,
        action="site.set_industries",
        obj=site,
        region_code=site.region_id,
        before={"industries": before},
        after={"industries": sorted(cleaned)},
        reason=reason,
    )
    return site


@transaction.atomic
def add_line(user: Any, site_id: int, data: dict[str, Any], reason: str = "") -> ProductionLine:
    site = _site_for_edit(user, site_id)
    cleaned = _clean_line(data, site, None)
    line = ProductionLine.objects.create(site=site, **cleaned)
    _record_status(user, line, timezone.now(), reason)
    audit.record(
        actor=user,
        action="line.create",
        obj=line,
        region_code=site.region_id,
        after=audit.snapshot(line, LINE_AUDIT_FIELDS),
        reason=reason,
    )
    return line


def _record_status(user: Any, line: ProductionLine, since: dt.datetime, reason: str) -> LineStatusChange:
    """The line's status from `since` on, in the caller's transaction (the history and the line never disagree)."""
    return LineStatusChange.objects.create(
        line=line, status=line.status, since=since, changed_by=user if getattr(user, "pk", None) else None,
        reason=str(reason or "").strip()[:2000],
    )  # fmt: skip


def _status_since(line: ProductionLine, changing: bool, since: dt.datetime | None) -> dt.datetime:
    """When the new status took effect: now by default; a declared earlier moment must follow the line's last
    recorded change (history stays in order) and cannot lie in the future."""
    now = timezone.now()
    if since is None:
        return now
    if not changing:
        raise ServiceError("运行状态未变更，不能填写状态变更时间", field="status_since")
    if timezone.is_naive(since):
        since = timezone.make_aware(since)
    if since > now:
        raise ServiceError("状态变更时间不能晚于当前时间", field="status_since")
    last = line.status_history.order_by("-since", "-pk").values_list("since", flat=True).first()
    if last is not None and since < last:
        shown = timezone.localtime(last).strftime("%Y-%m-%d %H:%M")
        raise ServiceError(f"状态变更时间不能早于上一次状态记录（{shown}）", field="status_since")
    return since


@transaction.atomic
def update_line(
    user: Any, line_id: int, data: dict[str, Any], reason: str = "", *, status_since: dt.datetime | None = None
) -> ProductionLine:
    """Change a line; a change of its status is recorded in the line's status history (from `status_since`, default
    now) in the same transaction."""
    line = ProductionLine.objects.filter(pk=line_id).first()
    if line is None:
        raise NotFound("生产线不存在或不在您的管辖范围内")
    site = _site_for_edit(user, line.site_id)
    line = ProductionLine.objects.select_for_update(no_key=True).get(pk=line_id)
    cleaned = _clean_line(data, site, line)
    changing = "status" in cleaned and cleaned["status"] != line.status
    since = _status_since(line, changing, status_since)
    before = audit.snapshot(line, LINE_AUDIT_FIELDS)
    for key, value in cleaned.items():
        setattr(line, key, value)
    line.save()
    if changing:
        _record_status(user, line, since, reason)
    after = audit.snapshot(line, LINE_AUDIT_FIELDS)
    if changing:
        after["status_since"] = since.isoformat()
    if after != before:
        audit.record(
            actor=user,
            action="line.update",
            obj=line,
            region_code=site.region_id,
            before=before,
            after=after,
            reason=reason,
        )
    return line


def line_status_history(user: Any, line_id: int) -> QuerySet[LineStatusChange]:
    """A line's status history, newest first, for whoever may view its enterprise (out of scope: not found)."""
    line = ProductionLine.objects.select_related("site").filter(pk=line_id).first()
    if line is None:
        raise NotFound("生产线不存在或不在您的管辖范围内")
    get_enterprise(user, line.site.enterprise_id)
    return LineStatusChange.objects.filter(line=line).select_related("changed_by").order_by("-since", "-pk")


@transaction.atomic
def add_outlet(user: Any, site_id: int, data: dict[str, Any], reason: str = "") -> EmissionOutlet:
    site = _site_for_edit(user, site_id)
    code = str(data.get("code") or "").strip()
    if not code:
        raise ServiceError("排放口编号不能为空", field="code")
    if site.outlets.filter(code=code).exists():
        raise ServiceError(f"排放口编号 {code} 已存在", field="code")
    pollutants = list(data.get("pollutants") or [])
    unknown = [p for p in pollutants if p not in {item.value for item in Pollutant}]
    if unknown:
        raise ServiceError(f"未知污染物: {', '.join(map(str, unknown))}", field="pollutants")
    outlet = EmissionOutlet.objects.create(
        site=site, code=code, name=str(data.get("name") or code), pollutants=pollutants
    )
    audit.record(
        actor=user,
        action="outlet.create",
        obj=outlet,
        region_code=site.region_id,
        after=audit.snapshot(outlet, ["site_id", "code", "name", "pollutants"]),
        reason=reason,
    )
    return outlet


@dataclass(frozen=True)
class NewRegistration:
    """One enterprise to register with its first site and that site's industries (a bulk import)."""

    credit_code: str
    name: str
    region_code: str
    site_name: str
    industries: tuple[str, ...]


@transaction.atomic
def register_many(user: Any, items: list[NewRegistration], reason: str = "") -> dict[str, Site]:
    """Register many new enterprises at once — what create_enterprise, add_site and set_site_industries do one by
    one (same checks, same rows, the same audit records on the chain, the read model and the tallies), in a few
    bulk statements. Credit code → the new site. Any problem refuses the whole call."""
    actor = actor_of(user)
    regions = {region.code: region for region in Region.objects.filter(code__in={i.region_code for i in items})}
    for code in {i.region_code for i in items}:
        region = regions.get(code)
        if region is None or region.level == "province":
            raise ServiceError(f"行政区划代码 {code!r} 不存在或不能登记企业", field="region")
        if actor.region_code and not contains(actor.region_code, code):
            raise ServiceError("不能把企业登记到本账号管辖区域以外", field="region")
        require(actor, "enterprise.create", Target(region_code=code))
    try:
        codes = [credit_code.validate(i.credit_code) for i in items]
    except credit_code.CreditCodeError as exc:
        raise ServiceError(str(exc), field="credit_code") from None
    if len(set(codes)) != len(codes):
        raise ServiceError("同一批登记中统一社会信用代码重复", field="credit_code")
    for start in range(0, len(codes), 500):
        taken = list(
            Enterprise.objects.filter(credit_code__in=codes[start : start + 500]).values_list("credit_code", flat=True)[
                :1
            ]
        )
        if taken:
            raise ServiceError(f"统一社会信用代码 {taken[0]} 已被其他企业使用", field="credit_code")
    for item in items:
        if not item.name.strip() or len(item.name.strip()) > 200:
            raise ServiceError(f"企业名称须为1–200个字符：{item.credit_code}", field="name")
        for industry_code in item.industries:
            industry = industry_by_code(industry_code)
            if industry is None or not industry.applies_in(item.region_code):
                raise ServiceError(
                    f"{item.credit_code}: 行业 {industry_code} 未知或不适用于本地区", field="industry_code"
                )
    enterprises = Enterprise.objects.bulk_create(
        [
            Enterprise(credit_code=code, name=i.name.strip(), region=regions[i.region_code])
            for code, i in zip(codes, items, strict=True)
        ],
        batch_size=500,
    )
    sites = Site.objects.bulk_create(
        [
            Site(enterprise=enterprise, name=item.site_name, region=enterprise.region, address="")
            for enterprise, item in zip(enterprises, items, strict=True)
        ],
        batch_size=500,
    )
    IndustryAssignment.objects.bulk_create(
        [
            IndustryAssignment(site=site, enterprise=enterprise, industry_code=code, branch="")
            for enterprise, site, item in zip(enterprises, sites, items, strict=True)
            for code in dict.fromkeys(item.industries)
        ],
        batch_size=1000,
    )
    IndustryListing.objects.bulk_create(
        [
            IndustryListing(
                enterprise=enterprise,
                industry_code=code,
                region_code=enterprise.region_id,
                name=enterprise.name,
                status=enterprise.status,
            )
            for enterprise, item in zip(enterprises, items, strict=True)
            for code in sorted(set(item.industries))
        ],
        batch_size=1000,
    )
    records = []
    for enterprise, site, item in zip(enterprises, sites, items, strict=True):
        records += [
            {
                "action": "enterprise.create",
                "obj": enterprise,
                "region_code": enterprise.region_id,
                "after": audit.snapshot(enterprise, ENTERPRISE_AUDIT_FIELDS),
                "reason": reason,
            },
            {
                "action": "site.create",
                "obj": site,
                "region_code": site.region_id,
                "after": audit.snapshot(site, ["enterprise_id", "name", "region_id", "address"]),
                "reason": reason,
            },
            {
                "action": "site.set_industries",
                "obj": site,
                "region_code": site.region_id,
                "before": {"industries": []},
                "after": {"industries": sorted((code, "") for code in dict.fromkeys(item.industries))},
                "reason": reason,
            },
        ]
    audit.record_many(actor=user, records=records)
    pending = getattr(_deferred, "regions", None)
    if pending is not None:
        pending.update(regions)
    else:
        retally(set(regions))
    return {enterprise.credit_code: site for enterprise, site in zip(enterprises, sites, strict=True)}
