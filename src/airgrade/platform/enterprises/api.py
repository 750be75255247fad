"""Enterprise registry API: list with filters and server-side pagination, detail, and the registry writes."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from airgrade.core.industries import industry_by_code
from airgrade.platform.enterprises import services
from airgrade.platform.enterprises.models import Enterprise, ProductionLine
from airgrade.platform.enterprises.schemas import (
    EnterpriseDetail,
    EnterpriseIn,
    EnterprisePage,
    EnterprisePatch,
    IndustriesIn,
    IndustryOut,
    LineIn,
    LineOut,
    LinePatch,
    ListParams,
    OutletIn,
    OutletOut,
    SiteIn,
    SiteOut,
)

router = Router(tags=["enterprises"])


def _row(enterprise: Enterprise) -> dict[str, Any]:
    return {
        "id": enterprise.pk,
        "credit_code": enterprise.credit_code,
        "name": enterprise.name,
        "region": enterprise.region_id,
        "region_name": enterprise.region.name,
        "status": enterprise.status,
    }


def _line(line: ProductionLine) -> dict[str, Any]:
    return {
        "id": line.pk,
        "name": line.name,
        "kind": line.kind,
        "parent": line.parent_id,
        "industry_code": line.industry_code,
        "process_type": line.process_type,
        "capacity": line.capacity,
        "capacity_unit": line.capacity_unit,
        "energy_type": line.energy_type,
        "status": line.status,
        "non_interruptible": line.non_interruptible,
    }


def _detail(enterprise: Enterprise) -> dict[str, Any]:
    sites = []
    for site in enterprise.sites.prefetch_related("industries", "lines", "outlets"):
        sites.append(
            {
                "id": site.pk,
                "name": site.name,
                "region": site.region_id,
                "address": site.address,
                "industries": [
                    {
                        "industry_code": item.industry_code,
                        "industry_name": getattr(industry_by_code(item.industry_code), "name_zh", item.industry_code),
                        "branch": item.branch,
                    }
                    for item in site.industries.all()
                ],
                "lines": [_line(line) for line in site.lines.all()],
                "outlets": [
                    {"id": o.pk, "code": o.code, "name": o.name, "pollutants": o.pollutants} for o in site.outlets.all()
                ],
            }
        )
    return {
        **_row(enterprise),
        "address": enterprise.address,
        "contact_name": enterprise.contact_name,
        "contact_phone": enterprise.contact_phone,
        "sites": sites,
    }


@router.get("/", response=EnterprisePage, summary="企业列表（按管辖范围、筛选、分页）")
def list_enterprises(request: HttpRequest, params: Query[ListParams]) -> dict[str, Any]:
    filters = services.EnterpriseFilter(params.q, params.region, params.industry, params.status)
    rows, count, pages = services.list_page(request.user, filters, params.page, params.page_size)
    return {
        "count": count,
        "page": min(max(params.page, 1), max(pages, 1)),
        "pages": pages,
        "page_size": max(1, min(params.page_size, services.MAX_PAGE_SIZE)),
        "results": [_row(e) for e in rows],
    }


@router.get("/{enterprise_id}", response=EnterpriseDetail, summary="企业详情")
def get_enterprise(request: HttpRequest, enterprise_id: int) -> dict[str, Any]:
    return _detail(services.get_enterprise(request.user, enterprise_id))


@router.post("/", response={201: EnterpriseDetail}, summary="登记企业")
def create_enterprise(request: HttpRequest, body: EnterpriseIn) -> tuple[int, dict[str, Any]]:
    enterprise = services.create_enterprise(request.user, body.dict())
    return 201, _detail(enterprise)


@router.patch("/{enterprise_id}", response=EnterpriseDetail, summary="修改企业信息")
def update_enterprise(request: HttpRequest, enterprise_id: int, body: EnterprisePatch) -> dict[str, Any]:
    data = body.dict(exclude_unset=True)
    reason = data.pop("reason", "")
    return _detail(services.update_enterprise(request.user, enterprise_id, data, reason))


@router.post("/{enterprise_id}/sites", response={201: SiteOut}, summary="新增厂区")
def add_site(request: HttpRequest, enterprise_id: int, body: SiteIn) -> tuple[int, dict[str, Any]]:
    data = body.dict()
    reason = data.pop("reason")
    site = services.add_site(request.user, enterprise_id, data, reason)
    return 201, {
        "id": site.pk,
        "name": site.name,
        "region": site.region_id,
        "address": site.address,
        "industries": [],
        "lines": [],
        "outlets": [],
    }


@router.put("/sites/{site_id}/industries", response=list[IndustryOut], summary="设置厂区行业归属")
def set_industries(request: HttpRequest, site_id: int, body: IndustriesIn) -> list[dict[str, Any]]:
    site = services.set_site_industries(request.user, site_id, [i.dict() for i in body.industries], body.reason)
    return [
        {
            "industry_code": i.industry_code,
            "industry_name": industry_by_code(i.industry_code).name_zh,  # type: ignore[union-attr]
            "branch": i.branch,
        }
        for i in site.industries.all()
    ]


@router.post("/sites/{site_id}/lines", response={201: LineOut}, summary="新增生产线/工序/设备")
def add_line(request: HttpRequest, site_id: int, body: LineIn) -> tuple[int, dict[str, Any]]:
    data = body.dict()
    reason = data.pop("reason")
    return 201, _line(services.add_line(request.user, site_id, data, reason))


@router.patch("/lines/{line_id}", response=LineOut, summary="修改生产线")
def update_line(request: HttpRequest, line_id: int, body: LinePatch) -> dict[str, Any]:
    data = body.dict(exclude_unset=True)
    reason = data.pop("reason", "")
    since = data.pop("status_since", None)
    return _line(services.update_line(request.user, line_id, data, reason, status_since=since))


@router.post("/sites/{site_id}/outlets", response={201: OutletOut}, summary="新增排放口")
def add_outlet(request: HttpRequest, site_id: int, body: OutletIn) -> tuple[int, dict[str, Any]]:
    data = body.dict()
    reason = data.pop("reason")
    outlet = services.add_outlet(request.user, site_id, data, reason)
    return 201, {"id": outlet.pk, "code": outlet.code, "name": outlet.name, "pollutants": outlet.pollutants}
