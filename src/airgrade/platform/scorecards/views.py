"""Green-performance evaluation pages (REQ ZZ-1 … ZZ-7): rounds, the city's ranked table with classes, control ratios
and recommendations (xlsx export), an enterprise's score sheet with its declaration, the expert's on-site check
(fits a phone), red lines and decisions. Views only translate HTTP to service calls; the access table decides which
forms a user sees."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from airgrade.core.access import Target
from airgrade.core.rules import schema as rs
from airgrade.core.scoring import RECOMMENDATION_LABELS, DataSource, ZzClass, indicators_of
from airgrade.core.types import AlertLevel
from airgrade.platform import lists
from airgrade.platform.errors import AccessDenied, NotFound, ServiceError
from airgrade.platform.permissions import actor_of, permissions_for
from airgrade.platform.regions.models import Region
from airgrade.platform.scorecards import department_import, forms, services
from airgrade.platform.scorecards.models import ScoreValue

LEVELS = list(AlertLevel)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return _index(request)


def _index(request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
    actor = actor_of(request.user)
    rounds = list(services.visible_rounds(request.user))
    # An enterprise's own scorecards, an expert's assigned ones (staff work from the round's table).
    mine = []
    if actor.enterprise_id is not None or actor.assignments:
        mine = [card for round_ in rounds for card in services.visible_scorecards(request.user, round_)]
    allowed = permissions_for(request.user)
    return render(
        request,
        "scorecards/index.html",
        {
            "rounds": rounds,
            "mine": mine,
            "can_open": "scorecard.manage" in allowed,
            "can_assess": "scorecard.rank" in allowed,
            "home_region": actor.region_code or "",
            "error": error,
            "this_year": dt.date.today().year,
        },
        status=status,
    )


@login_required
@require_POST
def open_round(request: HttpRequest) -> HttpResponse:
    try:
        data = forms.cleaned(forms.OpenRoundForm(request.POST))
        round_ = services.open_round(request.user, data["region"], data["year"], data["deadline"])
    except (NotFound, AccessDenied):
        raise
    except ServiceError as exc:
        return _index(request, exc.message, status=400)
    messages.success(request, f"已开设{round_}，本市登记在册的企业已全部纳入评价名单。")
    return redirect("scorecards:round", score_round_id=round_.pk)


FILTERS = ("county", "zz_class", "industry", "recommendation")


def _filtered(request: HttpRequest, rows: list[services.RankedRow]) -> list[services.RankedRow]:
    county = request.GET.get("county", "")
    zz_class = request.GET.get("zz_class", "")
    industry = request.GET.get("industry", "")
    recommendation = request.GET.get("recommendation", "")
    if zz_class and zz_class not in {*(z.value for z in ZzClass), "none"}:
        raise ServiceError("类别筛选条件无效", field="zz_class")
    if recommendation and recommendation not in RECOMMENDATION_LABELS:
        raise ServiceError("推荐筛选条件无效", field="recommendation")
    if county and not (county.isdigit() and len(county) == 6):
        raise ServiceError("县（市、区）筛选条件无效", field="county")
    out = []
    for row in rows:
        if county and row.scorecard.region_id != county:
            continue
        if zz_class and (row.zz_class or "none") != zz_class:
            continue
        if industry and row.scorecard.industry_code != industry:
            continue
        if recommendation and row.recommendation != recommendation:
            continue
        out.append(row)
    return out


def _industry_name(code: str) -> str:
    from airgrade.core.rules.rulebook import default_rulebook

    entry = default_rulebook().industry_or_none(code) if code else None
    return entry.name_zh if entry else (code or "未登记行业")


EXPORT_COLUMNS = [
    lists.Column("名次", lambda r: r.position),
    lists.Column("企业名称", lambda r: r.scorecard.enterprise.name),
    lists.Column("统一社会信用代码", lambda r: r.scorecard.enterprise.credit_code),
    lists.Column("县（市、区）", lambda r: r.scorecard.region.name),
    lists.Column("行业", lambda r: _industry_name(r.scorecard.industry_code)),
    lists.Column("综合得分", lambda r: r.score),
    lists.Column("类别", lambda r: r.class_label),
    lists.Column("引领企业推荐", lambda r: RECOMMENDATION_LABELS[r.recommendation]),
    *[
        lists.Column(f"{level.label_zh}管控比例（%）", lambda r, level=level: r.control.get(level.value, ""))
        for level in AlertLevel
    ],
    lists.Column("红线原因", lambda r: "；".join(_red_line_text(x) for x in r.sheet.red_lines)),
    lists.Column("分档依据", lambda r: "；".join(r.sheet.class_reasons)),
]


def _red_line_text(item: str) -> str:
    code, _, detail = item.partition(":")
    labels = {"registry_downgrade": "绩效分级降级", "monitoring_finding": "在线监测", "department_list": "部门认定"}
    return f"{labels.get(code, '红线')}：{detail}" if detail else labels.get(code, code)


@login_required
def round_page(request: HttpRequest, score_round_id: int) -> HttpResponse:
    return _round_page(request, score_round_id)


def _round_page(request: HttpRequest, round_id: int, error: str = "", status: int = 200) -> HttpResponse:
    round_, card, rows = services.ranked(request.user, round_id)
    try:
        shown = _filtered(request, rows)
    except (NotFound, AccessDenied):
        raise
    except ServiceError as exc:
        shown, error, status = rows, exc.message, 400
    fmt = request.GET.get("format", "")
    if fmt in ("xlsx", "csv") and not error:
        return lists.export_response(shown, EXPORT_COLUMNS, f"{round_.year}年度绿色绩效评价排名", fmt)
    allowed = permissions_for(request.user, Target(region_code=round_.region_id))
    actor = actor_of(request.user)
    counties = Region.objects.filter(parent_id=round_.region_id).order_by("code")
    if (
        actor.region_code
        and actor.region_code != round_.region_id
        and actor.region_code.startswith(round_.region_id[:4])
    ):
        counties = counties.filter(code=actor.region_code)
    industries = sorted({row.scorecard.industry_code for row in rows})
    can_import = "scorecard.import" in permissions_for(request.user)
    return render(
        request,
        "scorecards/round.html",
        {
            "round": round_,
            "card": card,
            "rows": [_row_view(row) for row in shown],
            "total": len(rows),
            "recommended": [_row_view(row) for row in rows if row.recommendation != "not_eligible"],
            "summary": _industry_summary(shown),
            "levels": LEVELS,
            "counties": counties,
            "industries": [(code, _industry_name(code)) for code in industries],
            "classes": [(z.value, z.label_zh) for z in ZzClass] + [("none", "不分档")],
            "recommendations": list(RECOMMENDATION_LABELS.items()),
            "query": request.GET,
            "can_publish": "scorecard.manage" in allowed and round_.published_at is None,
            "can_import": can_import and round_.published_at is None,
            "error": error,
            "querystring": request.GET.urlencode(),
        },
        status=status,
    )


def _industry_summary(rows: list[services.RankedRow]) -> list[dict[str, Any]]:
    """一县一策 (REQ ZZ-6): the shown enterprises' industries with their classes, best average score first."""
    groups: dict[str, list[services.RankedRow]] = {}
    for row in rows:
        groups.setdefault(row.scorecard.industry_code, []).append(row)
    summary = []
    for code, members in groups.items():
        classes = [row.zz_class or "none" for row in members]
        summary.append(
            {
                "industry": _industry_name(code),
                "count": len(members),
                "average": round(sum(row.score for row in members) / len(members), 1),
                "counts": [classes.count(z.value) for z in ZzClass] + [classes.count("none")],
                "red_lines": sum(1 for row in members if row.sheet.red_lines),
            }
        )
    return sorted(summary, key=lambda item: (-item["average"], item["industry"]))


def _row_view(row: services.RankedRow) -> dict[str, Any]:
    return {
        "row": row,
        "industry": _industry_name(row.scorecard.industry_code),
        "recommendation": RECOMMENDATION_LABELS[row.recommendation],
        "control": [row.control.get(level.value) for level in LEVELS],
        "red_lines": [_red_line_text(item) for item in row.sheet.red_lines],
    }


@login_required
@require_POST
def round_act(request: HttpRequest, score_round_id: int) -> HttpResponse:
    round_id = score_round_id
    try:
        posted = forms.cleaned(forms.RoundActForm(request.POST, request.FILES))
        op = posted["op"]
        if op == "publish":
            services.publish(request.user, round_id)
            messages.success(request, "评价结果已发布；此后只能通过记录在案的决定更改。")
            return redirect("scorecards:round", score_round_id=round_id)
        if op == "import":
            upload = posted["file"]
            job = department_import.start(
                request.user, round_id, upload.name if upload else "", upload.read() if upload else b""
            )
            return redirect("jobs:detail", job_id=job.pk)
        raise ServiceError("未知的操作", field="op")
    except (NotFound, AccessDenied):
        raise
    except ServiceError as exc:
        return _round_page(request, round_id, exc.message, status=400)


# ---------------------------------------------------------------- one scorecard


def _field_kind(indicator: rs.ScoreIndicator) -> str:
    return indicator.input.value


def _sheet_context(request: HttpRequest, scorecard_id: int, error: str = "") -> dict[str, Any]:
    scorecard, card, row = services.sheet_of(request.user, scorecard_id)
    allowed = permissions_for(request.user, services.target_of(scorecard))
    published = scorecard.round.published_at is not None
    indicators = indicators_of(card)
    history: dict[str, list[ScoreValue]] = {}
    for value in scorecard.values.select_related("recorded_by").order_by("indicator", "recorded_at", "pk"):
        history.setdefault(value.indicator, []).append(value)
    lines = []
    for item in row.sheet.indicators:
        dimension, indicator = indicators[item.indicator]
        lines.append(
            {
                "item": item,
                "indicator": indicator,
                "dimension": dimension.label_zh,
                "group": indicator.group.label_zh,
                "chosen": _show_value(indicator, item.chosen.value) if item.chosen else "",
                "chosen_source": item.chosen.source.label_zh if item.chosen else "",
                "chosen_by": item.chosen.by if item.chosen else "",
                "chosen_at": item.chosen.at if item.chosen else None,
                "disagreements": [
                    f"{v.source.label_zh}：{_show_value(indicator, v.value)}（{v.by}）" for v in item.disagreements
                ],
                "history": len(history.get(item.indicator, [])),
            }
        )
    dimensions = [
        {
            "label": d.label_zh,
            "points": row.sheet.dimension_points.get(d.code, 0),
            "max": d.max_points if d.max_points is not None else d.indicator_total,
            "stated": d.max_points is not None,
        }
        for d in card.dimensions
    ]
    national_grade, national = services.national_measures(scorecard)
    return {
        "national_grade": national_grade,
        "national": national,
        "scorecard": scorecard,
        "card": card,
        "row": row,
        "lines": lines,
        "dimensions": dimensions,
        "levels": [(level.label_zh, row.control.get(level.value)) for level in LEVELS],
        "recommendation": RECOMMENDATION_LABELS[row.recommendation],
        "industry": _industry_name(scorecard.industry_code),
        "red_lines": [_red_line_text(item) for item in row.sheet.red_lines],
        "table": row.sheet.industry_table,
        "reported": services.reported(scorecard),
        "can_declare": "scorecard.declare" in allowed and not published,
        "can_onsite": "scorecard.onsite" in allowed and not published,
        "can_assign": "scorecard.assign_expert" in allowed and not published,
        "can_red_line": "scorecard.red_line" in allowed and not published,
        "can_decide": "scorecard.manage" in allowed and published,
        "published": published,
        "experts": services.experts() if "scorecard.assign_expert" in allowed else [],
        "red_line_reasons": card.red_lines.reasons,
        "classes": [(z.value, z.label_zh) for z in ZzClass],
        "decisions": list(scorecard.decisions.select_related("decided_by")),
        "form": _form_fields(card),
        "error": error,
        "sources": {source.value: source.label_zh for source in DataSource},
    }


def _show_value(indicator: rs.ScoreIndicator, value: Any) -> str:
    if indicator.input is rs.ScoreInput.YES_NO:
        return "是" if value is True else "否"
    if indicator.input is rs.ScoreInput.TIER:
        return next((tier.label_zh for tier in indicator.tiers if tier.code == value), "无")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if indicator.input is rs.ScoreInput.ABOVE:
        return f"{value}%"
    if indicator.input is rs.ScoreInput.POINTS:
        return f"{value} 分"
    return f"{value} {indicator.unit_zh}".strip()


@login_required
def scorecard_page(request: HttpRequest, scorecard_id: int) -> HttpResponse:
    return render(request, "scorecards/scorecard.html", _sheet_context(request, scorecard_id))


@login_required
@require_POST
def scorecard_act(request: HttpRequest, scorecard_id: int) -> HttpResponse:
    try:
        op = forms.cleaned(forms.OpForm(request.POST))["op"]
        if op == "declare":
            values, evidence = forms.values_of(request.POST)
            services.declare(request.user, scorecard_id, values, evidence)
            messages.success(request, "已提交申报。")
        elif op == "onsite":
            values, evidence = forms.values_of(request.POST)
            services.record_onsite(request.user, scorecard_id, values, evidence)
            messages.success(request, "已记录现场核查结果。")
        elif op == "assign":
            services.assign_expert(request.user, scorecard_id, forms.cleaned(forms.AssignForm(request.POST))["expert"])
            messages.success(request, "已指派现场核查专家。")
        elif op == "red_line":
            data = forms.cleaned(forms.RedLineForm(request.POST))
            services.mark_red_line(request.user, scorecard_id, data["reason"], data["detail"])
            messages.success(request, "已列为红线企业。")
        elif op == "false_data":
            data = forms.cleaned(forms.FalseDataForm(request.POST))
            services.mark_false_data(request.user, scorecard_id, data["detail"])
            messages.success(request, "已记录弄虚作假，类别按规则降低。")
        elif op == "decide":
            data = forms.cleaned(forms.DecisionForm(request.POST))
            services.decide_change(request.user, scorecard_id, data["zz_class"], data["reason"], data["document"])
            messages.success(request, "已记录变更决定。")
        else:
            raise ServiceError("未知的操作", field="op")
    except (NotFound, AccessDenied):
        raise
    except ServiceError as exc:
        return render(
            request, "scorecards/scorecard.html", _sheet_context(request, scorecard_id, exc.message), status=400
        )
    return redirect("scorecards:scorecard", scorecard_id=scorecard_id)


@login_required
def assess(request: HttpRequest) -> HttpResponse:
    """招商引资准入预评估 (REQ ZZ-6): staff score a prospective project from its stated data; nothing is stored."""
    from airgrade.core.rules.rulebook import default_rulebook
    from airgrade.platform.permissions import require_role

    actor = require_role(request.user, "scorecard.rank")
    try:
        card = default_rulebook().scorecard(actor.region_code or "", dt.date.today())
    except LookupError:
        raise NotFound("本辖区没有生效的绿色绩效评价体系") from None
    context: dict[str, Any] = {
        "form": _form_fields(card),
        "industries": [(e.code, e.name_zh) for e in default_rulebook().industries(actor.region_code)],
        "industry": "",
        "error": "",
    }
    status = 200
    if request.method == "POST":
        values, _ = forms.values_of(request.POST)
        head = forms.PreAssessForm(request.POST)
        head.is_valid()  # optional and kept as typed; a refused value (a NUL) is empty and the service refuses it
        context["industry"] = head.cleaned_data.get("industry", "")[:64]
        try:
            result = services.pre_assess(request.user, context["industry"], values)
        except (NotFound, AccessDenied):
            raise
        except ServiceError as exc:
            context["error"], status = exc.message, 400
        else:
            labels = {d.code: d.label_zh for d in card.dimensions}
            context["result"] = result
            context["dimensions"] = [(labels[code], points) for code, points in result.sheet.dimension_points.items()]
    return render(request, "scorecards/assess.html", context, status=status)


def _form_fields(card: rs.ScorecardEntry) -> list[dict[str, Any]]:
    return [
        {"indicator": indicator, "dimension": dimension.label_zh, "kind": _field_kind(indicator)}
        for dimension in card.dimensions
        for indicator in dimension.indicators
        if indicator.input is not rs.ScoreInput.POINTS or indicator.points > 0
    ]


@login_required
def scorecard_document(request: HttpRequest, scorecard_id: int, fmt: str) -> HttpResponse:
    """The score sheet as DOCX or PDF: every indicator, its points, the source that counted (REQ ZZ-1, ZZ-2)."""
    from airgrade.io.documents.pdf import PdfError
    from airgrade.io.documents.score_sheet import ScoreSheetDocument, render_docx, render_pdf

    if fmt not in ("docx", "pdf"):
        raise NotFound("没有这种格式的评分表（可选 docx、pdf）")
    context = _sheet_context(request, scorecard_id)
    scorecard, row = context["scorecard"], context["row"]
    basics = [
        ("企业名称", scorecard.enterprise.name),
        ("统一社会信用代码", scorecard.enterprise.credit_code),
        ("所在区划", scorecard.region.name),
        ("行业", context["industry"]),
        ("评价年度", f"{scorecard.round.year}年度"),
        ("综合得分", f"{row.score} 分（全市第 {row.position} 名）"),
        ("类别", row.class_label),
        ("绿色环保引领企业", context["recommendation"]),
        ("管控比例", "；".join(f"{label} {'—' if r is None else f'{r}%'}" for label, r in context["levels"])),
        ("红线", "；".join(context["red_lines"]) or "无"),
        ("分档依据", "；".join(row.sheet.class_reasons)),
    ]
    dimensions = [[d["label"], f"{d['points']:g}", f"{d['max']:g}"] for d in context["dimensions"]]
    indicators = [
        [
            line["dimension"],
            line["group"],
            line["indicator"].label_zh + (f"（{line['item'].note_zh}）" if line["item"].note_zh else ""),
            f"{line['item'].max_points:g}",
            f"{line['item'].points:g}",
            line["chosen"] or "—",
            line["chosen_source"] or "—",
            f"{line['chosen_by']} {line['chosen_at']:%Y-%m-%d}" if line["chosen_at"] else "—",
            "；".join(line["disagreements"]) or "—",
        ]
        for line in context["lines"]
    ]
    notes = [
        f"依据：{context['card'].source.document}。三类数据不一致时采信顺序为现场核查、部门数据、企业申报（暂定规则）。",
        "标注“暂定”的规则（排名计分方法、总分折算、A/B类条件、管控比例等）原文未给出，待管理员依据正式文本确认。",
    ]
    if row.sheet.industry_table is not None and not row.sheet.industry_table.indicators:
        table = row.sheet.industry_table
        notes.append(
            f"分行业细则附表{table.number}（{table.industry_zh}）未公开，尚未录入；依该细则的指标按满分以内的得分录入。"
        )
    document = ScoreSheetDocument(f"{scorecard.enterprise.name}绿色绩效评分表", basics, dimensions, indicators, notes)
    if fmt == "docx":
        content, kind = render_docx(document), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        try:
            content, kind = render_pdf(document), "application/pdf"
        except PdfError as exc:
            raise ServiceError(str(exc)) from None
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="score-sheet-{scorecard_id}.{fmt}"'
    return response
