"""Review opinions as DOCX (REQ LC-7 附件3/4/5, H23-3): filled from the declaration's sealed review event of that
kind (the latest, if the declaration went round more than once) and signed by the reviewer's name and date. Whoever
may see the declaration may download its opinions (the enterprise sees its reviews' opinions too); out of scope,
or no such review yet, is a 404."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from airgrade.core.industries import industry_by_code
from airgrade.core.types import Role
from airgrade.core.workflow.transitions import transition_for
from airgrade.io.documents.review_opinion import LABELS, OPINION_ACTIONS, TITLES, ReviewOpinion, render_docx
from airgrade.platform.declarations import services as declarations
from airgrade.platform.declarations.models import OnsiteCheck
from airgrade.platform.errors import NotFound
from airgrade.platform.regions.models import Region

ROLE_SIGNERS = {Role.COUNTY.value: "县级审核人", Role.CITY.value: "市级审核人"}


def _industry(code: str) -> str:
    industry = industry_by_code(code)
    return industry.name_zh if industry else code


def build(user: Any, declaration_id: int, kind: str) -> ReviewOpinion:
    if kind not in OPINION_ACTIONS:
        raise NotFound("没有这种审核意见文书")
    declaration = declarations.get_declaration(user, declaration_id)
    event = declaration.events.filter(action__in=OPINION_ACTIONS[kind]).order_by("-at", "-id").first()
    if event is None:
        raise NotFound(f"该申报尚无{LABELS[kind]}")
    county = Region.objects.select_related("parent").get(pk=declaration.region_id)
    city = county.parent if county.parent is not None and county.level == "county" else county
    items = list(declaration.items.all())
    basics = [
        ("企业名称", declaration.enterprise.name),
        ("统一社会信用代码", declaration.enterprise.credit_code),
        ("厂区", declaration.site.name),
        ("所在区划", county.full_name()),
        ("申报编号", declaration.number),
        ("评级批次", declaration.campaign.name),
        ("申报行业及等级", "；".join(f"{_industry(i.industry_code)} {i.target_grade}" for i in items)),
        ("保障类企业", "是" if declaration.is_guarantee else "否"),
    ]
    if event.grade:
        basics.append(("评定等级" if kind == "county-review" else "建议等级", event.grade))
    level = OnsiteCheck.Level.CITY if kind == "city-review" else OnsiteCheck.Level.COUNTY
    findings = [
        [
            check.get_level_display(),
            check.get_conclusion_display() or "—",
            check.signature_name or "—",
            timezone.localtime(check.signed_at).date().isoformat() if check.signed_at else "—",
        ]
        for check in declaration.onsite_checks.filter(level=level)
    ]
    transition = transition_for(event.action)
    at = timezone.localtime(event.at)
    return ReviewOpinion(
        kind=kind,
        title=TITLES[kind].format(county=county.name, city=city.name),
        basics=basics,
        conclusion=getattr(transition, "label_zh", event.action),
        opinion=event.opinion,
        signer_role=ROLE_SIGNERS.get(event.reviewer_role, "审核人"),
        signer_name=event.reviewer_name,
        date_text=f"{at.year}年{at.month}月{at.day}日",
        seal=event.seal,
        findings=findings,
    )


def review_opinion(user: Any, declaration_id: int, kind: str) -> tuple[bytes, str]:
    """The opinion as DOCX bytes and its file name."""
    opinion = build(user, declaration_id, kind)
    declaration = declarations.get_declaration(user, declaration_id)
    return render_docx(opinion), f"{LABELS[kind]}-{declaration.number}.docx"
