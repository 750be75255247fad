"""Helpers for the workflow tests: a campaign, a ready declaration, and a declaration forced into a state."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from airgrade.platform.declarations import services
from airgrade.platform.declarations.models import Campaign, Declaration, OnsiteCheck


def _pdf() -> bytes:
    # A real one-page PDF: evidence PDFs must parse (pypdf) since issue 8 defect 11.
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


PDF = _pdf()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32 + b"\x00\x00\x00\x00IEND\xaeB`\x82"
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 32 + b"\xff\xd9"


def make_campaign(city_user: Any, *, region: str = "410100", days: int = 30, **kwargs: Any) -> Campaign:
    return services.create_campaign(
        city_user,
        name=kwargs.pop("name", "2026年绩效分级"),
        region_code=region,
        application_deadline=timezone.now() + dt.timedelta(days=days),
        **kwargs,
    )


# Facts the rule book knows for each industry the tests declare (a declaration with unknown facts cannot be submitted).
FACTS: dict[str, dict[str, Any]] = {"cement": {"ammonia_slip": 4.5}, "glass": {}, "packaging_printing": {}}


def ready_declaration(
    enterprise_user: Any, campaign: Campaign, *, grade: str = "B", industry: str = "cement"
) -> Declaration:
    site = enterprise_user.enterprise.sites.first()
    declaration = services.create_declaration(
        enterprise_user,
        campaign_id=campaign.pk,
        site_id=site.pk,
        items=[{"industry_code": industry, "target_grade": grade, "facts": FACTS[industry]}],
    )
    services.upload_evidence(
        enterprise_user, declaration.pk, filename="监测报告.pdf", content=PDF, indicator_id="emission_limits"
    )
    services.sign_commitment(enterprise_user, declaration.pk, signer_name="张伟")
    return services.generate_document(enterprise_user, declaration.pk)


def force_state(
    declaration: Declaration, state: str, creator: Any, *, checks: bool = True, sampled: bool | None = True
) -> Declaration:
    """Put a declaration into `state` with every precondition met (signed on-site checks, sampled)."""
    Declaration.objects.filter(pk=declaration.pk).update(state=state, sampled_for_city=sampled)
    if checks:
        for level in (OnsiteCheck.Level.COUNTY, OnsiteCheck.Level.CITY):
            OnsiteCheck.objects.get_or_create(
                declaration=declaration,
                level=level,
                defaults={
                    "created_by": creator,
                    "signed_by": creator,
                    "signed_at": timezone.now(),
                    "signature_name": "核查人",
                    "conclusion": "consistent",
                },
            )
    return Declaration.objects.get(pk=declaration.pk)


def act(user: Any, declaration: Declaration, action: str, **kwargs: Any) -> Declaration:
    declaration.refresh_from_db()
    return services.transition(user, declaration.pk, action, expected_state=declaration.state, **kwargs)


def province_verified(users: dict[str, Any], grade: str = "B") -> Declaration:
    """The home enterprise's declaration for `grade`, verified by the province: its grade is in the registry."""
    campaign = make_campaign(users["city"])
    declaration = force_state(
        ready_declaration(users["enterprise"], campaign, grade=grade), "province_verification", users["county"]
    )
    return act(users["province"], declaration, "declaration.province_verify")
