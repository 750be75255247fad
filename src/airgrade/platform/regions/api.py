"""Regions API: the region tree, readable by any signed-in user."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from airgrade.platform.regions.models import Region
from airgrade.platform.regions.schemas import RegionOut

router = Router(tags=["regions"])


@router.get("/", response=list[RegionOut], summary="行政区划列表")
def list_regions(request: HttpRequest, parent: str | None = None) -> list[RegionOut]:
    queryset = Region.objects.all()
    if parent:
        queryset = queryset.filter(parent_id=parent)
    return [RegionOut(code=r.code, name=r.name, level=r.level, parent=r.parent_id) for r in queryset]
