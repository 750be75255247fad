"""Grade pages: the registry with an as-of date and each site's history, rectification orders to closure, the
回头看 rounds, dynamic adjustment (windows and downgrades), and the improvement-enterprise list (附件3) as the
official workbook. Every write goes through an action page (pages.action_page) that calls a grades service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import django_filters
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from airgrade.core.access import Target
from airgrade.core.industries import all_industries
from airgrade.core.types import Grade
from airgrade.io.excel.improvement_list import write_improvement_list
from airgrade.platform import lists, params
from airgrade.platform.declarations.review import industry_name, industry_scale
from airgrade.platform.errors import NotFound
from airgrade.platform.grades import services
from airgrade.platform.grades.models import Downgrade, GradeRecord, LookbackItem, RectificationOrder
from airgrade.platform.labels import grade_choices, grade_label
from airgrade.platform.pages import (
    Action,
    Field,
    action_page,
    form_date,
    own_region,
    paginate,
    query_date,
    region_field,
    require_page,
    required_date,
    without_requirement_ids,
)
from airgrade.platform.permissions import actor_of, permissions_for

GRADE_CHOICES = grade_choices()


@login_required
def improvement_list(request: HttpRequest) -> HttpResponse:
    on = services.today()
    rows = services.improvement_rows(request.user, on)
    response = HttpResponse(
        write_improvement_list(rows, on),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''improvement-list-{on.isoformat()}.xlsx"
    return response


# ---------------------------------------------------------------- registry and history


def _record_row(record: GradeRecord) -> dict[str, Any]:
    return {
        "r": record,
        "industry": industry_name(record.industry_code),
        "grade": grade_label(record.grade),
        "source": record.get_source_display(),
        "reason": without_requirement_ids(record.reason),
    }


class GradeFilter(lists.ScopedFilterSet):
    """等级库: the date the grades are in force on (it chooses the rows, see `registry`), name / credit code / site
    search, region, industry and grade."""

    search_fields = ("enterprise__name", "enterprise__credit_code", "site__name")
    search_label = "企业名称、信用代码或厂区"
    as_of = django_filters.DateFilter(
        label="有效日期",
        method="in_force_on",
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "有效日期须为日期（年-月-日）"},
    )
    industry = django_filters.ChoiceFilter(label="行业", field_name="industry_code", empty_label="全部")
    grade = lists.choice_filter("绩效等级", GRADE_CHOICES, "grade")

    def __init__(self, data: Any = None, *args: Any, as_of: dt.date | None = None, **kwargs: Any) -> None:
        if as_of is not None and not (data or {}).get("as_of"):
            data = data.copy() if data is not None else QueryDict(mutable=True)
            data["as_of"] = as_of.isoformat()  # the form shows the date the list is for
        super().__init__(data, *args, **kwargs)
        self.filters["industry"].extra["choices"] = [(i.code, i.name_zh) for i in all_industries()]

    def in_force_on(self, queryset: Any, name: str, value: Any) -> Any:
        return queryset  # the view already took the records in force on this date


GRADE_COLUMNS = [
    lists.Column("企业", lambda r: r.enterprise.name),
    lists.Column("统一社会信用代码", lambda r: r.enterprise.credit_code),
    lists.Column("厂区", lambda r: r.site.name),
    lists.Column("所在区划", lambda r: r.region.name),
    lists.Column("行业", lambda r: industry_name(r.industry_code)),
    lists.Column("绩效等级", lambda r: grade_label(r.grade)),
    lists.Column("生效日期", lambda r: r.valid_from.isoformat()),
    lists.Column("来源", lambda r: r.get_source_display()),
    lists.Column("规则版本", lambda r: r.rules_version),
]


@login_required
def registry(request: HttpRequest) -> HttpResponse:
    """The grades in force in the caller's scope on a chosen date, with search, filters, pages and export."""
    actor = actor_of(request.user)
    require_page(permissions_for(actor), "grade.view")
    as_of, _ = query_date(request, "as_of", services.today())
    records = (
        services.visible_records(request.user, as_of)
        .select_related("enterprise", "site", "region")
        .order_by("region_id", "enterprise__name", "site_id", "industry_code")
    )
    result = lists.list_page(
        request,
        GradeFilter,
        records,
        actor=actor,
        columns=GRADE_COLUMNS,
        filename=f"绩效等级库-{as_of.isoformat()}",
        filter_kwargs={"as_of": as_of},
    )
    if isinstance(result, HttpResponse):
        return result
    return render(
        request,
        "grades/registry.html",
        {**result, "rows": [_record_row(r) for r in result["page"]], "as_of": as_of, "list_anchor": "registry"},
    )


@login_required
def site_history(request: HttpRequest, site_id: int) -> HttpResponse:
    """Every grade of one site with its dates, source, rules version and reason; the actions the caller has."""
    site, records = services.site_history(request.user, site_id)
    allowed = permissions_for(request.user, services.site_target(site))
    today = services.today()
    return render(
        request,
        "grades/history.html",
        {
            "site": site,
            "rows": [_record_row(r) | {"in_force": services.is_in_force(r, today)} for r in records],
            "downgrades": Downgrade.objects.filter(site=site).order_by("-effective", "-id"),
            "orders": RectificationOrder.objects.filter(site=site).order_by("-ordered_at"),
            "allowed": allowed,
        },
    )


def _industries_in_force(site: Any) -> tuple[tuple[str, str], ...]:
    codes = services.current_records().filter(site=site).values_list("industry_code", "grade")
    return tuple((code, f"{industry_name(code)}（当前 {grade_label(grade)}）") for code, grade in codes)


@login_required
def downgrade(request: HttpRequest, site_id: int) -> HttpResponse:
    """Dynamic downgrade of one industry grade of a site for a violation."""
    site = services.visible_site(request.user, site_id)
    rule = services.application_ban_rule(services.today())
    severe = "、".join(
        Downgrade.Reason(code).label for code in rule.downgrade_reasons if code in Downgrade.Reason.values
    )
    industries = _industries_in_force(site)
    scale = {g for code, _ in industries for g in industry_scale(code)} or {g.value for g in Grade}
    action = Action(
        label="动态降级",
        danger=True,
        summary=(("企业", site.enterprise.name), ("厂区", site.name), ("所在区划", site.region.name)),
        consequences=(
            "所选行业的绩效等级自生效日期起降为所选等级，原等级的有效期截止到生效日期，等级历史保留全部记录；",
            f"原因为{severe}的，直接降为该行业最低等级，{rule.days} 天内禁止申报，并记入诚信档案；",
            "操作记入审计日志，不可撤销。",
        ),
        fields=(
            Field("industry_code", "行业", "select", industries, required=True),
            Field("reason_code", "降级原因", "select", tuple(Downgrade.Reason.choices), required=True),
            Field("to_grade", "降级后的等级", "select", tuple(c for c in GRADE_CHOICES if c[0] in scale)),
            Field("effective", "生效日期", "date", help="不填为今天"),
            Field("description", "事实与依据", "textarea", required=True),
        ),
    )

    def run(typed: Mapping[str, str]) -> Any:
        return services.downgrade(
            request.user,
            site_id=site.pk,
            industry_code=typed["industry_code"],
            reason_code=typed["reason_code"],
            description=typed["description"],
            to_grade=typed["to_grade"] or None,
            effective=form_date(typed["effective"], field="effective", label="生效日期", required=False),
        )

    history_url = reverse("grades:history", args=[site.pk])
    return action_page(
        request, action, run, back=(history_url, "返回等级历史"), done=history_url, done_message="已降级"
    )


# ---------------------------------------------------------------- rectification orders


@login_required
def rectifications(request: HttpRequest) -> HttpResponse:
    """Rectification orders in scope, on the shared list mechanism (ADR 0006): search, status, region, deadline,
    pages and export."""
    actor = actor_of(request.user)
    require_page(permissions_for(actor), "grade.view")
    result = lists.list_page(
        request,
        RectificationFilter,
        services.visible_rectifications(request.user)
        .select_related("enterprise", "site", "region")
        .order_by("status", "deadline", "id"),
        actor=actor,
        columns=RECTIFICATION_COLUMNS,
        filename="整改通知",
    )
    if isinstance(result, HttpResponse):
        return result
    today = services.today()
    return render(
        request,
        "grades/rectifications.html",
        {**result, "rows": [{"o": o, "overdue": services.is_overdue(o, today)} for o in result["page"]]},
    )


class RectificationFilter(lists.ScopedFilterSet):
    search_fields = ("enterprise__name", "enterprise__credit_code", "site__name", "problem")
    search_label = "企业、厂区或问题"
    status = lists.choice_filter("状态", RectificationOrder.Status.choices, "status")
    deadline_from, deadline_to = lists.date_filters("deadline", "整改时限")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The deadline is a date column: compare it directly (the helper's lookup reads a date-time's date).
        self.filters["deadline_from"].lookup_expr = "gte"
        self.filters["deadline_to"].lookup_expr = "lte"


RECTIFICATION_COLUMNS = [
    lists.Column("企业", lambda o: o.enterprise.name),
    lists.Column("统一社会信用代码", lambda o: o.enterprise.credit_code),
    lists.Column("厂区", lambda o: o.site.name),
    lists.Column("所在区划", lambda o: o.region.name),
    lists.Column("问题", lambda o: o.problem),
    lists.Column("整改时限", lambda o: o.deadline.isoformat() if o.deadline else ""),
    lists.Column("状态", lambda o: o.get_status_display()),
    lists.Column("下达日期", lambda o: timezone.localtime(o.ordered_at).date().isoformat() if o.ordered_at else ""),
]


def _order_target(order: RectificationOrder) -> Target:
    return Target(region_code=order.region_id, enterprise_id=order.enterprise_id)


@login_required
def rectification(request: HttpRequest, order_id: int) -> HttpResponse:
    order = services.visible_rectification(request.user, order_id)
    allowed = permissions_for(request.user, _order_target(order))
    Status = RectificationOrder.Status
    return render(
        request,
        "grades/rectification.html",
        {
            "o": order,
            "overdue": services.is_overdue(order),
            "may_report": "rectification.report" in allowed and order.status != Status.CLOSED,
            "may_close": "rectification.close" in allowed and order.status == Status.REPORTED,
        },
    )


RECTIFICATION_STEPS = {
    "report": Action(
        label="报告整改完成",
        consequences=(
            "整改通知转为“企业已报告整改完成”，交县级或市级核查销号；",
            "整改情况随通知保存，核查人员可见。",
        ),
        fields=(Field("report", "整改情况", "textarea", required=True),),
    ),
    "close": Action(
        label="核查销号",
        consequences=("整改通知销号，不再出现在待办中；", "核查意见随通知保存并记入审计日志。"),
        fields=(Field("note", "核查销号意见", "textarea", required=True),),
    ),
}


@login_required
def rectification_step(request: HttpRequest, order_id: int, step: str) -> HttpResponse:
    order = services.visible_rectification(request.user, order_id)
    base = RECTIFICATION_STEPS.get(step)
    if base is None:
        raise NotFound("该操作不存在")
    action = Action(
        label=base.label,
        consequences=base.consequences,
        fields=base.fields,
        summary=(("企业", order.enterprise.name), ("厂区", order.site.name), ("问题", order.problem)),
    )

    def run(typed: Mapping[str, str]) -> Any:
        if step == "report":
            return services.report_rectification(request.user, order.pk, typed["report"])
        return services.close_rectification(request.user, order.pk, typed["note"])

    url = reverse("grades:rectification", args=[order.pk])
    return action_page(request, action, run, back=(url, "返回整改通知"), done=url, done_message=f"已完成：{base.label}")


@login_required
def rectification_new(request: HttpRequest, site_id: int) -> HttpResponse:
    """Issue a rectification order with a deadline to one site."""
    site = services.visible_site(request.user, site_id)
    action = Action(
        label="下达整改通知",
        summary=(("企业", site.enterprise.name), ("厂区", site.name), ("所在区划", site.region.name)),
        consequences=(
            "企业在工作台收到整改通知，须在整改时限前报告整改完成；",
            "企业报告后由县级或市级核查销号；逾期未完成的在待办中标为逾期。",
        ),
        fields=(
            Field("problem", "整改问题", "textarea", required=True),
            Field("deadline", "整改时限", "date", required=True),
        ),
    )

    def run(typed: Mapping[str, str]) -> Any:
        deadline = required_date(typed, "deadline", "整改时限")
        return services.order_rectification(request.user, site_id=site.pk, problem=typed["problem"], deadline=deadline)

    return action_page(
        request,
        action,
        run,
        back=(reverse("grades:history", args=[site.pk]), "返回等级历史"),
        done=lambda order: reverse("grades:rectification", args=[order.pk]),
        done_message="已下达整改通知",
    )


# ---------------------------------------------------------------- dynamic adjustment


class DowngradeFilter(lists.ScopedFilterSet):
    """降级记录: enterprise / site / facts search, region, industry, reason and effective dates."""

    region_field = "site__region"
    search_fields = ("enterprise__name", "enterprise__credit_code", "site__name", "description")
    search_label = "企业、厂区或事实"
    industry = django_filters.ChoiceFilter(label="行业", field_name="industry_code", empty_label="全部")
    reason = lists.choice_filter("降级原因", Downgrade.Reason.choices, "reason_code")
    effective_from, effective_to = lists.date_filters("effective", "生效日期")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["industry"].extra["choices"] = [(i.code, i.name_zh) for i in all_industries()]
        # The effective date is a date column: compare it directly.
        self.filters["effective_from"].lookup_expr = "gte"
        self.filters["effective_to"].lookup_expr = "lte"


DOWNGRADE_COLUMNS = [
    lists.Column("企业", lambda d: d.enterprise.name),
    lists.Column("统一社会信用代码", lambda d: d.enterprise.credit_code),
    lists.Column("厂区", lambda d: d.site.name),
    lists.Column("所在区划", lambda d: d.site.region.name),
    lists.Column("行业", lambda d: industry_name(d.industry_code)),
    lists.Column("降级原因", lambda d: d.get_reason_code_display()),
    lists.Column("事实与依据", lambda d: d.description),
    lists.Column("原等级", lambda d: grade_label(d.from_grade)),
    lists.Column("降为", lambda d: grade_label(d.to_grade)),
    lists.Column("生效日期", lambda d: d.effective.isoformat()),
]


@login_required
def adjustment(request: HttpRequest) -> HttpResponse:
    """Dynamic adjustment: the adjustment windows that cover the caller's region and the recorded downgrades, the
    latter on the shared list mechanism (ADR 0006): search, region, industry, reason, dates, pages and export."""
    actor = actor_of(request.user)
    require_page(permissions_for(actor), "region.overview")
    result = lists.list_page(
        request,
        DowngradeFilter,
        services.visible_downgrades(request.user).order_by("-effective", "-id"),
        actor=actor,
        columns=DOWNGRADE_COLUMNS,
        filename="降级记录",
    )
    if isinstance(result, HttpResponse):
        return result
    today = services.today()
    windows = [
        {"w": w, "open": w.opens <= today <= w.closes, "future": w.opens > today}
        for w in services.visible_windows(request.user)
    ]
    return render(
        request,
        "grades/adjustment.html",
        {
            "windows": windows,
            **result,
            "list_anchor": "downgrades",
            "rows": [
                {
                    "d": d,
                    "industry": industry_name(d.industry_code),
                    "from": grade_label(d.from_grade),
                    "to": grade_label(d.to_grade),
                }
                for d in result["page"]
            ],
            "allowed": permissions_for(actor),
        },
    )


@login_required
def adjustment_open(request: HttpRequest) -> HttpResponse:
    region = own_region(request.user, "grade.adjustment_window")
    today = services.today()
    action = Action(
        label="开启动态调整窗口",
        summary=(("区划", region.full_name()),),
        consequences=(
            "窗口开放期间，本区划（含下级）经省级核定的升级（升为A、B、B-级或引领性）可以登记；窗口外升级一律不予登记，降级不受限；",
            "每个年度只能开启一次，开启后不能修改或重开。",
        ),
        fields=(
            region_field(region),
            Field("period", "年度", "number", required=True, initial=str(today.year)),
            Field("opens", "开始日期", "date", required=True),
            Field("closes", "截止日期", "date", required=True),
            Field("note", "说明", "textarea"),
        ),
    )

    def run(typed: Mapping[str, str]) -> Any:
        return services.open_adjustment_window(
            request.user,
            region_code=params.region_code(typed["region"], required=True),
            period=params.year(typed["period"], field="period", label="年度"),
            opens=required_date(typed, "opens", "开始日期"),
            closes=required_date(typed, "closes", "截止日期"),
            note=typed["note"],
        )

    url = reverse("grades:adjustment")
    return action_page(request, action, run, back=(url, "返回动态调整"), done=url, done_message="已开启动态调整窗口")


# ---------------------------------------------------------------- 回头看


@login_required
def lookbacks(request: HttpRequest) -> HttpResponse:
    require_page(permissions_for(request.user), "lookback.view")
    rounds = services.visible_lookbacks(request.user)
    rows = []
    for round_ in rounds:
        items = round_.items.all()
        rows.append(
            {
                "r": round_,
                "total": items.count(),
                "problems": services.problem_items(round_).count(),
                "pending": items.filter(outcome="").count(),
            }
        )
    return render(request, "grades/lookbacks.html", {"rows": rows, "allowed": permissions_for(request.user)})


@login_required
def lookback_start(request: HttpRequest) -> HttpResponse:
    region = own_region(request.user, "lookback.manage")
    today = services.today()
    action = Action(
        label="建立回头看",
        summary=(("区划", region.full_name()),),
        consequences=(
            "选取本区划当前全部A级、B级（含B-）和引领性企业的等级，逐一开展资格审查和现场核查；",
            "每个年度只能建立一次。",
        ),
        fields=(
            region_field(region),
            Field("year", "年度", "number", required=True, initial=str(today.year)),
            Field("qualification_due", "资格审查截止", "date", required=True),
            Field("onsite_due", "现场核查截止", "date", required=True),
        ),
    )

    def run(typed: Mapping[str, str]) -> Any:
        return services.start_lookback(
            request.user,
            region_code=params.region_code(typed["region"], required=True),
            year=params.year(typed["year"]),
            qualification_due=required_date(typed, "qualification_due", "资格审查截止"),
            onsite_due=required_date(typed, "onsite_due", "现场核查截止"),
        )

    return action_page(
        request,
        action,
        run,
        back=(reverse("grades:lookbacks"), "返回回头看"),
        done=lambda r: reverse("grades:lookback", args=[r.pk]),
        done_message="已建立回头看",
    )


def _item_row(item: LookbackItem) -> dict[str, Any]:
    record = item.grade_record
    return {
        "i": item,
        "record": record,
        "industry": industry_name(record.industry_code),
        "grade": grade_label(record.grade),
    }


@login_required
def lookback(request: HttpRequest, round_id: int) -> HttpResponse:
    """A round: every selected grade with the results of both stages and the settlement."""
    round_ = services.visible_lookback(request.user, round_id)
    items = round_.items.select_related("grade_record__enterprise", "grade_record__site").order_by("id")
    stage = request.GET.get("stage", "")
    if stage in ("qualification", "onsite"):
        items = items.filter(**{f"{stage}_result": LookbackItem.Result.PENDING})
    listing = paginate(request, items)
    page = listing["page"]
    allowed = permissions_for(request.user, Target(region_code=round_.region_id))
    all_items = round_.items.all()
    return render(
        request,
        "grades/lookback.html",
        {
            "round": round_,
            **listing,
            "rows": [_item_row(i) for i in page],
            "stage": stage,
            "may_manage": "lookback.manage" in allowed,
            "counts": {
                "total": all_items.count(),
                "qualification_done": all_items.exclude(qualification_result=LookbackItem.Result.PENDING).count(),
                "onsite_done": all_items.exclude(onsite_result=LookbackItem.Result.PENDING).count(),
                "problems": services.problem_items(round_).count(),
            },
        },
    )


class ProblemFilter(lists.ScopedFilterSet):
    """问题企业汇总表: enterprise / site / problem search, county, industry, severity and handling."""

    region_field = "grade_record__region"
    search_fields = (
        "grade_record__enterprise__name",
        "grade_record__site__name",
        "qualification_note",
        "onsite_note",
    )
    search_label = "企业、厂区或问题"
    industry = django_filters.ChoiceFilter(label="行业", field_name="grade_record__industry_code", empty_label="全部")
    severity = django_filters.ChoiceFilter(
        label="问题程度",
        method="filter_severity",
        empty_label="全部",
        choices=[(c, label) for c, label in LookbackItem.Result.choices if c in ("minor", "serious")],
    )
    outcome = django_filters.ChoiceFilter(
        label="处理结果",
        method="filter_outcome",
        empty_label="全部",
        choices=[("unsettled", "未处理"), *LookbackItem.Outcome.choices],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["industry"].extra["choices"] = [(i.code, i.name_zh) for i in all_industries()]

    def filter_severity(self, queryset: Any, name: str, value: str) -> Any:
        return queryset.filter(Q(qualification_result=value) | Q(onsite_result=value)) if value else queryset

    def filter_outcome(self, queryset: Any, name: str, value: str) -> Any:
        if not value:
            return queryset
        return queryset.filter(outcome="" if value == "unsettled" else value)


def _finding(result_label: str, note: str) -> str:
    return f"{result_label}：{note}" if note else result_label


PROBLEM_COLUMNS = [
    lists.Column("区县", lambda i: i.grade_record.region.name),
    lists.Column("企业名称", lambda i: i.grade_record.enterprise.name),
    lists.Column("统一社会信用代码", lambda i: i.grade_record.enterprise.credit_code),
    lists.Column("厂区", lambda i: i.grade_record.site.name),
    lists.Column("行业", lambda i: industry_name(i.grade_record.industry_code)),
    lists.Column("原等级", lambda i: grade_label(i.grade_record.grade)),
    lists.Column("资格审查发现的问题", lambda i: _finding(i.get_qualification_result_display(), i.qualification_note)),
    lists.Column("现场核查发现的问题", lambda i: _finding(i.get_onsite_result_display(), i.onsite_note)),
    lists.Column("处理结果", lambda i: i.get_outcome_display() or "未处理"),
]


@login_required
def lookback_problems(request: HttpRequest, round_id: int) -> HttpResponse:
    """The 问题企业汇总表 of a round, on the shared list mechanism (ADR 0006): search, county, industry, severity,
    handling, pages and export."""
    round_ = services.visible_lookback(request.user, round_id)
    items = services.visible_problem_items(request.user, round_.pk).select_related(
        "grade_record__enterprise", "grade_record__site", "grade_record__region"
    )
    result = lists.list_page(
        request,
        ProblemFilter,
        items.order_by("grade_record__region_id", "id"),
        actor=actor_of(request.user),
        columns=PROBLEM_COLUMNS,
        filename=f"问题企业汇总表-{round_.year}",
    )
    if isinstance(result, HttpResponse):
        return result
    return render(
        request,
        "grades/lookback_problems.html",
        {**result, "round": round_, "rows": [_item_row(i) for i in result["page"]]},
    )


RESULT_CHOICES = tuple(c for c in LookbackItem.Result.choices if c[0] != LookbackItem.Result.PENDING)
STAGE_LABELS = {"qualification": "资格审查", "onsite": "现场核查"}


@login_required
def lookback_item_step(request: HttpRequest, item_id: int, step: str) -> HttpResponse:
    item = services.visible_lookback_item(request.user, item_id)
    record = item.grade_record
    summary = (
        ("企业", record.enterprise.name),
        ("厂区", record.site.name),
        ("行业", industry_name(record.industry_code)),
        ("当前等级", grade_label(record.grade)),
    )
    if step in STAGE_LABELS:
        stage_label = STAGE_LABELS[step]
        action = Action(
            label=f"记录{stage_label}结论",
            summary=summary,
            consequences=(
                f"本企业的{stage_label}结论按所填保存（可再次修改，每次修改记入审计日志）；",
                "问题轻微或问题严重的企业进入问题企业汇总表，须另行处理（限期整改或降级）。",
            ),
            fields=(
                Field("result", "核查结论", "select", RESULT_CHOICES, required=True),
                Field("note", "发现的问题", "textarea", help="结论为问题轻微或问题严重的必填"),
            ),
        )

        def run(typed: Mapping[str, str]) -> Any:
            return services.record_lookback_result(
                request.user, item.pk, stage=step, result=typed["result"], note=typed["note"]
            )

    elif step == "settle":
        scale = set(industry_scale(record.industry_code)) or {g.value for g in Grade}
        action = Action(
            label="处理回头看问题",
            danger=True,
            summary=summary,
            consequences=(
                "选择“降级”的：按“回头看不合格”降为所选等级，原等级自今日起失效；",
                "选择“限期整改”的：向企业下达整改通知，企业须在整改时限前报告整改完成；",
                "处理结果记入审计日志。",
            ),
            fields=(
                Field("outcome", "处理方式", "select", tuple(LookbackItem.Outcome.choices), required=True),
                Field("to_grade", "降级后的等级", "select", tuple(c for c in GRADE_CHOICES if c[0] in scale)),
                Field("deadline", "整改时限", "date", help="限期整改的必填"),
                Field("note", "问题与处理意见", "textarea"),
            ),
        )

        def run(typed: Mapping[str, str]) -> Any:
            return services.settle_lookback_item(
                request.user,
                item.pk,
                outcome=typed["outcome"],
                to_grade=typed["to_grade"],
                deadline=form_date(typed["deadline"], field="deadline", label="整改时限", required=False),
                note=typed["note"],
            )

    else:
        raise NotFound("该操作不存在")
    url = reverse("grades:lookback", args=[item.round_id])
    return action_page(request, action, run, back=(url, "返回回头看"), done=url, done_message=f"已完成：{action.label}")
