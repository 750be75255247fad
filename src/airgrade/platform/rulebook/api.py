"""Rule book API: public reads of the industries and their rules; grading evaluation for logged-in users."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Body, Router

from airgrade.platform.rulebook import services
from airgrade.platform.rulebook.schemas import GradingReportOut, IndustryRow, IndustryRulesOut

rules_router = Router(tags=["rules"])
grading_router = Router(tags=["grading"])


@rules_router.get("/industries", auth=None, response=list[IndustryRow], summary="重点行业目录（公开）")
def list_industries(request: HttpRequest, region: str = "") -> list[dict[str, Any]]:
    return services.industries(region or None)


@rules_router.get(
    "/{code}", auth=None, response=IndustryRulesOut, summary="某行业在某日生效的指标、限值、来源与减排措施（公开）"
)
def industry_rules(request: HttpRequest, code: str, as_of: str = "", region: str = "") -> dict[str, Any]:
    return services.industry_rules(code, as_of or None, region or None)


@grading_router.post(
    "/evaluate", response=GradingReportOut, summary="按事实评级（需登录）：等级、逐项追溯、限制条件与差距"
)
def evaluate(request: HttpRequest, payload: dict[str, Any] = Body(...), as_of: str = "") -> dict[str, Any]:
    return services.evaluate(payload, as_of or None)
