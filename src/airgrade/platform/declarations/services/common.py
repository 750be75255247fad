"""What every declarations service module shares: the clock, lookups, the access target of a declaration, grade
parsing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from airgrade.core.access import Target, decide
from airgrade.core.types import Grade, Role
from airgrade.platform.declarations.models import Campaign, Declaration
from airgrade.platform.errors import NotFound, ServiceError
from airgrade.platform.permissions import actor_of, scoped


def now() -> dt.datetime:
    return timezone.now()


def declaration_target(declaration: Declaration, assignment_key: str | None = None) -> Target:
    return Target(
        region_code=declaration.region_id, enterprise_id=declaration.enterprise_id, assignment_key=assignment_key
    )


def _assignment_key_for(user: Any, declaration: Declaration) -> str | None:
    actor = actor_of(user)
    if actor.role is not Role.EXPERT:
        return None
    for check_id in declaration.onsite_checks.values_list("pk", flat=True):
        key = f"onsite:{check_id}"
        if key in actor.assignments:
            return key
    return None


def require_visible(user: Any, declaration: Declaration) -> None:
    """Out of scope looks like missing, before any other check (state, version, role)."""
    target = declaration_target(declaration, _assignment_key_for(user, declaration))
    if not decide(actor_of(user), "declaration.view", target):
        raise NotFound("申报不存在或不在您的管辖范围内")


def parse_grade(value: Any, field: str = "grade") -> Grade:
    try:
        return Grade(str(value))
    except ValueError:
        raise ServiceError(f"未知的绩效等级: {value}", field=field) from None


def load_declaration(declaration_id: int, *, for_update: bool = False) -> Declaration:
    queryset = Declaration.objects.select_related("campaign", "site", "enterprise", "region")
    if for_update:
        queryset = queryset.select_for_update(of=("self",), no_key=True)
    declaration = queryset.filter(pk=declaration_id).first()
    if declaration is None:
        raise NotFound("申报不存在或不在您的管辖范围内")
    return declaration


def visible_declarations(user: Any) -> QuerySet[Declaration]:
    actor = actor_of(user)
    base = Declaration.objects.select_related("campaign", "site", "enterprise", "region")
    if actor.role is Role.EXPERT:
        check_ids = [int(k.split(":")[1]) for k in actor.assignments if k.startswith("onsite:")]
        return base.filter(onsite_checks__in=check_ids).distinct()
    return scoped(base, actor, enterprise_field="enterprise_id")


def get_campaign(campaign_id: int) -> Campaign:
    campaign = Campaign.objects.select_related("region").filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound("评级批次不存在")
    return campaign


def application_open(campaign: Campaign) -> bool:
    """Applications are accepted until the campaign's deadline; a monthly cycle accepts them all year (REQ LC-6,
    H23-3)."""
    return campaign.kind == Campaign.Kind.MONTHLY or now() <= campaign.application_deadline
