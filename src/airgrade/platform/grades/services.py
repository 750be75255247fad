"""Grade registry services: record and query grades with validity, downgrades with bans and the integrity file,
rectification orders, the adjustment window and the 回头看 look-back. Every write checks permission and audits.

REQ LC-5 (overall grade is the worst), LC-6, LC-12 (upgrades to A / B / 引领性 only through province
verification), LC-8 / H23-7 (one dynamic adjustment per period: outside an annual campaign an upgrade to A / B /
引领性 is decided only while the region's adjustment window is open; downgrades at any time), H21-6 / H23-6 (downgrades), SJZ-3 / SJZ-5
(falsification or tampered gate data → lowest grade, one-year ban, integrity file), H23-1 (回头看, rectification).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from airgrade.core.access import Target, decide
from airgrade.core.industries import industry_by_code
from airgrade.core.regions import contains
from airgrade.core.rules.rulebook import RuleLookupError, default_rulebook
from airgrade.core.types import Grade, worst_grade
from airgrade.core.workflow import State
from airgrade.platform.audit import services as audit
from airgrade.platform.declarations.models import Campaign, DeclarationItem
from airgrade.platform.declarations.rulebook import industry_floor
from airgrade.platform.enterprises.models import Enterprise, IndustryAssignment, Site
from airgrade.platform.errors import NotFound, ServiceError
from airgrade.platform.grades.models import (
    AdjustmentWindow,
    ApplicationBan,
    Downgrade,
    GradeRecord,
    IntegrityEntry,
    LookbackItem,
    LookbackRound,
    RectificationOrder,
)
from airgrade.platform.permissions import (
    actor_of,
    permissions_for,
    require,
    require_found,
    require_role,
    scoped,
    within,
)


def application_ban_rule(on: dt.date) -> Any:
    """The rule book's application ban in force on `on` (common/policy.yaml): which downgrade reasons send the
    enterprise to the lowest grade with a ban and an integrity-file entry, and for how many days."""
    try:
        return default_rulebook().policy(on).application_ban
    except RuleLookupError as exc:
        raise ServiceError(str(exc), field="effective") from None


def today() -> dt.date:
    return timezone.localdate()


def site_target(site: Site) -> Target:
    return Target(region_code=site.region_id, enterprise_id=site.enterprise_id)


MISSING_SITE = "厂区不存在或不在您的管辖范围内"


def _site_for(user: Any, site_id: int, action: str) -> Site:
    """The site `action` is about. A role that may never do it is refused first (the same answer for every site);
    a site out of the caller's scope then looks exactly like a missing one, before any other check."""
    require_role(user, action)
    site = Site.objects.select_related("enterprise").filter(pk=site_id).first()
    if site is None:
        raise NotFound(MISSING_SITE)
    require_found(user, action, site_target(site), view="grade.view", missing=MISSING_SITE)
    return site


# ---------------------------------------------------------------- queries


def in_force_q(on: dt.date) -> Q:
    return Q(valid_from__lte=on) & (Q(valid_until__isnull=True) | Q(valid_until__gt=on))


def is_in_force(record: GradeRecord, on: dt.date) -> bool:
    """The same test as in_force_q, for one record already loaded."""
    return record.valid_from <= on and (record.valid_until is None or record.valid_until > on)


def grade_on(site: Site, industry_code: str, on: dt.date) -> GradeRecord | None:
    """The grade of a site and industry in force on date `on` (the latest recorded wins a same-day tie)."""
    return (
        GradeRecord.objects.filter(site=site, industry_code=industry_code)
        .filter(in_force_q(on))
        .order_by("-valid_from", "-id")
        .first()
    )


def grades_on(site_ids: list[int], on: dt.date) -> dict[tuple[int, str], Grade]:
    """The grades in force on `on` of many sites at once, by (site, industry): grade_on in one query per batch."""
    found: dict[tuple[int, str], Grade] = {}
    for start in range(0, len(site_ids), 500):
        records = (
            GradeRecord.objects.filter(site_id__in=site_ids[start : start + 500])
            .filter(in_force_q(on))
            .order_by("valid_from", "id")
            .values_list("site_id", "industry_code", "grade")
        )
        for site_id, industry_code, grade in records:
            found[(site_id, industry_code)] = Grade(grade)  # ordered: the latest record wins, as in grade_on
    return found


def enterprise_grade_on(enterprise: Enterprise, on: dt.date) -> Grade | None:
    """The enterprise's overall grade on `on`: the worst of its sites' and industries' grades (REQ LC-5)."""
    records = GradeRecord.objects.filter(enterprise=enterprise).filter(in_force_q(on))
    grades = [Grade(r.grade) for r in records]
    return worst_grade(grades) if grades else None


def current_records(on: dt.date | None = None) -> QuerySet[GradeRecord]:
    return GradeRecord.objects.filter(in_force_q(on or today()))


def history(user: Any, enterprise_id: int) -> list[GradeRecord]:
    enterprise = Enterprise.objects.filter(pk=enterprise_id).first()
    missing = "企业不存在或不在您的管辖范围内"
    if enterprise is None:
        raise NotFound(missing)
    target = Target(region_code=enterprise.region_id, enterprise_id=enterprise.pk)
    require_found(user, "grade.view", target, view="grade.view", missing=missing)
    return list(GradeRecord.objects.filter(enterprise=enterprise).order_by("valid_from", "id"))


def visible_records(user: Any, on: dt.date | None = None) -> QuerySet[GradeRecord]:
    actor = actor_of(user)
    return scoped(current_records(on), actor, enterprise_field="enterprise_id")


def filter_records(
    queryset: QuerySet[GradeRecord], *, query: str = "", region_code: str = "", industry_code: str = "", grade: str = ""
) -> QuerySet[GradeRecord]:
    """Search and filters of a grade list (registry and public catalogue): name or 18-character credit code,
    region (itself and below), industry and grade."""
    text = query.strip()
    if text:
        if len(text) == 18:
            queryset = queryset.filter(enterprise__credit_code=text.upper())
        else:
            queryset = queryset.filter(enterprise__name__contains=text)
    if region_code:
        queryset = queryset.filter(within(region_code))
    if industry_code:
        queryset = queryset.filter(industry_code=industry_code)
    if grade:
        queryset = queryset.filter(grade=grade)
    return queryset


def visible_site(user: Any, site_id: int) -> Site:
    """A site whose grades the caller may see; out of scope is "not found"."""
    missing = "厂区不存在或不在您的管辖范围内"
    site = Site.objects.select_related("enterprise", "region").filter(pk=site_id).first()
    if site is None:
        raise NotFound(missing)
    require_found(user, "grade.view", site_target(site), view="grade.view", missing=missing)
    return site


def site_history(user: Any, site_id: int) -> tuple[Site, list[GradeRecord]]:
    """Every grade of a site, oldest first, with its dates, source, rules version and reason."""
    site = visible_site(user, site_id)
    records = (
        GradeRecord.objects.filter(site=site)
        .select_related("declaration", "campaign")
        .order_by("industry_code", "valid_from", "id")
    )
    return site, list(records)


def visible_rectifications(user: Any) -> QuerySet[RectificationOrder]:
    """Rectification orders in the caller's scope (an enterprise its own)."""
    actor = actor_of(user)
    if "grade.view" not in permissions_for(actor):
        return RectificationOrder.objects.none()
    return scoped(RectificationOrder.objects.all(), actor, enterprise_field="enterprise_id").select_related(
        "enterprise", "site", "region"
    )


def visible_rectification(user: Any, order_id: int) -> RectificationOrder:
    order = visible_rectifications(user).filter(pk=order_id).first()
    if order is None:
        raise NotFound("整改通知不存在")
    return order


def visible_downgrades(user: Any) -> QuerySet[Downgrade]:
    actor = actor_of(user)
    if "grade.view" not in permissions_for(actor):
        return Downgrade.objects.none()
    return scoped(Downgrade.objects.all(), actor, "site__region", "enterprise_id").select_related(
        "enterprise", "site", "site__region"
    )


def visible_windows(user: Any) -> list[AdjustmentWindow]:
    """Adjustment windows that cover the caller's region (a province's covers its cities) or lie inside it."""
    actor = actor_of(user)
    if actor.region_code is None or "region.overview" not in permissions_for(actor):
        return []
    return [
        window
        for window in AdjustmentWindow.objects.select_related("region").order_by("-period", "opens", "id")
        if contains(window.region_id, actor.region_code) or contains(actor.region_code, window.region_id)
    ]


def visible_lookbacks(user: Any) -> QuerySet[LookbackRound]:
    actor = actor_of(user)
    if "lookback.view" not in permissions_for(actor):
        return LookbackRound.objects.none()
    return scoped(LookbackRound.objects.all(), actor).select_related("region").order_by("-year", "id")


def visible_lookback(user: Any, round_id: int) -> LookbackRound:
    round_ = LookbackRound.objects.select_related("region").filter(pk=round_id).first()
    missing = "回头看不存在"
    if round_ is None:
        raise NotFound(missing)
    require_found(user, "lookback.view", Target(region_code=round_.region_id), view="lookback.view", missing=missing)
    return round_


def visible_lookback_item(user: Any, item_id: int) -> LookbackItem:
    item = LookbackItem.objects.select_related("round", "grade_record").filter(pk=item_id).first()
    missing = "回头看记录不存在"
    if item is None:
        raise NotFound(missing)
    target = Target(region_code=item.grade_record.region_id)
    require_found(user, "lookback.view", target, view="lookback.view", missing=missing)
    return item


def active_ban(enterprise: Enterprise, on: dt.date | None = None) -> ApplicationBan | None:
    on = on or today()
    return ApplicationBan.objects.filter(enterprise=enterprise, starts__lte=on, ends__gt=on).first()


# ---------------------------------------------------------------- writes (internal, inside a caller's transaction)


def record_grade(
    *,
    actor: Any,
    site: Site,
    industry_code: str,
    grade: Grade,
    valid_from: dt.date,
    source: str,
    declaration: Any = None,
    campaign: Any = None,
    rules_version: str = "",
    reason: str = "",
    designated: bool = False,
) -> GradeRecord:
    """Append a grade and close the period of the one it replaces. Callers check permission first.

    A designation (A+) is recorded only by `designations.designate`, which checks the ministry's decision
    (`designated=True`); nothing else can record one.

    An upgrade to A / B(B-) / 引领性 is accepted only from a declaration the province verified or adjusted
    (REQ LC-12): nothing else can raise a grade into the top tier. Outside an annual campaign it must also fall in
    the region's open adjustment window (REQ LC-8, H23-7): the declarations service checks this first, this is the
    registry's own guard.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_grade writes inside its caller's service transaction")
    current = grade_on(site, industry_code, valid_from)
    is_upgrade = current is None or grade.rank < Grade(current.grade).rank
    province_decided = declaration is not None and declaration.state in (State.VERIFIED, State.ADJUSTED)
    if grade.is_designation != designated:
        raise ServiceError(f"{grade.value} 级只能由部级认定登记（REQ G-8）", field="grade")
    if grade.is_top_tier and is_upgrade and not province_decided and not designated:
        raise ServiceError("升级为A级、B级（含B-）或引领性须经省级核定（REQ LC-12）", field="grade")
    refusal = dynamic_upgrade_refusal(site, industry_code, grade, campaign, valid_from)
    if refusal:
        raise ServiceError(refusal, field="grade")
    open_records = (
        GradeRecord.objects.select_for_update(no_key=True)
        .filter(site=site, industry_code=industry_code)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=valid_from))
    )
    for previous in open_records:
        before = audit.snapshot(previous, ["valid_until"])
        previous.valid_until = max(valid_from, previous.valid_from)
        previous.save(update_fields=["valid_until"])
        audit.record(
            actor=actor,
            action="grade.close",
            obj=previous,
            region_code=site.region_id,
            before=before,
            after=audit.snapshot(previous, ["valid_until"]),
            reason=reason,
        )
    return _append_record(
        actor,
        "grade.record",
        reason,
        site=site,
        industry_code=industry_code,
        grade=grade.value,
        valid_from=valid_from,
        source=source,
        declaration=declaration,
        campaign=campaign,
        rules_version=rules_version,
        reason=reason,
    )


def _append_record(actor: Any, action: str, audit_reason: str, *, site: Site, **fields: Any) -> GradeRecord:
    """Create a grade record of `site` and audit it as `action` (the record's own fields in `fields`)."""
    record = GradeRecord.objects.create(
        enterprise_id=site.enterprise_id,
        site=site,
        region_id=site.region_id,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        **fields,
    )
    audit.record(
        actor=actor,
        action=action,
        obj=record,
        region_code=site.region_id,
        after=audit.snapshot(record),
        reason=audit_reason,
    )
    return record


def history_refusal(
    site: Site, industry_code: str, grade: Grade, valid_from: dt.date, valid_until: dt.date | None
) -> str:
    """Why a published grade of an earlier period cannot be entered ('' when it can): the rule book must know the
    grade for the industry on its start date, an A+ comes only from a designation, the period must be a real one,
    and it must fill a gap in the site's history: a recorded grade is never changed by an import (REQ LC-12)."""
    if valid_until is not None and valid_until <= valid_from:
        return "失效日期须晚于生效日期"
    if valid_from > today():
        return "历年等级的生效日期不能晚于今天"
    if grade.is_designation:
        return f"{grade.value} 级只能由部级认定登记，不能从历年结果导入"
    try:
        scale, _ = default_rulebook().scale_on(industry_code, valid_from)
    except (RuleLookupError, KeyError) as exc:
        # The rule book's message ends with an English gloss for developers: people read the Chinese part.
        return f"{valid_from} 时没有该行业的绩效分级规则：{str(exc).split(' (')[0]}"
    if grade not in scale:
        allowed = "、".join(g.value for g in scale)
        return f"{valid_from} 时该行业的等级只有 {allowed}，没有 {grade.value}"
    overlapping = GradeRecord.objects.filter(site=site, industry_code=industry_code).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=valid_from)
    )
    if valid_until is not None:
        overlapping = overlapping.filter(valid_from__lt=valid_until)
    clash = overlapping.order_by("valid_from").first()
    if clash is not None:
        until = clash.valid_until.isoformat() if clash.valid_until else "今"
        return (
            f"与已登记的等级记录（{clash.grade}，{clash.valid_from} 至 {until}，{clash.get_source_display()}）时段重叠；"
            "历年结果只能补入没有记录的时段，不修改已有记录"
        )
    return ""


def record_historical_grade(
    *,
    actor: Any,
    site: Site,
    industry_code: str,
    grade: Grade,
    valid_from: dt.date,
    valid_until: dt.date | None,
    document: str,
    published_on: dt.date,
    reason: str,
) -> GradeRecord:
    """Enter a grade that an earlier published list gave (REQ H21-7): it fills a gap in the site's history, with
    the document it was published in; nothing recorded is closed or changed. Inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_historical_grade writes inside its caller's service transaction")
    require(actor, "grade.history.record", site_target(site))
    if not document.strip():
        raise ServiceError("须填写发布文件", field="source_document")
    if published_on > today():
        raise ServiceError("发布日期不能晚于今天", field="published_on")
    refusal = history_refusal(site, industry_code, grade, valid_from, valid_until)
    if refusal:
        raise ServiceError(refusal, field="grade")
    return _append_record(
        actor,
        "grade.history",
        reason,
        site=site,
        industry_code=industry_code,
        grade=grade.value,
        valid_from=valid_from,
        valid_until=valid_until,
        source=GradeRecord.Source.HISTORY,
        reason=f"依据{document.strip()}（{published_on} 发布）",
    )


# ---------------------------------------------------------------- dynamic management


@transaction.atomic
def downgrade(
    user: Any,
    *,
    site_id: int,
    industry_code: str,
    reason_code: str,
    description: str,
    to_grade: str | None = None,
    effective: dt.date | None = None,
) -> Downgrade:
    """Downgrade a site's industry grade for a violation (REQ H21-6, H23-6). 虚假材料 or tampered gate data
    send it to the industry's lowest grade, ban applications for a year and enter the integrity file
    (REQ SJZ-3, SJZ-5, LC-13)."""
    site = _site_for(user, site_id, "grade.downgrade")
    if reason_code not in Downgrade.Reason.values:
        raise ServiceError(f"未知的降级原因: {reason_code}", field="reason_code")
    if not description.strip():
        raise ServiceError("须写明降级的事实与依据", field="description")
    effective = effective or today()
    current = grade_on(site, industry_code, effective)
    if current is None:
        raise ServiceError("该厂区该行业当前没有绩效等级，无法降级", field="industry_code")
    reason = Downgrade.Reason(reason_code)
    floor = industry_floor(industry_code, effective, site.region_id)
    ban_rule = application_ban_rule(effective)
    severe = reason.value in ban_rule.downgrade_reasons
    if severe:
        target = floor.grade
    else:
        if not to_grade:
            raise ServiceError("须指定降级后的等级", field="to_grade")
        try:
            target = Grade(to_grade)
        except ValueError:
            raise ServiceError(f"未知的绩效等级: {to_grade}", field="to_grade") from None
    if target.rank <= Grade(current.grade).rank and not severe:
        raise ServiceError(f"降级后的等级须低于当前等级 {current.grade}", field="to_grade")
    record = record_grade(
        actor=user,
        site=site,
        industry_code=industry_code,
        grade=target,
        valid_from=effective,
        source=GradeRecord.Source.DOWNGRADE,
        rules_version=floor.rules_version,
        reason=f"{reason.label}：{description}",
    )
    entry = Downgrade.objects.create(
        enterprise_id=site.enterprise_id,
        site=site,
        industry_code=industry_code,
        reason_code=reason.value,
        description=description,
        from_grade=current.grade,
        to_grade=target.value,
        effective=effective,
        grade_record=record,
        recorded_by=user,
    )
    audit.record(
        actor=user,
        action="grade.downgrade",
        obj=entry,
        region_code=site.region_id,
        before={"grade": current.grade},
        after={"grade": target.value, "reason": reason.value},
        reason=description,
    )
    if severe:
        ban = ApplicationBan.objects.create(
            enterprise_id=site.enterprise_id,
            starts=effective,
            ends=effective + dt.timedelta(days=ban_rule.days),
            reason=str(reason.label),
            downgrade=entry,
        )
        integrity = IntegrityEntry.objects.create(
            enterprise_id=site.enterprise_id,
            kind=reason.value,
            description=description,
            downgrade=entry,
            recorded_by=user,
        )
        audit.record(
            actor=user,
            action="grade.ban",
            obj=ban,
            region_code=site.region_id,
            after=audit.snapshot(ban),
            reason=description,
        )
        audit.record(
            actor=user,
            action="integrity.record",
            obj=integrity,
            region_code=site.region_id,
            after=audit.snapshot(integrity),
            reason=description,
        )
    return entry


@transaction.atomic
def open_adjustment_window(
    user: Any, *, region_code: str, period: int, opens: dt.date, closes: dt.date, note: str = ""
) -> AdjustmentWindow:
    """Open the one dynamic-adjustment window of a period (REQ LC-8 "开展一次", H23-7)."""
    require(user, "grade.adjustment_window", Target(region_code=region_code))
    if closes < opens:
        raise ServiceError("动态调整截止日期早于开始日期", field="closes")
    if AdjustmentWindow.objects.filter(region_id=region_code, period=period).exists():
        raise ServiceError(f"{period} 年度已开展过一次动态调整，每个周期只能开展一次（REQ LC-8）", field="period")
    try:
        with transaction.atomic():
            window = AdjustmentWindow.objects.create(
                region_id=region_code, period=period, opens=opens, closes=closes, opened_by=user, note=note
            )
    except IntegrityError:
        raise ServiceError(f"{period} 年度已开展过一次动态调整", field="period") from None
    audit.record(
        actor=user, action="grade.adjustment_window", obj=window, region_code=region_code, after=audit.snapshot(window)
    )
    return window


def _windows_for(region_code: str) -> list[AdjustmentWindow]:
    """Adjustment windows of a region or any region containing it (a province's window covers its cities)."""
    return [
        window for window in AdjustmentWindow.objects.order_by("opens", "id") if contains(window.region_id, region_code)
    ]


def window_open(region_code: str, on: dt.date) -> AdjustmentWindow | None:
    """The adjustment window covering `on` for a region or any region containing it."""
    for window in _windows_for(region_code):
        if window.opens <= on <= window.closes:
            return window
    return None


def dynamic_upgrade_refusal(site: Site, industry_code: str, grade: Grade, campaign: Any, on: dt.date) -> str:
    """Why recording `grade` on `on` is refused as a dynamic-management upgrade, or "" if it is not refused.

    Outside an annual campaign (monthly cycles H23-3, dynamic adjustment), raising a graded site into A / B(B-) /
    引领性 is a dynamic adjustment: allowed once per period, while the region's window is open (REQ LC-12, LC-8,
    H23-7). Downgrades and grades that are not higher are never limited. A site with no grade yet (first grading
    of a new enterprise in a monthly cycle) is not an adjustment: the seeds are silent, and H23-3 keeps
    declarations open all year, so it only needs the province's verification.
    """
    if campaign is None or campaign.kind == Campaign.Kind.ANNUAL or not grade.is_top_tier:
        return ""
    current = grade_on(site, industry_code, on)
    if current is None or grade.rank >= Grade(current.grade).rank:
        return ""
    if window_open(site.region_id, on) is not None:
        return ""
    windows = [w for w in _windows_for(site.region_id) if w.period == on.year]
    industry = industry_by_code(industry_code)
    if windows:
        spans = "、".join(f"{w.opens:%Y-%m-%d} 至 {w.closes:%Y-%m-%d}" for w in windows)
        detail = f"本地区 {on.year} 年度动态调整窗口为 {spans}，{on:%Y-%m-%d} 不在窗口内"
    else:
        detail = f"本地区 {on.year} 年度尚未开启动态调整窗口"
    return (
        f"{industry.name_zh if industry else industry_code}由 {current.grade} 升为 {grade.value} 属动态调整升级，只能在动态调整窗口开放期间经省级核定"
        f"（每个周期一次，REQ LC-12, LC-8, H23-7）：{detail}。降级不受此限"
    )


# ---------------------------------------------------------------- rectification (H23-1)


@transaction.atomic
def order_rectification(
    user: Any, *, site_id: int, problem: str, deadline: dt.date, lookback_item: LookbackItem | None = None
) -> RectificationOrder:
    site = _site_for(user, site_id, "rectification.order")
    if not problem.strip():
        raise ServiceError("须写明整改问题", field="problem")
    if deadline <= today():
        raise ServiceError("整改时限须晚于今天", field="deadline")
    order = RectificationOrder.objects.create(
        enterprise_id=site.enterprise_id,
        site=site,
        region_id=site.region_id,
        problem=problem,
        deadline=deadline,
        ordered_by=user,
        lookback_item=lookback_item,
    )
    audit.record(
        actor=user, action="rectification.order", obj=order, region_code=site.region_id, after=audit.snapshot(order)
    )
    return order


def _order_for_update(user: Any, order_id: int, action: str) -> RectificationOrder:
    """The locked order, checked like `_site_for`: role first, then out of scope looks missing, then `action`."""
    require_role(user, action)
    order = RectificationOrder.objects.select_for_update(no_key=True).filter(pk=order_id).first()
    if order is None:
        raise NotFound("整改通知不存在")
    target = Target(region_code=order.region_id, enterprise_id=order.enterprise_id)
    require_found(user, action, target, view="grade.view", missing="整改通知不存在")
    return order


@transaction.atomic
def report_rectification(user: Any, order_id: int, report: str) -> RectificationOrder:
    order = _order_for_update(user, order_id, "rectification.report")
    if order.status == RectificationOrder.Status.CLOSED:
        raise ServiceError("整改通知已销号")
    if not report.strip():
        raise ServiceError("须填写整改情况", field="report")
    before = audit.snapshot(order, ["status", "report"])
    order.status, order.report, order.reported_at = RectificationOrder.Status.REPORTED, report, timezone.now()
    order.save(update_fields=["status", "report", "reported_at"])
    audit.record(
        actor=user,
        action="rectification.report",
        obj=order,
        region_code=order.region_id,
        before=before,
        after=audit.snapshot(order, ["status", "report"]),
    )
    return order


@transaction.atomic
def close_rectification(user: Any, order_id: int, note: str) -> RectificationOrder:
    order = _order_for_update(user, order_id, "rectification.close")
    if order.status != RectificationOrder.Status.REPORTED:
        raise ServiceError("企业尚未报告整改完成，不能销号")
    if not note.strip():
        raise ServiceError("须填写核查销号意见", field="note")
    before = audit.snapshot(order, ["status"])
    order.status, order.closed_by, order.closed_at, order.close_note = (
        RectificationOrder.Status.CLOSED,
        user,
        timezone.now(),
        note,
    )
    order.save(update_fields=["status", "closed_by", "closed_at", "close_note"])
    audit.record(
        actor=user,
        action="rectification.close",
        obj=order,
        region_code=order.region_id,
        before=before,
        after=audit.snapshot(order, ["status"]),
        reason=note,
    )
    return order


def is_overdue(order: RectificationOrder, on: dt.date | None = None) -> bool:
    return order.status != RectificationOrder.Status.CLOSED and order.deadline < (on or today())


def rectification_work_items(user: Any) -> list[dict[str, Any]]:
    """Open orders for whoever acts next (the home work queue): the enterprise reports an open order, the county or
    city closes a reported one."""
    actor = actor_of(user)
    orders = scoped(
        RectificationOrder.objects.exclude(status=RectificationOrder.Status.CLOSED),
        actor,
        enterprise_field="enterprise_id",
    ).select_related("enterprise")
    items = []
    for order in orders:
        action = "rectification.report" if order.status == RectificationOrder.Status.OPEN else "rectification.close"
        if not decide(actor, action, Target(region_code=order.region_id, enterprise_id=order.enterprise_id)):
            continue
        due = timezone.make_aware(dt.datetime.combine(order.deadline, dt.time(23, 59)))
        items.append(
            {
                "kind": "rectification",
                "id": order.pk,
                "declaration_id": None,
                "title": f"整改：{order.enterprise.name} {order.problem[:30]}",
                "due": due,
                "overdue": is_overdue(order),
            }
        )
    return items


# ---------------------------------------------------------------- 回头看 (H23-1)


@transaction.atomic
def start_lookback(
    user: Any, *, region_code: str, year: int, qualification_due: dt.date, onsite_due: dt.date
) -> LookbackRound:
    """Select every A / B(B-) / 引领性 grade in force in the region into a look-back round."""
    require(user, "lookback.manage", Target(region_code=region_code))
    if LookbackRound.objects.filter(region_id=region_code, year=year).exists():
        raise ServiceError(f"{year} 年度回头看已建立", field="year")
    round_ = LookbackRound.objects.create(
        region_id=region_code,
        year=year,
        qualification_due=qualification_due,
        onsite_due=onsite_due,
        created_by=user,
    )
    top = [g.value for g in Grade if g.is_top_tier]
    records = current_records().filter(within(region_code), grade__in=top).order_by("region_id", "id")
    LookbackItem.objects.bulk_create([LookbackItem(round=round_, grade_record=r) for r in records])
    audit.record(
        actor=user,
        action="lookback.start",
        obj=round_,
        region_code=region_code,
        after={"year": year, "items": round_.items.count()},
    )
    return round_


def _lookback_item_for_update(user: Any, item_id: int) -> LookbackItem:
    """The locked item for the city running the look-back: role first, then out of scope looks missing."""
    require_role(user, "lookback.manage")
    item = (
        LookbackItem.objects.select_for_update(of=("self",), no_key=True)
        .select_related("round", "grade_record")
        .filter(pk=item_id)
        .first()
    )
    missing = "回头看记录不存在"
    if item is None:
        raise NotFound(missing)
    target = Target(region_code=item.grade_record.region_id)
    require_found(user, "lookback.manage", target, view="lookback.view", missing=missing)
    return item


@transaction.atomic
def record_lookback_result(user: Any, item_id: int, *, stage: str, result: str, note: str = "") -> LookbackItem:
    item = _lookback_item_for_update(user, item_id)
    if stage not in ("qualification", "onsite"):
        raise ServiceError("阶段须为资格审查或现场核查", field="stage")
    if result not in (LookbackItem.Result.PASS, LookbackItem.Result.MINOR, LookbackItem.Result.SERIOUS):
        raise ServiceError(f"未知的核查结论: {result}", field="result")
    if result != LookbackItem.Result.PASS and not note.strip():
        raise ServiceError("发现问题须写明问题", field="note")
    before = audit.snapshot(item, [f"{stage}_result", f"{stage}_note"])
    setattr(item, f"{stage}_result", result)
    setattr(item, f"{stage}_note", note)
    item.save()
    audit.record(
        actor=user,
        action=f"lookback.{stage}",
        obj=item,
        region_code=item.grade_record.region_id,
        before=before,
        after=audit.snapshot(item, [f"{stage}_result", f"{stage}_note"]),
    )
    return item


def problem_items(round_: LookbackRound) -> QuerySet[LookbackItem]:
    """The 问题企业汇总表 (附件3): items with a minor or serious finding at either stage."""
    problems = [LookbackItem.Result.MINOR, LookbackItem.Result.SERIOUS]
    return round_.items.filter(Q(qualification_result__in=problems) | Q(onsite_result__in=problems))


def visible_problem_items(user: Any, round_id: int) -> QuerySet[LookbackItem]:
    """The 问题企业汇总表 of a round the caller may view (city and province in scope)."""
    require_role(user, "lookback.view")
    round_ = LookbackRound.objects.filter(pk=round_id).first()
    if round_ is None:
        raise NotFound("回头看不存在")
    require_found(
        user, "lookback.view", Target(region_code=round_.region_id), view="lookback.view", missing="回头看不存在"
    )
    return problem_items(round_).select_related("grade_record")


@transaction.atomic
def settle_lookback_item(
    user: Any, item_id: int, *, outcome: str, to_grade: str = "", deadline: dt.date | None = None, note: str = ""
) -> LookbackItem:
    """Serious problems → downgrade (reason 回头看不合格); minor → rectification with a deadline (REQ H23-1)."""
    item = _lookback_item_for_update(user, item_id)
    record = item.grade_record
    if outcome == LookbackItem.Outcome.DOWNGRADE:
        downgrade(
            user,
            site_id=record.site_id,
            industry_code=record.industry_code,
            reason_code=Downgrade.Reason.LOOKBACK_FAILED,
            description=note or "回头看不合格",
            to_grade=to_grade,
        )
    elif outcome == LookbackItem.Outcome.RECTIFY:
        if deadline is None:
            raise ServiceError("限期整改须给出整改时限", field="deadline")
        order_rectification(user, site_id=record.site_id, problem=note, deadline=deadline, lookback_item=item)
    elif outcome != LookbackItem.Outcome.NONE:
        raise ServiceError(f"未知的处理方式: {outcome}", field="outcome")
    item.outcome = outcome
    item.save(update_fields=["outcome", "updated_at"])
    audit.record(
        actor=user,
        action="lookback.settle",
        obj=item,
        region_code=record.region_id,
        after={"outcome": outcome},
        reason=note,
    )
    return item


# ---------------------------------------------------------------- improvement list (附件3, REQ H21-2)


def improvement_rows(user: Any, on: dt.date | None = None) -> list[Any]:
    """附件3 rows for the caller's scope: every site × industry in force below its scale's top grade, with the
    gaps the engine finds in the facts the site last declared for that industry (REQ H21-2, H21-3)."""
    from airgrade.core.grading.improvement import Candidate
    from airgrade.core.grading.improvement import improvement_rows as build_rows

    on = on or today()
    actor = actor_of(user)
    require(actor, "grade.view", Target(region_code=actor.region_code, enterprise_id=actor.enterprise_id))
    records = list(
        scoped(current_records(on), actor, "region", "enterprise_id")
        .select_related("enterprise", "region", "region__parent")
        .order_by("region_id", "enterprise_id", "industry_code")
    )
    site_ids = {record.site_id for record in records}
    latest_facts: dict[tuple[int, str], dict[str, Any]] = {}
    items = DeclarationItem.objects.filter(declaration__site_id__in=site_ids).exclude(
        declaration__state=State.WITHDRAWN
    )
    for item in items.select_related("declaration").order_by("declaration_id", "id"):
        latest_facts[(item.declaration.site_id, item.industry_code)] = item.facts  # later declarations win
    branches: dict[tuple[int, str], str] = {}
    industries_of: dict[int, set[str]] = {}
    for assignment in IndustryAssignment.objects.filter(site_id__in=site_ids):
        branches.setdefault((assignment.site_id, assignment.industry_code), assignment.branch)
        industries_of.setdefault(assignment.enterprise_id, set()).add(assignment.industry_code)
    candidates = []
    for record in records:
        county = record.region
        city = county.parent if county.level == "county" and county.parent else county
        candidates.append(
            Candidate(
                city_name=city.name,
                county_name=county.name,
                county_code=county.code,
                enterprise_name=record.enterprise.name,
                industry_code=record.industry_code,
                branch=branches.get((record.site_id, record.industry_code), ""),
                current=Grade(record.grade),
                facts=latest_facts.get((record.site_id, record.industry_code)),
                other_industries=tuple(sorted(industries_of.get(record.enterprise_id, set()) - {record.industry_code})),
            )
        )
    return build_rows(candidates, on)
