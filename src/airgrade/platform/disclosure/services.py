"""Disclosure services: public grade catalogue with search, open data keyed by credit code, result notices,
objections (rate-limited, arithmetic captcha, routed to the responsible city, closed with a published result)
and the monthly report to the province (REQ LC-14, H21-7, SJZ-8, H23-3)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import secrets
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from airgrade.core.access import Target
from airgrade.core.industries import industry_by_code
from airgrade.core.regions import city_of
from airgrade.core.rules.rulebook import default_rulebook
from airgrade.core.workflow import State
from airgrade.io.excel.cells import neutralise_row, neutralise_rows
from airgrade.platform import params
from airgrade.platform.accounts.captcha import check_captcha
from airgrade.platform.accounts.captcha import new_captcha as new_captcha  # the public form's captcha, re-exported
from airgrade.platform.audit import services as audit
from airgrade.platform.declarations.models import Campaign, Declaration, ReviewEvent
from airgrade.platform.declarations.services import due_for
from airgrade.platform.disclosure.models import Objection, ResultNotice
from airgrade.platform.enterprises.models import Enterprise
from airgrade.platform.errors import NotFound, ServiceError
from airgrade.platform.grades.models import GradeRecord
from airgrade.platform.grades.services import current_records, filter_records
from airgrade.platform.permissions import (
    actor_of,
    permissions_for,
    require,
    require_found,
    require_role,
    scoped,
    within,
)
from airgrade.platform.regions.models import Region

# Objections per client per hour before further ones are refused. The seeds set no number; this is a
# provisional anti-abuse limit the administrator can change.
OBJECTION_LIMIT_PER_HOUR = 3


class RateLimited(ServiceError):
    status = 429


# ---------------------------------------------------------------- public catalogue


@dataclass(frozen=True)
class PublicFilter:
    query: str = ""
    region_code: str = ""
    industry_code: str = ""
    grade: str = ""


def public_grades(filters: PublicFilter | None = None, on: dt.date | None = None) -> QuerySet[GradeRecord]:
    """Grades in force, newest first within an enterprise, searchable by name or credit code."""
    filters = filters or PublicFilter()
    region_code = params.region_code(filters.region_code)
    queryset = filter_records(
        current_records(on).select_related("enterprise", "site", "region"),
        query=filters.query,
        region_code=region_code,
        industry_code=filters.industry_code,
        grade=filters.grade,
    )
    return queryset.order_by("region_id", "enterprise__name", "industry_code")


def public_grade_choices(on: dt.date | None = None) -> list[str]:
    """The grades that exist on `on` per the rule book (A+ from 2026), best first, for the public filter."""
    on = on or timezone.localdate()
    return [definition.code.value for definition in default_rulebook().grades if definition.effective <= on]


def public_row(record: GradeRecord) -> dict[str, Any]:
    industry = industry_by_code(record.industry_code)
    source = record.get_source_display()
    designation = getattr(record, "designation", None) if record.source == GradeRecord.Source.DESIGNATION else None
    if designation is not None:  # A+: the public sees who decided it (REQ G-8)
        source = f"{source}（{designation.decision_document}）"
    return {
        "credit_code": record.enterprise.credit_code,
        "enterprise": record.enterprise.name,
        "site": record.site.name,
        "region_code": record.region_id,
        "region": record.region.name,
        "industry_code": record.industry_code,
        "industry": industry.name_zh if industry else record.industry_code,
        "grade": record.grade,
        "valid_from": record.valid_from.isoformat(),
        "source": source,
        "rules_version": record.rules_version,
    }


OPEN_DATA_COLUMNS = [
    "credit_code",
    "enterprise",
    "site",
    "region_code",
    "region",
    "industry_code",
    "industry",
    "grade",
    "valid_from",
    "source",
    "rules_version",
]


def open_data_csv(filters: PublicFilter | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=OPEN_DATA_COLUMNS)
    writer.writeheader()
    for record in public_grades(filters):
        writer.writerow(neutralise_row(public_row(record)))
    return "\ufeff" + buffer.getvalue()  # BOM so spreadsheet programs read the Chinese correctly


# ---------------------------------------------------------------- result notices


@transaction.atomic
def publish_notice(user: Any, campaign_id: int, *, title: str = "", body: str = "") -> ResultNotice:
    """Freeze the campaign's decided grades into a public notice (REQ H21-4 信息公开, H21-7)."""
    campaign = Campaign.objects.filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound("评级批次不存在")
    require(user, "campaign.manage", Target(region_code=campaign.region_id))
    records = GradeRecord.objects.filter(campaign=campaign).select_related("enterprise", "site", "region")
    entries = [public_row(r) for r in records.order_by("region_id", "enterprise__name")]
    notice = ResultNotice.objects.create(
        campaign=campaign, title=title or f"{campaign.name}结果公示", body=body, entries=entries, published_by=user
    )
    audit.record(
        actor=user,
        action="disclosure.notice",
        obj=notice,
        region_code=campaign.region_id,
        after={"entries": len(entries)},
    )
    return notice


# ---------------------------------------------------------------- objections (LC-14)


def client_key(address: str) -> str:
    return hashlib.sha256(f"objection:{address}".encode()).hexdigest()


@transaction.atomic
def objectionable_enterprise(enterprise_id: int) -> Enterprise:
    """An enterprise the public may report: one with a published grade. The public learns nothing of the others,
    not even their names."""
    enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
    if enterprise is None or not GradeRecord.objects.filter(enterprise=enterprise).exists():
        raise ServiceError("只能对已公开等级的企业提出异议", field="enterprise")
    return enterprise


def file_objection(
    *,
    enterprise_id: int,
    content: str,
    captcha_token: str,
    captcha_answer: str,
    client_address: str,
    reporter_name: str = "",
    reporter_contact: str = "",
) -> Objection:
    """Anyone may report a published grade; the report goes to the enterprise's city (REQ LC-14). The captcha is
    used up first, in its own transaction, so a refusal below cannot give the token back; then the row and its audit
    record land together or not at all, so a refused or failed attempt leaves nothing that counts against the
    hourly limit."""
    check_captcha(captcha_token, captcha_answer)
    return _file_checked_objection(
        enterprise_id=enterprise_id,
        content=content,
        client_address=client_address,
        reporter_name=reporter_name,
        reporter_contact=reporter_contact,
    )


@transaction.atomic
def _file_checked_objection(
    *, enterprise_id: int, content: str, client_address: str, reporter_name: str, reporter_contact: str
) -> Objection:
    key = client_key(client_address)
    since = timezone.now() - dt.timedelta(hours=1)
    if Objection.objects.filter(client_key=key, filed_at__gte=since).count() >= OBJECTION_LIMIT_PER_HOUR:
        raise RateLimited("提交过于频繁，请一小时后再试")
    enterprise = objectionable_enterprise(enterprise_id)
    content = content.strip()
    if len(content) < 10:
        raise ServiceError("请具体说明问题（至少10个字）", field="content")
    if len(content) > 4000:
        raise ServiceError("内容不能超过4000字", field="content")
    city_code = city_of(enterprise.region_id)
    reference = f"JB{timezone.localdate():%Y%m%d}{secrets.token_hex(3).upper()}"
    objection = Objection.objects.create(
        reference=reference,
        enterprise=enterprise,
        city_id=city_code,
        content=content,
        reporter_name=reporter_name.strip()[:64],
        reporter_contact=reporter_contact.strip()[:64],
        client_key=key,
    )
    audit.record(
        actor=None,
        action="objection.file",
        obj=objection,
        region_code=city_code,
        after={"reference": reference, "enterprise": enterprise.pk},
    )
    return objection


def visible_objections(user: Any) -> QuerySet[Objection]:
    actor = actor_of(user)
    if "objection.view" not in permissions_for(actor):
        return Objection.objects.none()
    return scoped(Objection.objects.all(), actor, region_field="city")


def visible_objection(user: Any, objection_id: int) -> Objection:
    """One objection of the caller's city (or province); out of scope is "not found"."""
    objection = visible_objections(user).select_related("enterprise", "city").filter(pk=objection_id).first()
    if objection is None:
        raise NotFound("举报不存在")
    return objection


def objection_due(objection: Objection) -> dt.datetime:
    """When the city's answer is due: the rule book's response period in force when the report was filed."""
    filed_on = timezone.localtime(objection.filed_at).date()
    return objection.filed_at + dt.timedelta(days=default_rulebook().policy(filed_on).objection_response_days.days)


def objection_work_items(user: Any) -> list[dict[str, Any]]:
    """Open objections for the city that handles them (the home work queue); the answer period is the rule book's
    policy in force when the report was filed (REQ LC-14)."""
    actor = actor_of(user)
    if "objection.handle" not in permissions_for(actor):
        return []
    moment = timezone.now()
    items = []
    for objection in (
        scoped(Objection.objects.all(), actor, region_field="city")
        .exclude(status=Objection.Status.CLOSED)
        .select_related("enterprise")
    ):
        due = objection_due(objection)
        items.append(
            {
                "kind": "objection",
                "id": objection.pk,
                "declaration_id": None,
                "title": f"举报 {objection.reference}：{objection.enterprise.name}",
                "due": due,
                "overdue": due < moment,
            }
        )
    return items


@transaction.atomic
def handle_objection(
    user: Any, objection_id: int, *, investigation: str, result: str = "", close: bool = False
) -> Objection:
    """The city investigates; closing publishes the result (REQ LC-14)."""
    require_role(user, "objection.handle")  # the same answer for every objection, existing or not
    objection = Objection.objects.select_for_update(no_key=True).filter(pk=objection_id).first()
    if objection is None:
        raise NotFound("举报不存在")
    target = Target(region_code=objection.city_id)
    require_found(user, "objection.handle", target, view="objection.view", missing="举报不存在")
    if objection.status == Objection.Status.CLOSED:
        raise ServiceError("该举报已办结")
    if not investigation.strip():
        raise ServiceError("须填写调查情况", field="investigation")
    if close and not result.strip():
        raise ServiceError("办结须填写公开的处理结果", field="result")
    before = audit.snapshot(objection, ["status", "investigation", "result"])
    objection.investigation = investigation
    objection.handled_by = user
    if close:
        objection.status, objection.result, objection.closed_at = Objection.Status.CLOSED, result, timezone.now()
    else:
        objection.status = Objection.Status.INVESTIGATING
    objection.save()
    audit.record(
        actor=user,
        action="objection.handle",
        obj=objection,
        region_code=objection.city_id,
        before=before,
        after=audit.snapshot(objection, ["status", "investigation", "result"]),
    )
    return objection


# ---------------------------------------------------------------- monthly report (H23-3)

REPORT_COLUMNS = ["city", "city_name", "industry_code", "industry", "grade", "applied", "reviewed", "graded", "overdue"]


def monthly_report(user: Any, *, region_code: str, year: int, month: int) -> list[dict[str, Any]]:
    """Per city × industry × grade: declarations applied (submitted in the month), reviewed (a county or city
    decision in the month), graded (decided in the month) and overdue (open past their due date at month end).
    The grade column is the applied grade for applied / reviewed / overdue and the decided grade for graded."""
    region_code = params.region_code(region_code, required=True)
    year, month = params.year(year), params.month(month)
    require(user, "report.monthly", Target(region_code=region_code))
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(dt.datetime(year, month, 1), tz)
    end = timezone.make_aware(dt.datetime(year + month // 12, month % 12 + 1, 1), tz)
    declarations = (
        Declaration.objects.filter(within(region_code))
        .exclude(state=State.WITHDRAWN)
        .prefetch_related("items", "campaign__batches")
        .select_related("campaign")
    )
    counts: dict[tuple[str, str, str], dict[str, int]] = defaultdict(
        lambda: {"applied": 0, "reviewed": 0, "graded": 0, "overdue": 0}
    )
    reviewed_ids = set(
        ReviewEvent.objects.filter(at__gte=start, at__lt=end, reviewer_role__in=["county", "city"])
        .exclude(action__in=["declaration.county_accept", "declaration.city_accept"])
        .values_list("declaration_id", flat=True)
    )
    for declaration in declarations:
        city = city_of(declaration.region_id)
        for item in declaration.items.all():
            key = (city, item.industry_code, item.target_grade)
            if declaration.submitted_at and start <= declaration.submitted_at < end:
                counts[key]["applied"] += 1
            if declaration.pk in reviewed_ids:
                counts[key]["reviewed"] += 1
            if not State(declaration.state).is_closed:
                due = due_for(declaration)
                if due is not None and due < end and declaration.state != State.DRAFT:
                    counts[key]["overdue"] += 1
    # The month's grade records in one query, not one per declaration.
    graded = GradeRecord.objects.filter(
        declaration__in=declarations.values("pk"), recorded_at__gte=start, recorded_at__lt=end
    ).values_list("declaration__region_id", "industry_code", "grade")
    for region, industry_code, grade in graded:
        counts[(city_of(region), industry_code, grade)]["graded"] += 1
    names = dict(Region.objects.filter(code__in={k[0] for k in counts}).values_list("code", "name"))
    rows = []
    for (city, industry_code, grade), values in sorted(counts.items()):
        industry = industry_by_code(industry_code)
        rows.append(
            {
                "city": city,
                "city_name": names.get(city, city),
                "industry_code": industry_code,
                "industry": industry.name_zh if industry else industry_code,
                "grade": grade,
                **values,
            }
        )
    return rows


def monthly_report_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=REPORT_COLUMNS)
    writer.writeheader()
    writer.writerows(neutralise_rows(rows))
    return "\ufeff" + buffer.getvalue()
