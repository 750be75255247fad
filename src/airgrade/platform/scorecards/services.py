"""Green-performance evaluation services (REQ ZZ-1 … ZZ-7): open a round, values from three sources (enterprise
declaration, department data, expert on-site check), red lines, the ranked table computed by `airgrade.core.scoring`
from the city's scorecard in the rule book, publication, and the recorded decisions that alone change a published
result. Every read scoped, every write permission-checked, atomic and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from airgrade.core.access import STAFF_ROLES, Target, decide
from airgrade.core.regions import RegionLevel, city_of, level_of
from airgrade.core.rules import schema as rs
from airgrade.core.rules.rulebook import RuleLookupError, default_rulebook
from airgrade.core.scoring import (
    DataSource,
    EnterpriseValues,
    InvestmentResult,
    ScoreInputError,
    ScoreSheet,
    SourcedValue,
    ZzClass,
    check_value,
    indicators_of,
    score_round,
)
from airgrade.core.scoring import pre_assess as core_pre_assess
from airgrade.core.types import Role
from airgrade.platform.audit import services as audit
from airgrade.platform.enterprises.models import Enterprise, IndustryAssignment
from airgrade.platform.errors import NotFound, ServiceError
from airgrade.platform.permissions import actor_of, require, require_found, require_role, within
from airgrade.platform.regions.models import Region
from airgrade.platform.scorecards.models import ResultDecision, Scorecard, ScoreRound, ScoreValue

SHANGHAI = ZoneInfo("Asia/Shanghai")
MISSING_ROUND = "评价批次不存在或不在您的管辖范围内"
MISSING_CARD = "评分表不存在或不在您的管辖范围内"
PUBLISHED_REFUSAL = "评价结果已发布，不得随意更改；如需更改，须由市级作出记录在案的决定（写明理由和文号）"


def card_of(round_: ScoreRound) -> rs.ScorecardEntry:
    """The city's scorecard in force at the round's deadline (rule data, REQ ZZ-1)."""
    return default_rulebook().scorecard(round_.region_id, round_.deadline)


def target_of(scorecard: Scorecard) -> Target:
    return Target(
        region_code=scorecard.region_id,
        enterprise_id=scorecard.enterprise_id,
        assignment_key=f"scorecard:{scorecard.pk}",
    )


# ---------------------------------------------------------------- reads


def visible_rounds(user: Any) -> QuerySet[ScoreRound]:
    """Rounds of the caller's city (staff: a county sees its city's round), its own enterprise's, or assigned ones."""
    actor = actor_of(user)
    rounds = ScoreRound.objects.select_related("region")
    if actor.role in STAFF_ROLES and actor.region_code:
        return rounds.filter(within(actor.region_code) | Q(region_id=city_of(actor.region_code)))
    if actor.role is Role.ENTERPRISE and actor.enterprise_id is not None:
        return rounds.filter(scorecards__enterprise_id=actor.enterprise_id).distinct()
    if actor.role is Role.EXPERT:
        return rounds.filter(scorecards__onsite_expert_id=actor.user_id).distinct()
    return rounds.none()


def get_round(user: Any, round_id: int) -> ScoreRound:
    found = visible_rounds(user).filter(pk=round_id).first()
    if found is None:
        raise NotFound(MISSING_ROUND)
    return found


def visible_scorecards(user: Any, round_: ScoreRound) -> QuerySet[Scorecard]:
    actor = actor_of(user)
    cards = Scorecard.objects.filter(round=round_).select_related("enterprise", "region", "round")
    if actor.role in STAFF_ROLES and actor.region_code:
        return cards.filter(within(actor.region_code))
    if actor.role is Role.ENTERPRISE and actor.enterprise_id is not None:
        return cards.filter(enterprise_id=actor.enterprise_id)
    if actor.role is Role.EXPERT:
        return cards.filter(onsite_expert_id=actor.user_id)
    return cards.none()


def get_scorecard(user: Any, scorecard_id: int) -> Scorecard:
    """One scorecard the caller may see; out of scope it does not exist."""
    found = Scorecard.objects.select_related("enterprise", "region", "round", "onsite_expert").filter(pk=scorecard_id)
    scorecard = found.first()
    if scorecard is None or not decide(actor_of(user), "scorecard.view", target_of(scorecard)):
        raise NotFound(MISSING_CARD)
    return scorecard


def _own_scorecard(user: Any, scorecard_id: int, action: str) -> Scorecard:
    found = Scorecard.objects.select_for_update().filter(pk=scorecard_id).first()
    if found is None:
        raise NotFound(MISSING_CARD)
    scorecard = Scorecard.objects.select_related("enterprise", "region", "round").get(pk=found.pk)
    require_found(user, action, target_of(scorecard), view="scorecard.view", missing=MISSING_CARD)
    return scorecard


# ---------------------------------------------------------------- rounds


def _industry_of(enterprise: Enterprise) -> str:
    assignment = (
        IndustryAssignment.objects.filter(enterprise=enterprise)
        .order_by("site_id", "id")
        .values("industry_code")
        .first()
    )
    return assignment["industry_code"] if assignment else ""


@transaction.atomic
def open_round(user: Any, region_code: str, year: int, deadline: dt.date) -> ScoreRound:
    """Open a city's round and enrol every enterprise registered in the city (so non-reporters are known, ZZ-7)."""
    require(user, "scorecard.manage", Target(region_code=region_code))
    try:
        is_city = level_of(region_code) is RegionLevel.CITY
    except ValueError:
        is_city = False
    if not is_city or not Region.objects.filter(code=region_code).exists():
        raise ServiceError("评价批次须按城市（六位市级行政区划代码）开设", field="region")
    if not 2000 <= year <= 2100:
        raise ServiceError("评价年度须在 2000–2100 之间", field="year")
    if ScoreRound.objects.filter(region_id=region_code, year=year).exists():
        raise ServiceError(f"{year}年度的绿色绩效评价批次已存在", field="year")
    round_ = ScoreRound(region_id=region_code, year=year, deadline=deadline, created_by=user)
    try:
        card_of(round_)
    except RuleLookupError as exc:
        raise ServiceError(f"该城市没有生效的绿色绩效评价体系：{exc}", field="region") from None
    round_.save()
    enterprises = Enterprise.objects.filter(within(region_code)).order_by("pk")
    Scorecard.objects.bulk_create(
        Scorecard(round=round_, enterprise=e, region_id=e.region_id, industry_code=_industry_of(e)) for e in enterprises
    )
    audit.record(
        actor=user,
        action="scorecard.round.open",
        obj=round_,
        region_code=region_code,
        after={"year": year, "deadline": deadline.isoformat(), "enterprises": enterprises.count()},
    )
    return round_


# ---------------------------------------------------------------- values from three sources


def parse_values(card: rs.ScorecardEntry, raw: Mapping[str, Any]) -> dict[str, bool | float | str]:
    """Form or file text → typed values (blank = not given); every bad value named by its indicator."""
    indicators = indicators_of(card)
    values: dict[str, bool | float | str] = {}
    errors: list[str] = []
    for indicator_id, text in raw.items():
        if indicator_id not in indicators:
            errors.append(f"评价体系中没有指标 {indicator_id}")
            continue
        if text is None or (isinstance(text, str) and not text.strip()):
            continue
        try:
            values[indicator_id] = check_value(card, indicator_id, _typed(indicators[indicator_id][1], text))
        except ScoreInputError as exc:
            errors.append(exc.message)
    if errors:
        raise ServiceError("；".join(errors), field="values")
    return values


def _typed(indicator: rs.ScoreIndicator, text: Any) -> Any:
    if isinstance(text, bool | int | float):
        return float(text) if isinstance(text, int) and not isinstance(text, bool) else text
    word = str(text).strip()
    if indicator.input is rs.ScoreInput.YES_NO:
        return {
            "是": True,
            "yes": True,
            "true": True,
            "1": True,
            "否": False,
            "no": False,
            "false": False,
            "0": False,
        }.get(word.lower(), word)
    if indicator.input is rs.ScoreInput.TIER:
        by_label = {tier.label_zh: tier.code for tier in indicator.tiers}
        return by_label.get(word, "none" if word in ("无", "none") else word)
    try:
        return float(word.rstrip("%％"))
    except ValueError:
        return word


def _record(
    user: Any,
    scorecard: Scorecard,
    source: DataSource,
    values: Mapping[str, bool | float | str],
    *,
    evidence: Mapping[str, str] | None = None,
    department: str = "",
    at: dt.datetime | None = None,
) -> list[ScoreValue]:
    if scorecard.round.published_at is not None:
        raise ServiceError(PUBLISHED_REFUSAL, field="values")
    moment = at or timezone.now()
    rows = [
        ScoreValue(
            scorecard=scorecard,
            indicator=indicator,
            source=source.value,
            value=value,
            evidence=((evidence or {}).get(indicator) or "")[:500],
            department=department[:100],
            recorded_by=user,
            recorded_at=moment,
        )
        for indicator, value in values.items()
    ]
    return ScoreValue.objects.bulk_create(rows)


@transaction.atomic
def declare(
    user: Any, scorecard_id: int, raw: Mapping[str, Any], evidence: Mapping[str, str] | None = None
) -> Scorecard:
    """The enterprise's declaration of its scorecard inputs, with evidence (企业申报, REQ ZZ-2)."""
    scorecard = _own_scorecard(user, scorecard_id, "scorecard.declare")
    values = parse_values(card_of(scorecard.round), raw)
    if not values:
        raise ServiceError("请至少填写一项指标", field="values")
    _record(user, scorecard, DataSource.DECLARED, values, evidence=evidence)
    if scorecard.declared_at is None:
        scorecard.declared_at = timezone.now()
        scorecard.save(update_fields=["declared_at"])
    audit.record(
        actor=user,
        action="scorecard.declare",
        obj=scorecard,
        region_code=scorecard.region_id,
        after={"values": values, "evidence": dict(evidence or {})},
    )
    return scorecard


def record_department_values(
    user: Any, scorecard: Scorecard, values: Mapping[str, bool | float | str], department: str, reason: str
) -> None:
    """Department data for one scorecard (部门数据, REQ ZZ-2): called by the import inside its transaction."""
    require_found(user, "scorecard.import", target_of(scorecard), view="scorecard.view", missing=MISSING_CARD)
    with transaction.atomic():
        _record(user, scorecard, DataSource.DEPARTMENT, values, department=department)
        audit.record(
            actor=user,
            action="scorecard.department",
            obj=scorecard,
            region_code=scorecard.region_id,
            after={"department": department, "values": dict(values)},
            reason=reason,
        )


@transaction.atomic
def assign_expert(user: Any, scorecard_id: int, expert_user_id: int) -> Scorecard:
    """The city or county assigns an expert for the on-site check (现场核查, REQ ZZ-2, ZZ-5)."""
    from airgrade.platform.accounts.models import User

    scorecard = _own_scorecard(user, scorecard_id, "scorecard.assign_expert")
    expert = User.objects.filter(pk=expert_user_id, role=Role.EXPERT.value, is_active=True).first()
    if expert is None:
        raise ServiceError("请选择一位在册的专家", field="expert")
    before = scorecard.onsite_expert_id
    scorecard.onsite_expert = expert
    scorecard.save(update_fields=["onsite_expert"])
    audit.record(
        actor=user,
        action="scorecard.assign_expert",
        obj=scorecard,
        region_code=scorecard.region_id,
        before={"expert": before},
        after={"expert": expert.username},
    )
    return scorecard


@transaction.atomic
def record_onsite(
    user: Any, scorecard_id: int, raw: Mapping[str, Any], evidence: Mapping[str, str] | None = None
) -> Scorecard:
    """The assigned expert's (or a bureau's) on-site findings; they take precedence per the rule data (ZZ-2)."""
    scorecard = _own_scorecard(user, scorecard_id, "scorecard.onsite")
    values = parse_values(card_of(scorecard.round), raw)
    if not values:
        raise ServiceError("请至少填写一项核查结果", field="values")
    _record(user, scorecard, DataSource.ONSITE, values, evidence=evidence)
    scorecard.onsite_at = timezone.now()
    scorecard.save(update_fields=["onsite_at"])
    audit.record(
        actor=user,
        action="scorecard.onsite",
        obj=scorecard,
        region_code=scorecard.region_id,
        after={"values": values, "evidence": dict(evidence or {})},
    )
    return scorecard


@transaction.atomic
def mark_red_line(user: Any, scorecard_id: int, reason_code: str, detail: str) -> Scorecard:
    """Flag a red-line enterprise (违法违规, REQ ZZ-3) with the reason; it leaves A / B and the recommendation."""
    scorecard = _own_scorecard(user, scorecard_id, "scorecard.red_line")
    if scorecard.round.published_at is not None:
        raise ServiceError(PUBLISHED_REFUSAL, field="reason")
    reasons = {reason.code: reason.label_zh for reason in card_of(scorecard.round).red_lines.reasons}
    if reason_code not in reasons:
        raise ServiceError("请选择红线原因", field="reason")
    detail = detail.strip()
    if not detail:
        raise ServiceError("请写明违法违规的事实与依据", field="detail")
    before = list(scorecard.red_lines)
    scorecard.red_lines = [*before, {"code": reason_code, "detail": detail[:300]}]
    scorecard.save(update_fields=["red_lines"])
    audit.record(
        actor=user,
        action="scorecard.red_line",
        obj=scorecard,
        region_code=scorecard.region_id,
        before={"red_lines": before},
        after={"red_lines": scorecard.red_lines},
        reason=detail,
    )
    return scorecard


@transaction.atomic
def mark_false_data(user: Any, scorecard_id: int, detail: str) -> Scorecard:
    """False data found (弄虚作假, REQ ZZ-7): the class is lowered as the rule data says."""
    scorecard = _own_scorecard(user, scorecard_id, "scorecard.red_line")
    if scorecard.round.published_at is not None:
        raise ServiceError(PUBLISHED_REFUSAL, field="detail")
    if not detail.strip():
        raise ServiceError("请写明弄虚作假的事实与依据", field="detail")
    scorecard.false_data = True
    scorecard.save(update_fields=["false_data"])
    audit.record(
        actor=user,
        action="scorecard.false_data",
        obj=scorecard,
        region_code=scorecard.region_id,
        after={"false_data": True},
        reason=detail.strip(),
    )
    return scorecard


# ---------------------------------------------------------------- scoring


def _registry_red_lines(card: rs.ScorecardEntry, scorecards: Iterable[Scorecard], year: int) -> dict[int, list[str]]:
    """Downgrades for violations in the registry (this year or the year before) are red lines (REQ ZZ-3)."""
    from airgrade.platform.grades.models import Downgrade

    ids = [scorecard.enterprise_id for scorecard in scorecards]
    found: dict[int, list[str]] = {}
    downgrades = Downgrade.objects.filter(
        enterprise_id__in=ids,
        reason_code__in=card.red_lines.downgrade_reasons,
        effective__gte=dt.date(year - 1, 1, 1),
        effective__lte=dt.date(year, 12, 31),
    ).order_by("effective", "pk")
    for downgrade in downgrades:
        found.setdefault(downgrade.enterprise_id, []).append(
            f"registry_downgrade:{downgrade.get_reason_code_display()}（{downgrade.effective.isoformat()}）"
        )
    return found


def reported(scorecard: Scorecard) -> bool:
    """Declared by the end of the deadline day, Beijing time (REQ ZZ-7)."""
    if scorecard.declared_at is None:
        return False
    return scorecard.declared_at.astimezone(SHANGHAI).date() <= scorecard.round.deadline


def counts_as_reported(scorecard: Scorecard) -> bool:
    """Until the deadline has passed nobody is a non-reporter yet; afterwards only those who declared on time."""
    return reported(scorecard) or timezone.now().astimezone(SHANGHAI).date() <= scorecard.round.deadline


def _subjects(round_: ScoreRound, card: rs.ScorecardEntry) -> tuple[list[EnterpriseValues], dict[str, Scorecard]]:
    scorecards = list(Scorecard.objects.filter(round=round_).select_related("enterprise", "round", "region"))
    registry = _registry_red_lines(card, scorecards, round_.year)
    values: dict[int, list[SourcedValue]] = {}
    for row in ScoreValue.objects.filter(scorecard__round=round_).select_related("recorded_by").order_by("pk"):
        who = row.department or str(row.recorded_by)  # the display name, else the username
        values.setdefault(row.scorecard_id, []).append(
            SourcedValue(row.indicator, DataSource(row.source), row.value, who, row.recorded_at)
        )
    subjects = []
    for scorecard in scorecards:
        red_lines = [f"{item['code']}:{item['detail']}" for item in scorecard.red_lines]
        red_lines += registry.get(scorecard.enterprise_id, [])
        subjects.append(
            EnterpriseValues(
                key=str(scorecard.pk),
                name=scorecard.enterprise.name,
                industry=scorecard.industry_code,
                region=scorecard.region_id,
                values=tuple(values.get(scorecard.pk, [])),
                reported=counts_as_reported(scorecard),
                red_lines=tuple(red_lines),
                false_data=scorecard.false_data,
                onsite_checked=scorecard.onsite_at is not None,
            )
        )
    return subjects, {str(scorecard.pk): scorecard for scorecard in scorecards}


@dataclass(frozen=True)
class RankedRow:
    """One line of the ranked table: the computed sheet and, once published, the result that stands."""

    position: int
    scorecard: Scorecard
    sheet: ScoreSheet
    score: float
    zz_class: str  # "" when the industry gets no class
    recommendation: str
    control: dict[str, float]
    decided: bool  # a recorded decision changed the published result

    @property
    def class_label(self) -> str:
        return ZzClass(self.zz_class).label_zh if self.zz_class else "不分档"


def _decided(round_: ScoreRound) -> set[int]:
    """Scorecards of the round whose published result a decision changed (one query for the whole table)."""
    if round_.published_at is None:
        return set()
    return set(ResultDecision.objects.filter(scorecard__round=round_).values_list("scorecard_id", flat=True))


def _row(
    round_: ScoreRound, scorecard: Scorecard, sheet: ScoreSheet, position: int, decided: set[int] | None = None
) -> RankedRow:
    """The computed sheet, with the published result standing once the round is published (ZZ-7)."""
    published = scorecard.published if round_.published_at is not None else None
    if published:
        return RankedRow(
            position=published["position"],
            scorecard=scorecard,
            sheet=sheet,
            score=published["score"],
            zz_class=published["class"] or "",
            recommendation=published["recommendation"],
            control=published["control"],
            decided=scorecard.pk in (decided if decided is not None else _decided(round_)),
        )
    return RankedRow(
        position=position,
        scorecard=scorecard,
        sheet=sheet,
        score=sheet.score,
        zz_class=sheet.zz_class.value if sheet.zz_class else "",
        recommendation=sheet.recommendation,
        control={level.value: ratio for level, ratio in sheet.control.items()},
        decided=False,
    )


def ranked(user: Any, round_id: int) -> tuple[ScoreRound, rs.ScorecardEntry, list[RankedRow]]:
    """The city-wide ranking (ranks and control ratios are the city's), rows limited to what the caller may see.
    Once the round is published the published result stands; data entered later does not move it (ZZ-7)."""
    round_ = get_round(user, round_id)
    card = card_of(round_)
    subjects, by_key = _subjects(round_, card)
    sheets = score_round(card, subjects)
    visible = set(visible_scorecards(user, round_).values_list("pk", flat=True))
    decided = _decided(round_)
    rows = [
        _row(round_, by_key[sheet.key], sheet, position, decided)
        for position, sheet in enumerate(sheets, start=1)
        if by_key[sheet.key].pk in visible
    ]
    rows.sort(key=lambda row: row.position)
    return round_, card, rows


def ranking_for_operator(region_code: str, year: int | None = None) -> list[RankedRow]:
    """The whole city's table for the operator's command line (`airgrade zz rank`): no user, every enterprise."""
    rounds = ScoreRound.objects.filter(region_id=region_code)
    if year is not None:
        rounds = rounds.filter(year=year)
    round_ = rounds.order_by("-year").first()
    if round_ is None:
        raise ServiceError(f"区划 {region_code} 没有{f'{year}年度的' if year else ''}绿色绩效评价批次", field="region")
    card = card_of(round_)
    subjects, by_key = _subjects(round_, card)
    decided = _decided(round_)
    rows = [_row(round_, by_key[s.key], s, i, decided) for i, s in enumerate(score_round(card, subjects), start=1)]
    return sorted(rows, key=lambda row: row.position)


def sheet_of(user: Any, scorecard_id: int) -> tuple[Scorecard, rs.ScorecardEntry, RankedRow]:
    scorecard = get_scorecard(user, scorecard_id)
    round_ = scorecard.round
    card = card_of(round_)
    subjects, _by_key = _subjects(round_, card)
    sheets = score_round(card, subjects)
    position, sheet = next((i, s) for i, s in enumerate(sheets, start=1) if s.key == str(scorecard.pk))
    row = _row(round_, scorecard, sheet, position)
    return scorecard, card, row


@transaction.atomic
def publish(user: Any, round_id: int) -> ScoreRound:
    """The city publishes the round: each result is fixed (REQ ZZ-7) and changes only by a recorded decision."""
    require_role(user, "scorecard.manage")  # the same answer for every round, existing or not
    round_ = get_round(user, round_id)
    require(user, "scorecard.manage", Target(region_code=round_.region_id))
    round_ = ScoreRound.objects.select_for_update().get(pk=round_.pk)
    if round_.published_at is not None:
        raise ServiceError("该批次的结果已发布", field="round")
    card = card_of(round_)
    subjects, by_key = _subjects(round_, card)
    sheets = score_round(card, subjects)
    for position, sheet in enumerate(sheets, start=1):
        scorecard = by_key[sheet.key]
        scorecard.published = {
            "position": position,
            "score": sheet.score,
            "class": sheet.zz_class.value if sheet.zz_class else None,
            "recommendation": sheet.recommendation,
            "control": {level.value: ratio for level, ratio in sheet.control.items()},
            "red_lines": list(sheet.red_lines),
            "rules_version": default_rulebook().version,
        }
    Scorecard.objects.bulk_update(by_key.values(), ["published"])
    round_.published_at = timezone.now()
    round_.save(update_fields=["published_at"])
    audit.record(
        actor=user,
        action="scorecard.round.publish",
        obj=round_,
        region_code=round_.region_id,
        after={"enterprises": len(sheets), "rules_version": default_rulebook().version},
    )
    return round_


@transaction.atomic
def decide_change(user: Any, scorecard_id: int, new_class: str, reason: str, document: str) -> ResultDecision:
    """Change a published class by a recorded, reasoned decision (REQ ZZ-7); the only way a result moves."""
    scorecard = _own_scorecard(user, scorecard_id, "scorecard.manage")
    if scorecard.round.published_at is None or not scorecard.published:
        raise ServiceError("结果尚未发布，无需作出变更决定", field="class")
    if new_class not in {zz.value for zz in ZzClass}:
        raise ServiceError("请选择变更后的类别", field="class")
    if not reason.strip() or not document.strip():
        raise ServiceError("变更已发布的结果须写明理由和决定文号", field="reason")
    before = dict(scorecard.published)
    if before.get("class") == new_class:
        raise ServiceError("新类别与已发布的类别相同", field="class")
    after = {**before, "class": new_class}
    decision = ResultDecision.objects.create(
        scorecard=scorecard,
        before=before,
        after=after,
        reason=reason.strip(),
        document=document.strip()[:200],
        decided_by=user,
    )
    scorecard.published = after
    scorecard.save(update_fields=["published"])
    audit.record(
        actor=user,
        action="scorecard.decide",
        obj=scorecard,
        region_code=scorecard.region_id,
        before={"class": before.get("class")},
        after={"class": new_class, "document": decision.document},
        reason=decision.reason,
    )
    return decision


def pre_assess(user: Any, industry: str, raw: Mapping[str, Any]) -> InvestmentResult:
    """招商引资准入评价 (REQ ZZ-6) with the card of the caller's city in force today; the project's ranking figures
    are ranked against the latest round's enterprises of its industry. Staff only; nothing is written."""
    actor = require_role(user, "scorecard.rank")
    require(actor, "scorecard.rank", Target(region_code=actor.region_code))
    region = actor.region_code or ""
    try:
        card = default_rulebook().scorecard(region, timezone.now().astimezone(SHANGHAI).date())
    except RuleLookupError as exc:
        raise ServiceError(f"本辖区没有生效的绿色绩效评价体系：{exc}", field="region") from None
    if industry and default_rulebook().industry_or_none(industry) is None:
        raise ServiceError(f"未知的行业 {industry}", field="industry")
    stated = parse_values(card, raw)
    if not stated:
        raise ServiceError("请至少填写一项指标", field="values")
    peers: dict[str, dict[str, float]] = {}
    round_ = ScoreRound.objects.filter(region_id=city_of(region)).order_by("-year").first()
    if round_ is not None:
        rank_ids = [i for i, (_, ind) in indicators_of(card).items() if ind.input is rs.ScoreInput.RANK]
        for row in ScoreValue.objects.filter(
            scorecard__round=round_, scorecard__industry_code=industry, indicator__in=rank_ids
        ).order_by("recorded_at", "pk"):
            if isinstance(row.value, int | float) and not isinstance(row.value, bool):
                peers.setdefault(row.indicator, {})[str(row.scorecard_id)] = float(row.value)
    return core_pre_assess(card, industry, stated, peers)


def national_measures(scorecard: Scorecard) -> tuple[str, list[tuple[str, str]]]:
    """The enterprise's national grade today and its industry's minimum measures at each alert level, shown next to
    the city's control ratio (REQ ZZ-5: the ratio serves enterprises without a national grade). ("", []) without one."""
    from airgrade.core.rules.render import measures_line_zh
    from airgrade.core.types import AlertLevel
    from airgrade.platform.grades.services import enterprise_grade_on

    today = timezone.now().astimezone(SHANGHAI).date()
    grade = enterprise_grade_on(scorecard.enterprise, today)
    if grade is None:
        return "", []
    lines = []
    for level in AlertLevel:
        try:
            measures, _ = default_rulebook().measures_with_source(
                scorecard.industry_code, grade, level, today, scorecard.region_id
            )
        except (RuleLookupError, KeyError):
            return grade.value, []
        lines.append((level.label_zh, measures_line_zh(measures)))
    return grade.value, lines


def work_items(user: Any) -> list[dict[str, Any]]:
    """Open tasks of unpublished rounds: the enterprise declares by the deadline (ZZ-7), the expert checks on site."""
    from django.urls import reverse

    actor = actor_of(user)
    if actor.role is Role.ENTERPRISE and actor.enterprise_id is not None:
        cards = Scorecard.objects.filter(enterprise_id=actor.enterprise_id, declared_at__isnull=True)
        label = "绿色绩效评价申报"
    elif actor.role is Role.EXPERT:
        cards = Scorecard.objects.filter(onsite_expert_id=actor.user_id, onsite_at__isnull=True)
        label = "绿色绩效现场核查"
    else:
        return []
    moment = timezone.now()
    tasks = []
    for card in cards.filter(round__published_at__isnull=True).select_related("round", "enterprise"):
        due = dt.datetime.combine(card.round.deadline, dt.time(23, 59), tzinfo=SHANGHAI)
        tasks.append(
            {
                "kind": "scorecard",
                "id": card.pk,
                "declaration_id": None,
                "title": f"{label}：{card.enterprise.name}（{card.round.year}年度）",
                "due": due,
                "overdue": due < moment,
                "url": reverse("scorecards:scorecard", args=[card.pk]),
            }
        )
    return tasks


def local_control(enterprise_id: int) -> list[dict[str, Any]]:
    """The latest round's result of one enterprise: class, score and control ratio per alert level (labels in
    Chinese), with a link to its score sheet; [] when it is in no round or its industry gets no class."""
    from django.urls import reverse

    from airgrade.core.types import AlertLevel

    scorecard = (
        Scorecard.objects.filter(enterprise_id=enterprise_id).select_related("round").order_by("-round__year").first()
    )
    if scorecard is None:
        return []
    round_ = scorecard.round
    card = card_of(round_)
    subjects, by_key = _subjects(round_, card)
    for position, sheet in enumerate(score_round(card, subjects), start=1):
        if sheet.key == str(scorecard.pk):
            row = _row(round_, by_key[sheet.key], sheet, position)
            if not row.zz_class:
                return []
            return [
                {
                    "title": f"{round_.year}年度绿色绩效评价",
                    "class": row.class_label,
                    "score": row.score,
                    "control": [(level.label_zh, row.control.get(level.value)) for level in AlertLevel],
                    "url": reverse("scorecards:scorecard", args=[scorecard.pk]),
                    "published": round_.published_at is not None,
                }
            ]
    return []


def experts() -> QuerySet[Any]:
    from airgrade.platform.accounts.models import User

    return User.objects.filter(role=Role.EXPERT.value, is_active=True).order_by("username")
