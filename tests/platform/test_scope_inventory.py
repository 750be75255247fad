"""Every URL and every API operation, called anonymously and out of scope: refused, nothing written, nothing leaked.

The tables below are the inventory. The two `test_*_inventory_is_complete` tests enumerate the URL map and the
NinjaAPI routers and fail when an endpoint is missing here, so a new endpoint cannot ship without its scope test.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from tests.platform.declarations.workflow_helpers import PNG, act, force_state, make_campaign, ready_declaration
from tests.platform.emergency.emergency_platform_builders import payload

from airgrade.platform.audit.models import AuditRecord

pytestmark = pytest.mark.django_db

World = dict[str, Any]
# Everyone who must not reach an object that belongs to the home county's enterprise (巩义, 410181).
OUTSIDERS = ("other_county", "other_city", "other_enterprise_user", "expert")
# City-level objects (郑州, 410100): a neighbouring county inside the city may legitimately see them.
CITY_OUTSIDERS = ("other_city", "other_enterprise_user", "expert")
OFFICIALS_ELSEWHERE = ("other_county", "other_city")
REFUSED = {401, 403, 404}
# The admin is for staff accounts only; no role of the platform is staff by itself.
NOT_STAFF = (*OUTSIDERS, "county", "city", "province", "enterprise")


@dataclass(frozen=True)
class Endpoint:
    """One row of the inventory. kind: `refuse` (403/404), `list` (200 without home data) or `public`."""

    method: str
    route: str
    url: Callable[[World], str]
    body: Callable[[World], dict[str, Any]] | None = None
    outsiders: tuple[str, ...] = OUTSIDERS
    kind: str = "refuse"
    multipart: bool = False
    public_refused: bool = False  # a public call about non-public data must be refused (4xx), not answered
    also_refused: frozenset[int] = frozenset()


def _today(days: int = 0) -> str:
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


# ---------------------------------------------------------------------------------------------------------------------
# The JSON API (/api/…): route strings exactly as the routers register them.
API: list[Endpoint] = [
    # jobs and workbooks (issue 10)
    Endpoint("GET", "/jobs/", lambda w: "/api/jobs/", kind="list"),
    Endpoint("GET", "/jobs/{job_id}", lambda w: f"/api/jobs/{w['job'].pk}"),
    Endpoint("POST", "/jobs/{job_id}/cancel", lambda w: f"/api/jobs/{w['job'].pk}/cancel"),
    Endpoint("GET", "/jobs/{job_id}/result", lambda w: f"/api/jobs/{w['job'].pk}/result"),
    Endpoint(
        "POST",
        "/workbooks/imports",
        lambda w: "/api/workbooks/imports",
        lambda w: {"file": ("清单.xlsx", b""), "kind": "emergency_list"},
        multipart=True,
        also_refused=frozenset({400}),
    ),
    Endpoint("POST", "/workbooks/imports/{job_id}/commit", lambda w: f"/api/workbooks/imports/{w['job'].pk}/commit"),
    Endpoint("GET", "/workbooks/templates/{kind}", lambda w: "/api/workbooks/templates/emergency_list", kind="list"),
    Endpoint(
        "GET", "/workbooks/exports/emergency-list", lambda w: "/api/workbooks/exports/emergency-list", kind="list"
    ),
    Endpoint(
        "GET",
        "/workbooks/opinions/{declaration_id}/{kind}",
        lambda w: f"/api/workbooks/opinions/{w['reviewing'].pk}/county-preliminary",
    ),
    Endpoint(
        "GET",
        "/workbooks/exports/official/{kind}",
        lambda w: f"/api/workbooks/exports/official/ab-list?campaign={w['campaign'].pk}",
        kind="list",
    ),
    # green-performance evaluation (issue 14)
    Endpoint(
        "GET",
        "/scorecards/rounds/{round_id}/ranking",
        lambda w: f"/api/scorecards/rounds/{w['score_round'].pk}/ranking",
        kind="list_or_refuse",
    ),
    Endpoint("GET", "/scorecards/sheets/{scorecard_id}", lambda w: f"/api/scorecards/sheets/{w['scorecard'].pk}"),
    Endpoint(
        "POST",
        "/scorecards/sheets/{scorecard_id}/values",
        lambda w: f"/api/scorecards/sheets/{w['scorecard'].pk}/values",
        lambda w: {"source": "declared", "values": {"env_permit": True}},
    ),
    Endpoint(
        "POST",
        "/scorecards/pre-assess",
        lambda w: "/api/scorecards/pre-assess",
        lambda w: {"industry": "cement", "stated": {"env_permit": True}},
        kind="list",
        also_refused=frozenset({400}),
    ),
    Endpoint("GET", "/regions/", lambda w: "/api/regions/", kind="public_login", outsiders=OUTSIDERS),
    # enterprises
    Endpoint("GET", "/enterprises/", lambda w: "/api/enterprises/", kind="list"),
    Endpoint(
        "POST",
        "/enterprises/",
        lambda w: "/api/enterprises/",
        lambda w: {"credit_code": w["new_code"], "name": "越权新建企业", "region": "410181"},
        also_refused=frozenset({400}),  # refused as a field error ("管辖区域以外") rather than 403
    ),
    Endpoint("GET", "/enterprises/{enterprise_id}", lambda w: f"/api/enterprises/{w['enterprise'].pk}"),
    Endpoint(
        "PATCH",
        "/enterprises/{enterprise_id}",
        lambda w: f"/api/enterprises/{w['enterprise'].pk}",
        lambda w: {"name": "越权改名", "reason": "越权"},
    ),
    Endpoint(
        "POST",
        "/enterprises/{enterprise_id}/sites",
        lambda w: f"/api/enterprises/{w['enterprise'].pk}/sites",
        lambda w: {"name": "越权厂区"},
    ),
    Endpoint(
        "PUT",
        "/enterprises/sites/{site_id}/industries",
        lambda w: f"/api/enterprises/sites/{w['site'].pk}/industries",
        lambda w: {"industries": [{"industry_code": "glass"}], "reason": "越权"},
    ),
    Endpoint(
        "POST",
        "/enterprises/sites/{site_id}/lines",
        lambda w: f"/api/enterprises/sites/{w['site'].pk}/lines",
        lambda w: {"name": "越权产线", "capacity": 100, "capacity_unit": "t/d", "industry_code": "cement"},
    ),
    Endpoint(
        "PATCH",
        "/enterprises/lines/{line_id}",
        lambda w: f"/api/enterprises/lines/{w['line'].pk}",
        lambda w: {"name": "越权改名", "reason": "越权"},
    ),
    Endpoint(
        "POST",
        "/enterprises/sites/{site_id}/outlets",
        lambda w: f"/api/enterprises/sites/{w['site'].pk}/outlets",
        lambda w: {"code": "DA099", "pollutants": ["PM"], "reason": "越权"},
    ),
    # gate ledger (issue 11): a device credential, never a session, writes the ledger; people act in their scope.
    Endpoint("POST", "/gates/ingest", lambda w: "/api/gates/ingest", lambda w: {"records": [{"seq": 1}]}),
    Endpoint("GET", "/gates/sites/{site_id}/vehicles", lambda w: f"/api/gates/sites/{w['site'].pk}/vehicles"),
    Endpoint(
        "POST",
        "/gates/sites/{site_id}/vehicles",
        lambda w: f"/api/gates/sites/{w['site'].pk}/vehicles",
        lambda w: {"kind": "road", "plate": "豫A99999", "fuel": "diesel", "stage": "国四"},
    ),
    Endpoint(
        "POST",
        "/gates/sites/{site_id}/devices",
        lambda w: f"/api/gates/sites/{w['site'].pk}/devices",
        lambda w: {"code": "X9", "entrance": "越权门"},
    ),
    Endpoint("POST", "/gates/devices/{device_id}/revoke", lambda w: f"/api/gates/devices/{w['gate_device'].pk}/revoke"),
    Endpoint(
        "GET",
        "/gates/sites/{site_id}/figures",
        lambda w: f"/api/gates/sites/{w['site'].pk}/figures?date_from=2026-01-01&date_to=2026-06-30",
    ),
    Endpoint("POST", "/gates/sites/{site_id}/verify", lambda w: f"/api/gates/sites/{w['site'].pk}/verify"),
    # video references: the site's video system posts with a device credential; people read them in scope.
    Endpoint(
        "POST",
        "/gates/videos",
        lambda w: "/api/gates/videos",
        lambda w: {
            "videos": [
                {
                    "place": "原料库",
                    "started_at": "2026-05-01T08:00",
                    "ended_at": "2026-05-01T09:00",
                    "uri": "nvr://x.mp4",
                }
            ]
        },
    ),
    Endpoint("GET", "/gates/sites/{site_id}/videos", lambda w: f"/api/gates/sites/{w['site'].pk}/videos"),
    # gate-file uploads as background jobs
    Endpoint(
        "POST",
        "/gates/sites/{site_id}/uploads",
        lambda w: f"/api/gates/sites/{w['site'].pk}/uploads",
        lambda w: {
            "file": ("门禁.csv", "序号,车牌号,方向,通行时间\n1,豫A12345,进,2026-05-04 08:00\n".encode()),
            "device": "G1",
        },
        multipart=True,
    ),
    Endpoint("GET", "/gates/uploads/{job_id}", lambda w: f"/api/gates/uploads/{w['gate_job'].pk}"),
    # audit
    Endpoint("GET", "/audit/", lambda w: "/api/audit/", kind="list"),
    # declarations: campaigns
    Endpoint("GET", "/declarations/campaigns", lambda w: "/api/declarations/campaigns", kind="list"),
    Endpoint(
        "POST",
        "/declarations/campaigns",
        lambda w: "/api/declarations/campaigns",
        lambda w: {"name": "越权批次", "region": "410100", "application_deadline": f"{_today(30)}T00:00:00+08:00"},
        outsiders=("county", "other_county", "other_city", "enterprise", "expert"),
    ),
    Endpoint(
        "POST",
        "/declarations/campaigns/monthly",
        lambda w: "/api/declarations/campaigns/monthly",
        lambda w: {"region": "410100", "year": 2026, "month": 12},
        outsiders=("county", "other_county", "other_city", "enterprise", "expert"),
    ),
    Endpoint(
        "POST",
        "/declarations/campaigns/{campaign_id}/cutoff",
        lambda w: f"/api/declarations/campaigns/{w['campaign'].pk}/cutoff",
        outsiders=("county", "other_city", "enterprise", "expert"),
    ),
    Endpoint(
        "GET",
        "/declarations/campaigns/{campaign_id}/applications",
        lambda w: f"/api/declarations/campaigns/{w['campaign'].pk}/applications",
        kind="list_or_refuse",
    ),
    Endpoint(
        "POST",
        "/declarations/campaigns/{campaign_id}/sample",
        lambda w: f"/api/declarations/campaigns/{w['campaign'].pk}/sample",
        lambda w: {"city": "410100", "seed": 7},
        outsiders=("county", "other_city", "enterprise", "expert"),
    ),
    # declarations
    Endpoint("GET", "/declarations/", lambda w: "/api/declarations/", kind="list"),
    Endpoint(
        "POST",
        "/declarations/",
        lambda w: "/api/declarations/",
        lambda w: {
            "campaign_id": w["draft_campaign"].pk,
            "site_id": w["site"].pk,
            "items": [{"industry_code": "cement", "target_grade": "A"}],
        },
    ),
    Endpoint("GET", "/declarations/queue", lambda w: "/api/declarations/queue", kind="list"),
    Endpoint("GET", "/declarations/{int:declaration_id}", lambda w: f"/api/declarations/{w['draft'].pk}"),
    Endpoint(
        "PATCH",
        "/declarations/{int:declaration_id}",
        lambda w: f"/api/declarations/{w['draft'].pk}",
        lambda w: {"is_guarantee": True},
    ),
    Endpoint(
        "POST",
        "/declarations/{declaration_id}/evidence",
        lambda w: f"/api/declarations/{w['draft'].pk}/evidence",
        lambda w: {"file": ("越权.png", PNG), "indicator_id": "emission_limits"},
        multipart=True,
    ),
    Endpoint(
        "POST",
        "/declarations/{declaration_id}/commitment",
        lambda w: f"/api/declarations/{w['draft'].pk}/commitment",
        lambda w: {"signer_name": "越权"},
    ),
    Endpoint(
        "POST", "/declarations/{declaration_id}/document", lambda w: f"/api/declarations/{w['draft'].pk}/document"
    ),
    Endpoint(
        "GET",
        "/declarations/{declaration_id}/evidence/{evidence_id}",
        lambda w: f"/api/declarations/{w['draft'].pk}/evidence/{w['evidence'].pk}",
    ),
    Endpoint(
        "GET", "/declarations/{declaration_id}/self-check", lambda w: f"/api/declarations/{w['draft'].pk}/self-check"
    ),
    Endpoint(
        "POST",
        "/declarations/{declaration_id}/transitions",
        lambda w: f"/api/declarations/{w['draft'].pk}/transitions",
        lambda w: {"action": "declaration.submit", "expected_state": "draft"},
    ),
    Endpoint(
        "POST", "/declarations/{declaration_id}/onsite", lambda w: f"/api/declarations/{w['reviewing'].pk}/onsite"
    ),
    Endpoint(
        "POST",
        "/declarations/onsite/{check_id}/experts/{expert_id}",
        lambda w: f"/api/declarations/onsite/{w['check'].pk}/experts/{w['expert_profile'].pk}",
    ),
    Endpoint(
        "POST",
        "/declarations/onsite/{check_id}/findings",
        lambda w: f"/api/declarations/onsite/{w['check'].pk}/findings",
        lambda w: {"industry_code": "cement", "indicator_id": "emission_limits", "result": "consistent"},
    ),
    Endpoint(
        "POST",
        "/declarations/onsite/{check_id}/photos",
        lambda w: f"/api/declarations/onsite/{w['check'].pk}/photos",
        lambda w: {"file": ("现场.png", PNG), "indicator_id": "emission_limits"},
        multipart=True,
    ),
    Endpoint(
        "POST",
        "/declarations/onsite/{check_id}/sign",
        lambda w: f"/api/declarations/onsite/{w['check'].pk}/sign",
        lambda w: {"conclusion": "consistent", "signature_name": "越权"},
    ),
    Endpoint(
        "POST",
        "/declarations/experts",
        lambda w: "/api/declarations/experts",
        lambda w: {"user_id": w["spare_expert"].pk, "region": "410100"},
        outsiders=("county", "other_county", "other_city", "enterprise", "expert"),
    ),
    # An expert declares their own ties; nobody else may declare one in an expert's name.
    Endpoint(
        "POST",
        "/declarations/experts/ties",
        lambda w: "/api/declarations/experts/ties",
        lambda w: {"enterprise_id": w["enterprise"].pk, "note": "越权"},
        outsiders=("enterprise", "other_enterprise_user", "county", "other_city"),
    ),
    Endpoint(
        "POST",
        "/declarations/experts/{expert_id}/blacklist",
        lambda w: f"/api/declarations/experts/{w['expert_profile'].pk}/blacklist",
        lambda w: {"reason": "越权"},
        outsiders=("other_county", "other_city", "enterprise", "expert"),
    ),
    # grades
    Endpoint("GET", "/grades/", lambda w: "/api/grades/", kind="list"),
    Endpoint("GET", "/grades/enterprises/{enterprise_id}", lambda w: f"/api/grades/enterprises/{w['enterprise'].pk}"),
    Endpoint(
        "POST",
        "/grades/downgrades",
        lambda w: "/api/grades/downgrades",
        lambda w: {
            "site_id": w["site"].pk,
            "industry_code": "cement",
            "reason_code": "violation",
            "description": "越权",
        },
    ),
    Endpoint(
        "POST",
        "/grades/windows",
        lambda w: "/api/grades/windows",
        lambda w: {"region": "410100", "period": 2026, "opens": _today(), "closes": _today(30)},
        outsiders=("county", "other_county", "other_city", "enterprise", "expert"),
    ),
    Endpoint(
        "POST",
        "/grades/rectifications",
        lambda w: "/api/grades/rectifications",
        lambda w: {"site_id": w["site"].pk, "problem": "越权", "deadline": _today(30)},
    ),
    Endpoint(
        "POST",
        "/grades/rectifications/{order_id}/report",
        lambda w: f"/api/grades/rectifications/{w['order'].pk}/report",
        lambda w: {"text": "越权"},
    ),
    Endpoint(
        "POST",
        "/grades/rectifications/{order_id}/close",
        lambda w: f"/api/grades/rectifications/{w['order'].pk}/close",
        lambda w: {"text": "越权"},
    ),
    Endpoint(
        "POST",
        "/grades/lookbacks",
        lambda w: "/api/grades/lookbacks",
        lambda w: {"region": "410100", "year": 2031, "qualification_due": _today(30), "onsite_due": _today(60)},
        outsiders=("county", "other_county", "other_city", "enterprise", "expert"),
    ),
    Endpoint(
        "GET",
        "/grades/lookbacks/{round_id}/problems",
        lambda w: f"/api/grades/lookbacks/{w['round'].pk}/problems",
        outsiders=CITY_OUTSIDERS,
        kind="list_or_refuse",
    ),
    Endpoint(
        "POST",
        "/grades/lookbacks/items/{item_id}/result",
        lambda w: f"/api/grades/lookbacks/items/{w['item'].pk}/result",
        lambda w: {"stage": "qualification", "result": "pass"},
    ),
    Endpoint(
        "POST",
        "/grades/lookbacks/items/{item_id}/settle",
        lambda w: f"/api/grades/lookbacks/items/{w['item'].pk}/settle",
        lambda w: {"outcome": "downgrade", "to_grade": "C"},
    ),
    # public disclosure (no login): only public grades, never an ungraded enterprise
    Endpoint("GET", "/public/grades.json", lambda w: "/api/public/grades.json", kind="public"),
    Endpoint("GET", "/public/grades.csv", lambda w: "/api/public/grades.csv", kind="public"),
    Endpoint(
        "GET",
        "/public/grades/{credit_code}",
        lambda w: f"/api/public/grades/{w['ungraded'].credit_code}",
        kind="public",
    ),
    Endpoint("GET", "/public/notices", lambda w: "/api/public/notices", kind="public"),
    Endpoint("GET", "/public/captcha", lambda w: "/api/public/captcha", kind="public"),
    Endpoint(
        "POST",
        "/public/objections",
        lambda w: "/api/public/objections",
        lambda w: {**w["captcha"], "enterprise_id": w["ungraded"].pk, "content": "对未公开等级企业的举报内容"},
        kind="public",
        public_refused=True,
    ),
    Endpoint(
        "GET",
        "/public/objections/{reference}",
        lambda w: f"/api/public/objections/{w['objection'].reference}",
        kind="public",
    ),
    Endpoint("GET", "/public/staff/objections", lambda w: "/api/public/staff/objections", kind="list"),
    Endpoint(
        "POST",
        "/public/staff/objections/{objection_id}",
        lambda w: f"/api/public/staff/objections/{w['objection'].pk}",
        lambda w: {"investigation": "越权"},
        outsiders=("county", "other_city", "enterprise", "expert"),
    ),
    Endpoint(
        "GET",
        "/public/staff/monthly-report",
        lambda w: "/api/public/staff/monthly-report?region=410100&year=2026&month=1",
        outsiders=("other_city", "enterprise", "expert"),
    ),
    # emergency
    Endpoint("GET", "/emergency/entries", lambda w: "/api/emergency/entries", kind="list"),
    Endpoint("GET", "/emergency/entries/{entry_id}", lambda w: f"/api/emergency/entries/{w['entry'].pk}"),
    Endpoint(
        "DELETE", "/emergency/entries/{entry_id}", lambda w: f"/api/emergency/entries/{w['entry'].pk}?reason=越权"
    ),
    Endpoint(
        "PUT",
        "/emergency/sites/{site_id}/years/{year}",
        lambda w: f"/api/emergency/sites/{w['site'].pk}/years/2024",
        lambda w: {"data": payload(), "reason": "越权"},
    ),
    Endpoint("GET", "/emergency/entries/{entry_id}/plans", lambda w: f"/api/emergency/entries/{w['entry'].pk}/plans"),
    Endpoint(
        "GET",
        "/emergency/entries/{entry_id}/operation-plan.{fmt}",
        lambda w: f"/api/emergency/entries/{w['entry'].pk}/operation-plan.docx",
    ),
    Endpoint(
        "POST",
        "/emergency/entries/{entry_id}/guarantee/decision",
        lambda w: f"/api/emergency/entries/{w['entry'].pk}/guarantee/decision",
        lambda w: {"approve": True, "note": "越权"},
    ),
    Endpoint(
        "POST",
        "/emergency/entries/{entry_id}/guarantee/output",
        lambda w: f"/api/emergency/entries/{w['entry'].pk}/guarantee/output",
        lambda w: {"daily_output": 1, "note": "越权"},
    ),
    Endpoint(
        "POST",
        "/emergency/entries/{entry_id}/small-micro",
        lambda w: f"/api/emergency/entries/{w['entry'].pk}/small-micro",
        lambda w: {"certify": True, "opinion": "越权"},
    ),
    Endpoint(
        "PUT",
        "/emergency/plans",
        lambda w: "/api/emergency/plans",
        lambda w: {
            "region": "410100",
            "industry_code": "cement",
            "yellow_percent": 10,
            "orange_percent": 20,
            "red_percent": 30,
            "reason": "越权",
        },
        outsiders=("county", "other_county", "other_city", "enterprise", "expert"),
    ),
    Endpoint(
        "GET",
        "/emergency/simulate",
        lambda w: "/api/emergency/simulate?region=410100&level=orange&year=2024",
        outsiders=CITY_OUTSIDERS,
    ),
    Endpoint("GET", "/emergency/alerts", lambda w: "/api/emergency/alerts", kind="list", outsiders=CITY_OUTSIDERS),
    # the leaders' view (issue 13): a city's figures, refused to its counties, another city and non-officials
    Endpoint(
        "GET",
        "/targets/{region}/",
        lambda w: "/api/targets/410100/",
        outsiders=("county", "other_county", "other_city", "enterprise", "expert"),
    ),
    Endpoint(
        "GET",
        "/targets/{region}/history",
        lambda w: "/api/targets/410100/history",
        outsiders=("county", "other_county", "other_city", "enterprise", "expert"),
    ),
    Endpoint(
        "GET",
        "/targets/{region}/workbook.xlsx",
        lambda w: "/api/targets/410100/workbook.xlsx",
        outsiders=("county", "other_county", "other_city", "enterprise", "expert"),
    ),
    Endpoint(
        "POST",
        "/emergency/alerts",
        lambda w: "/api/emergency/alerts",
        lambda w: {"region_codes": ["410100"], "level": "red", "starts_at": "2024-12-02T20:00"},
        outsiders=("county", "other_county", "other_city", "enterprise", "expert"),
    ),
    Endpoint(
        "GET",
        "/emergency/alerts/{event_id}",
        lambda w: f"/api/emergency/alerts/{w['event'].pk}",
        outsiders=CITY_OUTSIDERS,
    ),
    Endpoint(
        "POST",
        "/emergency/alerts/{event_id}/level",
        lambda w: f"/api/emergency/alerts/{w['event'].pk}/level",
        lambda w: {"level": "red", "reason": "越权"},
        outsiders=("county", "other_county", "other_city", "enterprise", "expert"),
    ),
    Endpoint(
        "POST",
        "/emergency/alerts/{event_id}/lift",
        lambda w: f"/api/emergency/alerts/{w['event'].pk}/lift",
        lambda w: {"reason": "越权"},
        outsiders=("county", "other_county", "other_city", "enterprise", "expert"),
    ),
    Endpoint("GET", "/emergency/tasks/{task_id}", lambda w: f"/api/emergency/tasks/{w['task'].pk}"),
    Endpoint(
        "POST", "/emergency/tasks/{task_id}/acknowledge", lambda w: f"/api/emergency/tasks/{w['task'].pk}/acknowledge"
    ),
    Endpoint(
        "POST",
        "/emergency/tasks/{task_id}/report",
        lambda w: f"/api/emergency/tasks/{w['task'].pk}/report",
        lambda w: {"note": "越权"},
    ),
    Endpoint(
        "POST",
        "/emergency/tasks/{task_id}/evidence",
        lambda w: f"/api/emergency/tasks/{w['task'].pk}/evidence",
        lambda w: {"note": "越权"},
    ),
    # alert verification (issue 12)
    Endpoint(
        "POST",
        "/verification/readings",
        lambda w: "/api/verification/readings",
        lambda w: {
            "kind": "monitoring",
            "rows": [
                {
                    "credit_code": w["enterprise"].credit_code,
                    "point": "DA9",
                    "at": "2026-11-01 00:00",
                    "pollutant": "SO2",
                    "value": 1,
                }
            ],
        },
        kind="list",
        also_refused=frozenset({400}),
    ),
    Endpoint(
        "GET",
        "/verification/alerts/{event_id}",
        lambda w: f"/api/verification/alerts/{w['event'].pk}",
        outsiders=CITY_OUTSIDERS,
    ),
    Endpoint(
        "POST",
        "/verification/alerts/{event_id}/verify",
        lambda w: f"/api/verification/alerts/{w['event'].pk}/verify",
        outsiders=CITY_OUTSIDERS,
    ),
    Endpoint("GET", "/verification/tasks/{task_id}", lambda w: f"/api/verification/tasks/{w['task'].pk}"),
    Endpoint("GET", "/verification/cases", lambda w: "/api/verification/cases", kind="list"),
    Endpoint(
        "POST",
        "/verification/cases/{case_id}/decide",
        lambda w: f"/api/verification/cases/{w['case'].pk}/decide",
        lambda w: {"confirm": True, "reason": "越权"},
    ),
    # cross-checks, gate-ledger findings and the meter register (issue 12 items 1, 2, 4)
    Endpoint(
        "POST",
        "/verification/crosscheck",
        lambda w: "/api/verification/crosscheck",
        lambda w: {"month": "2026-10", "region": "410181"},
    ),
    Endpoint("GET", "/verification/findings", lambda w: "/api/verification/findings", kind="list"),
    Endpoint("GET", "/verification/findings/{finding_id}", lambda w: f"/api/verification/findings/{w['finding'].pk}"),
    Endpoint(
        "POST",
        "/verification/findings/{finding_id}/decide",
        lambda w: f"/api/verification/findings/{w['finding'].pk}/decide",
        lambda w: {"confirm": True, "reason": "越权"},
    ),
    Endpoint("GET", "/verification/meters", lambda w: "/api/verification/meters", kind="list"),
    Endpoint(
        "POST",
        "/verification/meters",
        lambda w: "/api/verification/meters",
        lambda w: {"site_id": w["site"].pk, "kind": "meter", "code": "M9", "line_id": w["line"].pk},
    ),
    # the rule book is public by design (REQ: published national rules); it holds no enterprise data
    Endpoint("GET", "/rules/industries", lambda w: "/api/rules/industries", kind="public"),
    Endpoint("GET", "/rules/{code}", lambda w: "/api/rules/cement", kind="public"),
    Endpoint(
        "POST",
        "/grading/evaluate",
        lambda w: "/api/grading/evaluate",
        lambda w: {
            "as_of": "2021-06-01",
            "enterprises": [{"id": "e1", "region": "410181", "industries": [{"industry": "cement", "facts": {}}]}],
        },
        kind="public_login",
    ),
]

# ---------------------------------------------------------------------------------------------------------------------
# Pages: route strings as Django prints them (prefix + pattern), admin collapsed to its root.
PAGES: list[Endpoint] = [
    Endpoint("GET", "", lambda w: "/", kind="list"),
    Endpoint("GET", "accounts/login/", lambda w: "/accounts/login/", kind="public"),
    Endpoint("POST", "accounts/logout/", lambda w: "/accounts/logout/", kind="public"),
    # password reset without a mail server (issue 8, defect 13)
    Endpoint("GET", "accounts/password/", lambda w: "/accounts/password/", kind="list"),
    Endpoint(
        "GET",
        "accounts/reset/<str:token>/",
        lambda w: "/accounts/reset/not-a-token/",
        kind="public",
        public_refused=True,
    ),
    Endpoint("GET", "accounts/users/", lambda w: "/accounts/users/", kind="list"),
    Endpoint(
        "POST",
        "accounts/users/<int:account_id>/reset/",
        lambda w: f"/accounts/users/{w['enterprise_user'].pk}/reset/",
        lambda w: {"op": "link"},
    ),
    Endpoint("GET", "enterprises/", lambda w: "/enterprises/", kind="list"),
    Endpoint("GET", "enterprises/<int:enterprise_id>/", lambda w: f"/enterprises/{w['enterprise'].pk}/"),
    Endpoint(
        "GET", "enterprises/<int:enterprise_id>/overview/", lambda w: f"/enterprises/{w['enterprise'].pk}/overview/"
    ),
    Endpoint(
        "POST",
        "enterprises/<int:enterprise_id>/edit/",
        lambda w: f"/enterprises/{w['enterprise'].pk}/edit/",
        lambda w: {
            "name": "越权改名",
            "credit_code": w["enterprise"].credit_code,
            "region": "410181",
            "reason": "越权",
        },
    ),
    Endpoint(
        "POST",
        "enterprises/sites/<int:site_id>/lines/add/",
        lambda w: f"/enterprises/sites/{w['site'].pk}/lines/add/",
        lambda w: {"name": "越权产线", "capacity": "100", "capacity_unit": "t/d", "kind": "line", "status": "running"},
    ),
    Endpoint(
        "POST",
        "enterprises/lines/<int:line_id>/edit/",
        lambda w: f"/enterprises/lines/{w['line'].pk}/edit/",
        lambda w: {"name": "越权改名", "capacity": "100", "capacity_unit": "t/d", "kind": "line", "status": "running"},
    ),
    Endpoint("GET", "audit/", lambda w: "/audit/", kind="list"),
    # The 附件3 workbook of the caller's own scope: outsiders get their own rows (or, experts, a refusal).
    Endpoint("GET", "grades/improvement-list.xlsx", lambda w: "/grades/improvement-list.xlsx", kind="list"),
    # Grade workflow pages (issue 15): lists answer with the caller's own scope; objects and actions out of scope
    # are not found; an action on the caller's own ground with another region's code is refused by the service.
    Endpoint("GET", "grades/", lambda w: "/grades/", kind="list"),
    Endpoint("GET", "grades/sites/<int:site_id>/", lambda w: f"/grades/sites/{w['site'].pk}/"),
    Endpoint(
        "POST",
        "grades/sites/<int:site_id>/downgrade/",
        lambda w: f"/grades/sites/{w['site'].pk}/downgrade/",
        lambda w: {
            "industry_code": "cement",
            "reason_code": "excess_emission",
            "to_grade": "C",
            "description": "越权降级",
        },
    ),
    Endpoint(
        "POST",
        "grades/sites/<int:site_id>/rectify/",
        lambda w: f"/grades/sites/{w['site'].pk}/rectify/",
        lambda w: {"problem": "越权整改", "deadline": _today(30)},
    ),
    Endpoint("GET", "grades/rectifications/", lambda w: "/grades/rectifications/", kind="list"),
    Endpoint("GET", "grades/rectifications/<int:order_id>/", lambda w: f"/grades/rectifications/{w['order'].pk}/"),
    Endpoint(
        "POST",
        "grades/rectifications/<int:order_id>/<str:step>/",
        lambda w: f"/grades/rectifications/{w['order'].pk}/report/",
        lambda w: {"report": "越权报告"},
    ),
    Endpoint("GET", "grades/adjustment/", lambda w: "/grades/adjustment/", kind="list"),
    Endpoint(
        "POST",
        "grades/adjustment/open/",
        lambda w: "/grades/adjustment/open/",
        lambda w: {"region": "410100", "period": "2031", "opens": "2031-10-01", "closes": "2031-10-31"},
    ),
    Endpoint("GET", "grades/lookbacks/", lambda w: "/grades/lookbacks/", kind="list"),
    Endpoint(
        "POST",
        "grades/lookbacks/start/",
        lambda w: "/grades/lookbacks/start/",
        lambda w: {
            "region": "410100",
            "year": "2031",
            "qualification_due": _today(30),
            "onsite_due": _today(60),
        },
    ),
    Endpoint("GET", "grades/lookbacks/<int:round_id>/", lambda w: f"/grades/lookbacks/{w['round'].pk}/"),
    Endpoint(
        "GET", "grades/lookbacks/<int:round_id>/problems/", lambda w: f"/grades/lookbacks/{w['round'].pk}/problems/"
    ),
    Endpoint(
        "POST",
        "grades/lookbacks/items/<int:item_id>/<str:step>/",
        lambda w: f"/grades/lookbacks/items/{w['item'].pk}/qualification/",
        lambda w: {"result": "serious", "note": "越权结论"},
    ),
    Endpoint("GET", "objections/", lambda w: "/objections/", kind="list"),
    Endpoint("GET", "objections/<int:objection_id>/", lambda w: f"/objections/{w['objection'].pk}/"),
    Endpoint(
        "POST",
        "objections/<int:objection_id>/<str:step>/",
        lambda w: f"/objections/{w['objection'].pk}/close/",
        lambda w: {"investigation": "越权调查", "result": "越权公开"},
    ),
    Endpoint("GET", "declarations/experts/", lambda w: "/declarations/experts/", kind="list"),
    Endpoint(
        "POST",
        "declarations/experts/register/",
        lambda w: "/declarations/experts/register/",
        lambda w: {"region": "410100", "expert_user_id": str(w["spare_expert"].pk)},
    ),
    Endpoint(
        "POST",
        "declarations/experts/<int:expert_id>/blacklist/",
        lambda w: f"/declarations/experts/{w['expert_profile'].pk}/blacklist/",
        lambda w: {"reason": "越权列入"},
    ),
    Endpoint("GET", "declarations/", lambda w: "/declarations/", kind="list"),
    # Workbooks and jobs (issue 10): a job is its owner's and its region's; templates carry no data; exports and
    # the job list answer with the caller's own scope; an outsider's upload is refused before a job exists.
    Endpoint("GET", "jobs/", lambda w: "/jobs/", kind="list"),
    Endpoint("GET", "jobs/<int:job_id>/", lambda w: f"/jobs/{w['job'].pk}/"),
    Endpoint("GET", "jobs/<int:job_id>/progress", lambda w: f"/jobs/{w['job'].pk}/progress"),
    Endpoint("POST", "jobs/<int:job_id>/cancel", lambda w: f"/jobs/{w['job'].pk}/cancel"),
    Endpoint("GET", "jobs/<int:job_id>/result", lambda w: f"/jobs/{w['job'].pk}/result"),
    Endpoint("GET", "workbooks/", lambda w: "/workbooks/", kind="list"),
    Endpoint(
        "POST",
        "workbooks/import",
        lambda w: "/workbooks/import",
        lambda w: {"kind": "emergency_list"},
        also_refused=frozenset({400}),
    ),
    Endpoint("POST", "workbooks/import/<int:job_id>/commit", lambda w: f"/workbooks/import/{w['job'].pk}/commit"),
    Endpoint(
        "GET", "workbooks/templates/<str:kind>.xlsx", lambda w: "/workbooks/templates/emergency_list.xlsx", kind="list"
    ),
    Endpoint(
        "GET", "workbooks/export/emergency-list.xlsx", lambda w: "/workbooks/export/emergency-list.xlsx", kind="list"
    ),
    # Official tables (H21-4, SJZ-2, H23-1, H23-5, registry): staff only, rows in the caller's scope only.
    Endpoint(
        "GET",
        "workbooks/export/<slug:kind>.xlsx",
        lambda w: f"/workbooks/export/ab-list.xlsx?campaign={w['campaign'].pk}",
        kind="list",
    ),
    Endpoint(
        "GET",
        "workbooks/export/<slug:kind>.xlsx",
        lambda w: f"/workbooks/export/application-list.xlsx?campaign={w['campaign'].pk}",
        kind="list",
    ),
    Endpoint(
        "GET",
        "workbooks/export/<slug:kind>.xlsx",
        lambda w: f"/workbooks/export/lookback-qualification.xlsx?round={w['round'].pk}",
        outsiders=CITY_OUTSIDERS,
    ),
    Endpoint(
        "GET",
        "workbooks/export/<slug:kind>.xlsx",
        lambda w: f"/workbooks/export/lookback-onsite.xlsx?item={w['item'].pk}",
        outsiders=CITY_OUTSIDERS,
    ),
    Endpoint("GET", "workbooks/export/<slug:kind>.xlsx", lambda w: "/workbooks/export/registry.xlsx", kind="list"),
    # Review opinions (LC-7): whoever may see the declaration; outsiders find nothing.
    Endpoint(
        "GET",
        "workbooks/opinions/<int:declaration_id>/<slug:kind>.docx",
        lambda w: f"/workbooks/opinions/{w['reviewing'].pk}/county-preliminary.docx",
    ),
    Endpoint(
        "GET", "workbooks/export/<slug:kind>.xlsx", lambda w: "/workbooks/export/guarantee-review.xlsx", kind="list"
    ),
    # Another enterprise posting the home site into the form: no declaration may appear.
    Endpoint(
        "POST",
        "declarations/new/",
        lambda w: "/declarations/new/",
        lambda w: {"site": w["site"].pk, "campaign": w["draft_campaign"].pk, "grade_cement": "A"},
        kind="list",
    ),
    Endpoint("GET", "declarations/<int:declaration_id>/", lambda w: f"/declarations/{w['draft'].pk}/"),
    Endpoint(
        "POST",
        "declarations/<int:declaration_id>/action/",
        lambda w: f"/declarations/{w['draft'].pk}/action/",
        lambda w: {"action": "declaration.submit", "expected_state": "draft", "version": w["draft"].version},
    ),
    Endpoint(
        "GET",
        "declarations/<int:declaration_id>/confirm/",
        lambda w: f"/declarations/{w['draft'].pk}/confirm/?action=declaration.submit",
    ),
    Endpoint(
        "POST",
        "declarations/<int:declaration_id>/prepare/",
        lambda w: f"/declarations/{w['draft'].pk}/prepare/",
        lambda w: {"step": "commitment", "signer_name": "越权"},
    ),
    Endpoint(
        "GET", "declarations/<int:declaration_id>/document/", lambda w: f"/declarations/{w['draft'].pk}/document/"
    ),
    Endpoint(
        "GET",
        "declarations/<int:declaration_id>/evidence/<int:evidence_id>/",
        lambda w: f"/declarations/{w['draft'].pk}/evidence/{w['evidence'].pk}/",
    ),
    Endpoint(
        "POST",
        "declarations/<int:declaration_id>/onsite/",
        lambda w: f"/declarations/{w['reviewing'].pk}/onsite/",
        lambda w: {"step": "open"},
    ),
    Endpoint(
        "GET", "declarations/campaigns/", lambda w: "/declarations/campaigns/", kind="list", outsiders=CITY_OUTSIDERS
    ),
    Endpoint(
        "GET",
        "declarations/campaigns/<int:campaign_id>/",
        lambda w: f"/declarations/campaigns/{w['campaign'].pk}/",
        outsiders=CITY_OUTSIDERS,
        kind="list_or_refuse",
    ),
    Endpoint("GET", "public/grades/", lambda w: "/public/grades/", kind="public"),
    Endpoint("GET", "public/notices/", lambda w: "/public/notices/", kind="public"),
    Endpoint(
        "GET",
        "public/objections/new/<int:enterprise_id>/",
        lambda w: f"/public/objections/new/{w['ungraded'].pk}/",
        kind="public",
        public_refused=True,
    ),
    Endpoint(
        "GET",
        "public/objections/<str:reference>/",
        lambda w: f"/public/objections/{w['objection'].reference}/",
        kind="public",
    ),
    Endpoint(
        "GET",
        "public/monthly-report/",
        lambda w: "/public/monthly-report/?region=410100",
        outsiders=("other_city", "enterprise", "expert"),
    ),
    Endpoint("GET", "emergency/", lambda w: "/emergency/", kind="list"),
    Endpoint(
        "GET", "emergency/sites/<int:site_id>/<int:year>/edit/", lambda w: f"/emergency/sites/{w['site'].pk}/2024/edit/"
    ),
    Endpoint("GET", "emergency/entries/<int:entry_id>/", lambda w: f"/emergency/entries/{w['entry'].pk}/"),
    Endpoint(
        "GET",
        "emergency/entries/<int:entry_id>/operation-plan.<str:fmt>",
        lambda w: f"/emergency/entries/{w['entry'].pk}/operation-plan.docx",
    ),
    Endpoint(
        "POST",
        "emergency/entries/<int:entry_id>/decide/",
        lambda w: f"/emergency/entries/{w['entry'].pk}/decide/",
        lambda w: {"what": "guarantee", "approve": "1", "note": "越权"},
    ),
    Endpoint("GET", "emergency/dashboard/", lambda w: "/emergency/dashboard/", kind="list", outsiders=CITY_OUTSIDERS),
    Endpoint(
        "GET",
        "targets/",
        lambda w: "/targets/?region=410100",
        outsiders=("county", "other_county", "other_city", "enterprise", "expert"),
    ),
    Endpoint(
        "GET",
        "targets/workbook.xlsx",
        lambda w: "/targets/workbook.xlsx?region=410100",
        outsiders=("county", "other_county", "other_city", "enterprise", "expert"),
    ),
    Endpoint("GET", "emergency/alerts/", lambda w: "/emergency/alerts/", kind="list", outsiders=CITY_OUTSIDERS),
    Endpoint(
        "GET",
        "emergency/alerts/<int:event_id>/",
        lambda w: f"/emergency/alerts/{w['event'].pk}/",
        outsiders=CITY_OUTSIDERS,
    ),
    Endpoint(
        "POST",
        "emergency/alerts/<int:event_id>/change/",
        lambda w: f"/emergency/alerts/{w['event'].pk}/change/",
        lambda w: {"op": "lift", "reason": "越权"},
        outsiders=("county", "other_county", "other_city", "enterprise", "expert"),
    ),
    Endpoint(
        "POST",
        "emergency/tasks/<int:task_id>/act/",
        lambda w: f"/emergency/tasks/{w['task'].pk}/act/",
        lambda w: {"op": "acknowledge"},
    ),
    # gate ledger pages (issue 11)
    Endpoint("GET", "gates/", lambda w: "/gates/", kind="list"),
    # Logistics parks (SJZ-6): registered by the county or city in its own region; the form lists only its regions.
    Endpoint("GET", "gates/parks/new/", lambda w: "/gates/parks/new/", kind="list"),
    Endpoint(
        "POST",
        "gates/parks/new/",
        lambda w: "/gates/parks/new/",
        lambda w: {
            "kind": "park",
            "name": "越权物流园区",
            "region": w["site"].region_id,
            "operator": "越权运营公司",
            "operator_credit_code": w["other_enterprise"].credit_code,
        },
    ),
    Endpoint("GET", "gates/sites/<int:site_id>/", lambda w: f"/gates/sites/{w['site'].pk}/"),
    Endpoint(
        "POST",
        "gates/sites/<int:site_id>/act/",
        lambda w: f"/gates/sites/{w['site'].pk}/act/",
        lambda w: {"op": "device", "code": "X9", "entrance": "越权门"},
    ),
    Endpoint(
        "GET",
        "gates/sites/<int:site_id>/alerts/<int:event_id>/",
        lambda w: f"/gates/sites/{w['site'].pk}/alerts/{w['event'].pk}/",
    ),
    # alert verification (issue 12)
    Endpoint("GET", "verification/", lambda w: "/verification/", kind="list"),
    Endpoint("GET", "verification/import/", lambda w: "/verification/import/", kind="list"),
    Endpoint(
        "POST",
        "verification/import/",
        lambda w: "/verification/import/",
        lambda w: {
            "kind": "monitoring",
            "commit": "on",
            "file": (
                "监测.csv",
                f"统一社会信用代码,排放口编号,监测时间,污染物,排放速率\n{w['enterprise'].credit_code},DA9,2026-11-01 00:00,SO2,1\n".encode(),
            ),
        },
        kind="list",
        multipart=True,
        also_refused=frozenset({400}),
    ),
    # A large file as a background job: outsiders are refused before any job is recorded (no file → 400).
    Endpoint(
        "POST",
        "verification/import/job/",
        lambda w: "/verification/import/job/",
        lambda w: {"job-kind": "monitoring"},
        also_refused=frozenset({400}),
    ),
    Endpoint(
        "GET",
        "verification/alerts/<int:event_id>/",
        lambda w: f"/verification/alerts/{w['event'].pk}/",
        outsiders=CITY_OUTSIDERS,
    ),
    Endpoint(
        "POST",
        "verification/alerts/<int:event_id>/run/",
        lambda w: f"/verification/alerts/{w['event'].pk}/run/",
        outsiders=CITY_OUTSIDERS,
    ),
    Endpoint("GET", "verification/tasks/<int:task_id>/", lambda w: f"/verification/tasks/{w['task'].pk}/"),
    Endpoint("GET", "verification/cases/", lambda w: "/verification/cases/?status=all", kind="list"),
    Endpoint(
        "POST",
        "verification/cases/<int:case_id>/decide/",
        lambda w: f"/verification/cases/{w['case'].pk}/decide/",
        lambda w: {"decision": "confirm", "reason": "越权"},
    ),
    Endpoint("GET", "verification/findings/", lambda w: "/verification/findings/?status=all", kind="list"),
    Endpoint(
        "POST",
        "verification/findings/run/",
        lambda w: "/verification/findings/run/",
        lambda w: {"month": "2026-10", "region": "410181"},
    ),
    Endpoint("GET", "verification/findings/<int:finding_id>/", lambda w: f"/verification/findings/{w['finding'].pk}/"),
    Endpoint(
        "POST",
        "verification/findings/<int:finding_id>/decide/",
        lambda w: f"/verification/findings/{w['finding'].pk}/decide/",
        lambda w: {"decision": "confirm", "reason": "越权", "downgrade": "on"},
    ),
    Endpoint("GET", "verification/meters/", lambda w: "/verification/meters/", kind="list"),
    Endpoint(
        "POST",
        "verification/meters/",
        lambda w: "/verification/meters/",
        lambda w: {"site": w["site"].pk, "kind": "meter", "code": "M9", "line": w["line"].pk},
    ),
    Endpoint("GET", "verification/meters/import/", lambda w: "/verification/meters/import/", kind="list"),
    Endpoint(
        "POST",
        "verification/meters/import/",
        lambda w: "/verification/meters/import/",
        lambda w: {
            "commit": "on",
            "file": (
                "电表.csv",
                f"统一社会信用代码,类别,编号,生产线\n{w['enterprise'].credit_code},电表,M9,1#熟料线\n".encode(),
            ),
        },
        kind="list",
        multipart=True,
        also_refused=frozenset({400}),
    ),
    # green-performance evaluation (issue 14): a county inside the city sees the round (its own rows only)
    Endpoint("GET", "scorecards/", lambda w: "/scorecards/", kind="list"),
    Endpoint("GET", "scorecards/assess/", lambda w: "/scorecards/assess/", kind="list"),
    Endpoint(
        "POST",
        "scorecards/rounds/open/",
        lambda w: "/scorecards/rounds/open/",
        lambda w: {"region": "410100", "year": 2031, "deadline": _today(30)},
    ),
    Endpoint(
        "GET",
        "scorecards/rounds/<int:score_round_id>/",
        lambda w: f"/scorecards/rounds/{w['score_round'].pk}/",
        kind="list_or_refuse",
    ),
    Endpoint(
        "POST",
        "scorecards/rounds/<int:score_round_id>/act/",
        lambda w: f"/scorecards/rounds/{w['score_round'].pk}/act/",
        lambda w: {"op": "publish"},
    ),
    Endpoint("GET", "scorecards/<int:scorecard_id>/", lambda w: f"/scorecards/{w['scorecard'].pk}/"),
    Endpoint(
        "GET", "scorecards/<int:scorecard_id>/sheet.<str:fmt>", lambda w: f"/scorecards/{w['scorecard'].pk}/sheet.docx"
    ),
    Endpoint(
        "POST",
        "scorecards/<int:scorecard_id>/act/",
        lambda w: f"/scorecards/{w['scorecard'].pk}/act/",
        lambda w: {"op": "declare", "v_env_permit": "是"},
    ),
    Endpoint("GET", "rules/", lambda w: "/rules/", kind="public"),
    Endpoint("GET", "rules/assess/", lambda w: "/rules/assess/", kind="public"),
    Endpoint("GET", "rules/<slug:code>/", lambda w: "/rules/cement/", kind="public"),
    Endpoint("POST", "i18n/setlang/", lambda w: "/i18n/setlang/", lambda w: {"language": "en"}, kind="public"),
    Endpoint("GET", "admin/login/", lambda w: "/admin/login/", kind="public"),
    Endpoint("GET", "admin/", lambda w: "/admin/", outsiders=NOT_STAFF),
    Endpoint(
        "GET",
        "admin/<model>",
        lambda w: "/admin/enterprises/enterprise/",
        outsiders=NOT_STAFF,
    ),
]


def _api_operations() -> Iterator[tuple[str, str]]:
    from airgrade.platform.api import api

    for prefix, router in api._routers:  # ninja has no public listing of mounted routers
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    yield method, f"{prefix}{path}"


def _url_routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if route in ("api/", "admin/"):
                # The API is inventoried operation by operation above; the admin as its root and one model page.
                yield route
                continue
            yield from _url_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def test_api_inventory_is_complete() -> None:
    listed = {(e.method, e.route) for e in API}
    assert len(listed) == len(API), "an API operation is listed twice"
    registered = set(_api_operations())
    assert registered - listed == set(), "API operations without an out-of-scope test: add them to API"
    assert listed - registered == set(), "stale rows in API"


def test_page_inventory_is_complete() -> None:
    listed = {e.route for e in PAGES if e.route != "admin/<model>"} | {"api/"}
    registered = set(_url_routes(get_resolver().url_patterns))
    assert registered - listed == set(), "URLs without an out-of-scope test: add them to PAGES"
    assert listed - registered == set(), "stale rows in PAGES"


# ---------------------------------------------------------------------------------------------------------------------
@pytest.fixture
def world(users: dict[str, Any], make_enterprise: Any) -> World:
    """Objects that all belong to the home county's enterprise (巩义 410181, 郑州 410100)."""
    from airgrade.core.credit_code import make as make_credit_code
    from airgrade.core.types import Role
    from airgrade.platform.accounts.models import User
    from airgrade.platform.declarations import services as declarations
    from airgrade.platform.declarations.models import OnsiteCheck
    from airgrade.platform.disclosure import services as disclosure
    from airgrade.platform.emergency import services as emergency
    from airgrade.platform.grades import services as grades
    from airgrade.platform.scorecards import services as scorecards
    from airgrade.platform.workbooks import services as workbooks

    enterprise = users["own_enterprise"]
    site = enterprise.sites.get()
    campaign = make_campaign(users["city"])
    graded = force_state(
        ready_declaration(users["enterprise"], campaign, grade="B"), "province_verification", users["county"]
    )
    act(users["province"], graded, "declaration.province_verify")

    draft_campaign = make_campaign(users["city"], name="2027年绩效分级")
    draft = ready_declaration(users["enterprise"], draft_campaign)
    # A declaration of the home county under county review, without on-site checks yet (for "open on-site").
    reviewing_enterprise = make_enterprise("410181", "本县企业二")
    reviewing_user = User(username="ent3", role=Role.ENTERPRISE.value, enterprise=reviewing_enterprise)
    reviewing_user.set_password("x-long-password")
    reviewing_user.save()
    reviewing = force_state(
        ready_declaration(reviewing_user, draft_campaign), "county_review", users["county"], checks=False
    )
    check = OnsiteCheck.objects.create(declaration=draft, level=OnsiteCheck.Level.COUNTY, created_by=users["county"])

    expert_profile = declarations.register_expert(
        users["city"], expert_user_id=users["expert"].pk, region_code="410100"
    )
    spare_expert = User(username="expert2", role=Role.EXPERT.value)
    spare_expert.set_password("x-long-password")
    spare_expert.save()

    question, token = disclosure.new_captcha()
    a, b = question.split(" = ")[0].split(" + ")
    objection = disclosure.file_objection(
        enterprise_id=enterprise.pk,
        content="该企业料场未封闭，与B级不符",
        captcha_token=token,
        captcha_answer=str(int(a) + int(b)),
        client_address="10.0.0.1",
    )
    question, token = disclosure.new_captcha()
    a, b = question.split(" = ")[0].split(" + ")

    entry = emergency.save_entry(users["enterprise"], site.pk, 2024, payload())
    event = emergency.issue_alert(
        users["city"], {"region_codes": ["410100"], "level": "orange", "starts_at": "2024-12-01T20:00"}
    )
    order = grades.order_rectification(
        users["county"], site_id=site.pk, problem="料场未封闭", deadline=dt.date.today() + dt.timedelta(days=30)
    )
    round_ = grades.start_lookback(
        users["city"],
        region_code="410100",
        year=2030,
        qualification_due=dt.date.today() + dt.timedelta(days=30),
        onsite_due=dt.date.today() + dt.timedelta(days=60),
    )
    from airgrade.platform.gates import services as gates

    gate_device, _ = gates.register_device(users["enterprise"], site.pk, {"code": "G1", "entrance": "东门"})
    from airgrade.platform.gates import uploads as gate_uploads

    gate_job = gate_uploads.start_upload(
        users["county"], site.pk, "G1", "门禁.csv", "序号,车牌号,方向,通行时间\n".encode(), enqueue=False
    )
    from airgrade.platform.verification.models import Case

    task = event.tasks.get(entry=entry)
    case = Case.objects.create(task=task, event=event, enterprise=enterprise, region_id=task.region_id)
    from airgrade.platform.verification.models import Finding

    finding = Finding.objects.create(
        key="scope-test",
        kind=Finding.Kind.SILENCE,
        month=dt.date(2026, 10, 1),
        site=site,
        enterprise=enterprise,
        region_id=site.region_id,
        summary="在线监测连续 30 小时无有效数据",
        rules_version="test",
        computed_at=timezone.now(),
    )
    score_round = scorecards.open_round(users["city"], "410100", 2030, dt.date.today() + dt.timedelta(days=30))
    return {
        **users,
        "score_round": score_round,
        "scorecard": score_round.scorecards.get(enterprise=enterprise),
        "enterprise": enterprise,
        "site": site,
        "gate_device": gate_device,
        "gate_job": gate_job,
        "line": site.lines.first(),
        "campaign": campaign,
        "draft_campaign": draft_campaign,
        "draft": draft,
        "evidence": draft.evidence.get(),
        "reviewing": reviewing,
        "check": check,
        "expert_profile": expert_profile,
        "spare_expert": spare_expert,
        "objection": objection,
        "captcha": {"captcha_token": token, "captcha_answer": str(int(a) + int(b))},
        "ungraded": users["far_enterprise"],
        "entry": entry,
        "event": event,
        "task": task,
        "case": case,
        "finding": finding,
        "order": order,
        "round": round_,
        "item": round_.items.get(),
        "new_code": make_credit_code("91410181999999999"),
        "job": workbooks.start_import(users["county"], "emergency_list", "清单.xlsx", b"PK\x03\x04", enqueue=False),
        "markers": [enterprise.name, enterprise.credit_code, draft.number, graded.number],
    }


def _call(client: Client, endpoint: Endpoint, w: World) -> Any:
    url = endpoint.url(w)
    body = endpoint.body(w) if endpoint.body else {}
    method = endpoint.method.lower()
    is_api = url.startswith("/api/")
    if method == "get":
        return client.get(url)
    if endpoint.multipart:
        body = {k: SimpleUploadedFile(v[0], v[1]) if isinstance(v, tuple) else v for k, v in body.items()}
    if endpoint.multipart or not is_api:
        return getattr(client, method)(url, body) if method == "post" else getattr(client, method)(url)
    return getattr(client, method)(url, body, content_type="application/json")


def _snapshot() -> dict[str, int]:
    """Row counts of every airgrade table (audit first): an out-of-scope call must leave all of them unchanged."""
    from django.apps import apps

    from airgrade.platform.accounts.models import Captcha

    counts = {"audit": AuditRecord.objects.count()}
    for model in apps.get_models():
        # A captcha question handed out (or used up) is no data of anyone's.
        if model.__module__.startswith("airgrade.") and model is not Captcha:
            counts[model._meta.label] = model._default_manager.count()
    return counts


def _leaks(response: Any, w: World) -> list[str]:
    content_type = response.get("Content-Type", "")
    if content_type.startswith("application/vnd.openxmlformats-officedocument.spreadsheetml"):
        # A workbook of the caller's own scope: read its cells and look for the home enterprise there.
        import io

        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(response.content)).active
        text = " ".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell is not None)
    elif content_type.startswith(("application/vnd", "application/octet")):
        return ["<binary document>"]
    else:
        text = response.content.decode("utf-8", "replace")
    return [m for m in w["markers"] if m in text]


def _is_login_redirect(response: Any) -> bool:
    return response.status_code == 302 and "login" in response["Location"]


def _bounced(client: Client, response: Any) -> bool:
    """A page POST refused by the service redirects back with a message; following it must not show the object."""
    if response.status_code != 302:
        return False
    if _is_login_redirect(response):
        return True
    followed = client.get(response["Location"])
    return followed.status_code in REFUSED or _is_login_redirect(followed)


def _check(endpoint: Endpoint, w: World) -> None:
    before = _snapshot()
    is_api = endpoint.route.startswith("/")
    anonymous = _call(Client(), endpoint, w)
    if endpoint.kind == "public":
        if endpoint.public_refused:
            assert 400 <= anonymous.status_code < 500, f"anonymous: {anonymous.status_code}"
        else:
            assert anonymous.status_code in (200, 302), f"anonymous: {anonymous.status_code}"
        # Public answers carry only public data: never an enterprise without a published grade.
        text = anonymous.content.decode("utf-8", "replace")
        for hidden in (w["ungraded"].name, w["ungraded"].credit_code, w["other_enterprise"].name, w["draft"].number):
            assert hidden not in text, f"public answer shows {hidden}"
    elif is_api:
        assert anonymous.status_code == 401, f"anonymous: {anonymous.status_code}"
    else:
        assert _is_login_redirect(anonymous), f"anonymous: {anonymous.status_code}"
    if endpoint.kind != "public":
        for who in endpoint.outsiders:
            client = Client()
            client.force_login(w[who] if who != "enterprise" else w["enterprise_user"])
            response = _call(client, endpoint, w)
            refused = response.status_code in REFUSED | endpoint.also_refused or (
                not is_api and _bounced(client, response)
            )
            if endpoint.kind == "public_login":
                assert response.status_code == 200 and not _leaks(response, w), who
            elif endpoint.kind in ("list", "list_or_refuse") and response.status_code == 200:
                assert not _leaks(response, w), f"{who} sees {_leaks(response, w)}"
            else:
                assert refused, f"{who}: {response.status_code} {response.content[:300]!r}"
                # Out of scope is "not found": the same answer as for an object that does not exist at all.
                missing = _missing_world(w)
                if endpoint.url(missing) != endpoint.url(w) or _body(endpoint, missing) != _body(endpoint, w):
                    ghost = _call(client, endpoint, missing)
                    assert ghost.status_code == response.status_code, (
                        f"{who}: out of scope {response.status_code} {_error(response)!r}, "
                        f"missing {ghost.status_code} {_error(ghost)!r}"
                    )
    assert _snapshot() == before, "an out-of-scope call wrote something"


class _Missing:
    """Stands in for an object that does not exist: every id and key it gives names nothing in the database."""

    pk = id = 987654321
    version = 1

    def __getattr__(self, name: str) -> str:
        return f"MISSING{name.upper()}"[:18]


def _missing_world(w: World) -> World:
    from django.db.models import Model

    from airgrade.platform.accounts.models import User

    return {k: _Missing() if isinstance(v, Model) and not isinstance(v, User) else v for k, v in w.items()}


def _body(endpoint: Endpoint, w: World) -> Any:
    return repr(endpoint.body(w)) if endpoint.body else None


def _error(response: Any) -> str:
    """What a refusal says, without the page around it: the JSON error, or the error box of a page."""
    if response.get("Content-Type", "").startswith("application/json"):
        return str(response.json().get("error", ""))
    if response.status_code == 302:
        return response["Location"].split("?")[0] if "login" in response["Location"] else "redirect"
    text = response.content.decode("utf-8", "replace")
    start = text.find('role="alert">')
    return text[start : text.find("<", start + 13)] if start >= 0 else ""


def _ids(endpoints: list[Endpoint]) -> list[str]:
    return [f"{e.method} {e.route or '/'}" for e in endpoints]


@pytest.fixture
def scoped(world: World, users: dict[str, Any]) -> World:
    # world["enterprise"] is the home enterprise itself; its user (for role refusals) goes under another key.
    return {**world, "enterprise_user": users["enterprise"]}


@pytest.mark.parametrize("endpoint", API, ids=_ids(API))
def test_api_refuses_anonymous_and_out_of_scope_callers(scoped: World, endpoint: Endpoint) -> None:
    _check(endpoint, scoped)


@pytest.mark.parametrize("endpoint", PAGES, ids=_ids(PAGES))
def test_pages_refuse_anonymous_and_out_of_scope_callers(scoped: World, endpoint: Endpoint) -> None:
    _check(endpoint, scoped)
