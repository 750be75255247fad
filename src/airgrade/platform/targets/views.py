"""Leaders' view pages (REQ H21-1): a region's A/B share against the province's targets, one level down (the
province by city, a city by county), families, D count, pipeline, planner; the 附件1 / 附件2 workbook. Views only
translate HTTP to service calls."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from airgrade.core.access import Target
from airgrade.core.industries import industry_by_code
from airgrade.core.rules.rulebook import default_rulebook
from airgrade.core.types import Grade
from airgrade.platform.errors import NotFound
from airgrade.platform.labels import grade_label
from airgrade.platform.permissions import actor_of, permissions_for, within
from airgrade.platform.regions.models import Region
from airgrade.platform.targets import exports, services

GRADE_ORDER = [
    grade.value
    for grade in (Grade.A_PLUS, Grade.A, Grade.LEADING, Grade.B, Grade.B_MINUS, Grade.C, Grade.NON_LEADING, Grade.D)
]


def _region_code(request: HttpRequest) -> str:
    code = request.GET.get("region") or actor_of(request.user).region_code or ""
    if not code:
        raise NotFound(services.MISSING_REGION)
    return code


def _chart(report: dict[str, Any]) -> dict[str, Any]:
    """What the charts draw, from the report (the page's tables show the same numbers)."""
    parts = report["parts"]
    projected = {row["key"]: row for row in report["pipeline"]["parts"]}
    projected_families = {row["key"]: row for row in report["pipeline"]["families"]}
    grades_present = [g for g in GRADE_ORDER if any(part["by_grade"].get(g) for part in parts)]
    return {
        "parts": [part["label"] for part in parts],
        "share": [part["share_percent"] for part in parts],
        "projected": [projected.get(part["key"], {}).get("share_percent") for part in parts],
        "target": [part["target_percent"] for part in parts],
        "reference_target": report["total"]["target_percent"],
        "families": [row["label"] for row in report["families"]],
        "family_share": [row["share_percent"] for row in report["families"]],
        "family_projected": [projected_families.get(row["key"], {}).get("share_percent") for row in report["families"]],
        "family_target": [row["target_percent"] for row in report["families"]],
        "family_baseline": [row["baseline_percent"] for row in report["families"]],
        "grades": grades_present,
        "mix": {g: [part["by_grade"].get(g, 0) for part in parts] for g in grades_present},
        "grade_labels": {g: grade_label(g) for g in grades_present},
        "grade_colours": {g: default_rulebook().grade_definition(Grade(g)).colour for g in grades_present},
    }


def _industry_name(code: str) -> str:
    industry = industry_by_code(code)
    return industry.name_zh if industry else code


def _choices(request: HttpRequest) -> list[Region]:
    """The regions the caller may pick: its own and one level down (the province's cities, a city's counties)."""
    own = actor_of(request.user).region_code or ""
    region = Region.objects.filter(code=own).first()
    if region is None:
        return []
    if region.level == "province":
        return [region, *Region.objects.filter(within(own, "code")).exclude(level="county").exclude(code=own)]
    return [region, *Region.objects.filter(parent_id=own)]


def _parent(request: HttpRequest, region: Region) -> Region | None:
    """The region one level up, where the caller may see it (a city's own officials may not see the province)."""
    parent = region.parent if region.parent_id else None
    if parent is None or "targets.view" not in permissions_for(request.user, Target(region_code=parent.code)):
        return None
    return parent


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    code = _region_code(request)
    on = services.parse_date(request.GET.get("as_of"))
    report = services.dashboard(request.user, code, on, with_history=False)
    region = Region.objects.get(code=code)
    for entry in report["pipeline"]["entries"]:
        entry["before_label"], entry["after_label"] = grade_label(entry["before"]), grade_label(entry["after"])
    for row in report["planner"]:
        row["grade_label"] = grade_label(row["grade"])
        row["industry_names"] = [_industry_name(code) for code in row["industries"]]
    industries = [
        {**row, "family": (industry_by_code(row["key"]).family_zh if industry_by_code(row["key"]) else "")}
        for row in report["industries"]
    ]
    return render(
        request,
        "targets/dashboard.html",
        {
            "report": report,
            "region": region,
            "choices": _choices(request),
            "parent": _parent(request, region),
            "as_of": on,
            "industries": industries,
            "part_label": {"province": "城市", "city": "区县"}.get(report["region"]["level"], "区域"),
            "drill": report["region"]["level"] != "county",
            "chart": _chart(report),
        },
    )


@login_required
def workbook(request: HttpRequest) -> HttpResponse:
    code = _region_code(request)
    report = services.dashboard(request.user, code, services.parse_date(request.GET.get("as_of")))
    return exports.workbook_response(report)
