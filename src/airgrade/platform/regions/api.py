"""Regions API: the region tree, readable by any signed-in user."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from airgrade.platform.regions.models import Region

router = Router(tags=["regions"])


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent: str | None


@router.get("/", response=list[RegionOut], summary="行政区划列表")
def list_regions(request: HttpRequest, parent: str | None = None) -> list[RegionOut]:
    queryset = Region.objects.all()
    if parent:
        queryset = queryset.filter(parent_id=parent)
    return [RegionOut(code=r.code, name=r.name, level=r.level, parent=r.parent_id) for r in queryset]
