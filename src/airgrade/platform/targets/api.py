"""Targets API (/api/targets/): the leaders' figures of a region the caller may see, as JSON or the filled
附件1 / 附件2 workbooks (REQ H21-1). Every endpoint calls a service that checks role and region scope."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from airgrade.platform.targets import exports, services
from airgrade.platform.targets.schemas import HistoryPoint, ReportOut

router = Router(tags=["targets"])


@router.get("/{region}/", response=ReportOut)
def region_report(request: HttpRequest, region: str, as_of: str = "") -> Any:
    """A/B share against the targets for the region and one level down, families, industries, pipeline, history."""
    return services.dashboard(request.user, region, services.parse_date(as_of))


@router.get("/{region}/history", response=list[HistoryPoint], url_name="targets_history")
def region_history(request: HttpRequest, region: str, as_of: str = "") -> Any:
    """The region's A/B share and D count at each month end of the last year."""
    return services.history(request.user, region, services.parse_date(as_of))


@router.get("/{region}/workbook.xlsx")
def region_workbook(request: HttpRequest, region: str, as_of: str = "") -> HttpResponse:
    """附件1 and 附件2 with the seed's headers, filled with the region's figures on the date."""
    report = services.dashboard(request.user, region, services.parse_date(as_of))
    return exports.workbook_response(report)
