"""Zhengzhou-style point scorecards (REQ ZZ-1 … ZZ-7): values from three sources in, points, class, recommendation
and control ratios out, every number taken from the city's scorecard in the rule book.

Pure Python: the platform passes plain values (who said what, when) and stores what comes back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from airgrade.core.errors import AirgradeError
from airgrade.core.rules import schema as s
from airgrade.core.types import AlertLevel


class ScoreInputError(AirgradeError, ValueError):
    """A value the scorecard cannot take (unknown indicator, points out of range, no source); message in Chinese."""

    def __init__(self, message: str, indicator: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.indicator = indicator


class DataSource(StrEnum):
    """The three data sources of ZZ-2."""

    DECLARED = "declared"  # 企业申报
    DEPARTMENT = "department"  # 部门数据
    ONSITE = "onsite"  # 现场核查

    @property
    def label_zh(self) -> str:
        return {"declared": "企业申报", "department": "部门数据", "onsite": "现场核查"}[self.value]


class ZzClass(StrEnum):
    """The city's classes (REQ ZZ-4); C1 is C′ (市级标杆), C2 is C″ (一般)."""

    A = "A"
    B = "B"
    C1 = "C1"
    C2 = "C2"

    @property
    def label_zh(self) -> str:
        return {"A": "A类", "B": "B类", "C1": "C′档", "C2": "C″档"}[self.value]


CLASS_ORDER = (ZzClass.A, ZzClass.B, ZzClass.C1, ZzClass.C2)

Value = bool | float | str


@dataclass(frozen=True)
class SourcedValue:
    """One value of one indicator as one source gave it: the source, who and when travel with it (ZZ-2)."""

    indicator: str
    source: DataSource
    value: Value
    by: str
    at: dt.datetime


@dataclass(frozen=True)
class EnterpriseValues:
    """One enterprise's inputs for a scoring round."""

    key: str
    name: str
    industry: str  # rule-book industry code ("" when it has none)
    region: str
    values: tuple[SourcedValue, ...] = ()
    reported: bool = True  # declared by the deadline (ZZ-7)
    red_lines: tuple[str, ...] = ()  # reasons (RedLineReason codes, with detail after a colon)
    false_data: bool = False  # found to have declared false data (ZZ-7)
    onsite_checked: bool = False  # an expert's on-site check is recorded (ZZ-5)


@dataclass(frozen=True)
class IndicatorScore:
    indicator: str
    label_zh: str
    dimension: str
    group: s.ScoreGroup
    max_points: float
    points: float
    chosen: SourcedValue | None
    # other sources that said something else: the disagreement is shown, never hidden (ZZ-2)
    disagreements: tuple[SourcedValue, ...] = ()
    rank: tuple[int, int] | None = None  # (rank, peers) of a ranking indicator
    provisional: bool = False  # the indicator's scoring rests on a provisional rule (rank method, missing table)
    note_zh: str = ""


@dataclass(frozen=True)
class ScoreSheet:
    key: str
    name: str
    industry: str
    region: str
    indicators: tuple[IndicatorScore, ...]
    dimension_points: dict[str, float]
    raw_total: float
    raw_maximum: float
    score: float
    zz_class: ZzClass | None  # None: industry outside both lists (ZZ-4 last sentence)
    class_reasons: tuple[str, ...]
    red_lines: tuple[str, ...]
    recommendation: str  # "recommended" / "awaiting_onsite" / "not_eligible"
    recommendation_reason: str
    industry_table: s.IndustryTable | None = None
    control: dict[AlertLevel, float] = field(default_factory=dict)
    rank_in_class: tuple[int, int] | None = None


RECOMMENDATION_LABELS = {
    "recommended": "推荐为绿色环保引领企业",
    "awaiting_onsite": "待专家现场核查",
    "not_eligible": "不推荐",
}


# A card's indicators by id, built once per card object (a round checks every value against it).
_INDICATORS: dict[int, tuple[s.ScorecardEntry, dict[str, tuple[s.ScoreDimension, s.ScoreIndicator]]]] = {}


def indicators_of(card: s.ScorecardEntry) -> dict[str, tuple[s.ScoreDimension, s.ScoreIndicator]]:
    held = _INDICATORS.get(id(card))
    if held is None or held[0] is not card:
        held = (card, {ind.id: (dim, ind) for dim in card.dimensions for ind in dim.indicators})
        _INDICATORS[id(card)] = held
    return held[1]


def check_value(card: s.ScorecardEntry, indicator_id: str, value: object) -> Value:
    """The value in the indicator's own kind, or ScoreInputError saying why not (range, type, tier)."""
    found = indicators_of(card).get(indicator_id)
    if found is None:
        raise ScoreInputError(f"评价体系中没有指标 {indicator_id!r}", indicator_id)
    indicator = found[1]
    label = indicator.label_zh
    kind = indicator.input
    if kind is s.ScoreInput.YES_NO:
        if not isinstance(value, bool):
            raise ScoreInputError(f"“{label}”须填 是/否", indicator_id)
        return value
    if kind is s.ScoreInput.TIER:
        codes = [tier.code for tier in indicator.tiers]
        if value not in (*codes, "none"):
            names = "、".join(tier.label_zh for tier in indicator.tiers)
            raise ScoreInputError(f"“{label}”须为 {names} 或 无", indicator_id)
        return str(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScoreInputError(f"“{label}”须填数字", indicator_id)
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise ScoreInputError(f"“{label}”须填有限的数字", indicator_id)
    if kind is s.ScoreInput.POINTS and not 0 <= number <= indicator.points:
        raise ScoreInputError(f"“{label}”的得分 {number:g} 超出范围 0–{indicator.points:g} 分", indicator_id)
    if kind is s.ScoreInput.ABOVE and not 0 <= number <= 100:
        raise ScoreInputError(f"“{label}”是百分比，须在 0–100 之间（得到 {number:g}）", indicator_id)
    if kind is s.ScoreInput.RANK and number < 0:
        raise ScoreInputError(f"“{label}”不能为负数（得到 {number:g}）", indicator_id)
    return number


def resolve(
    card: s.ScorecardEntry, values: Iterable[SourcedValue]
) -> dict[str, tuple[SourcedValue, tuple[SourcedValue, ...]]]:
    """Per indicator: the value that counts by the card's precedence (latest within one source), and the values of
    other sources that disagree with it (REQ ZZ-2)."""
    order = {DataSource(name): index for index, name in enumerate(card.precedence.order)}
    latest: dict[tuple[str, DataSource], SourcedValue] = {}
    for item in values:
        if not isinstance(item.source, DataSource):
            raise ScoreInputError(f"指标 {item.indicator} 的数值缺少数据来源", item.indicator)
        key = (item.indicator, item.source)
        held = latest.get(key)
        if held is None or item.at >= held.at:
            latest[key] = item
    by_indicator: dict[str, list[SourcedValue]] = {}
    for (indicator, _), item in latest.items():
        by_indicator.setdefault(indicator, []).append(item)
    resolved: dict[str, tuple[SourcedValue, tuple[SourcedValue, ...]]] = {}
    for indicator, items in by_indicator.items():
        items.sort(key=lambda item: order[item.source])
        chosen = items[0]
        resolved[indicator] = (chosen, tuple(item for item in items[1:] if item.value != chosen.value))
    return resolved


def _rank_points(indicator: s.ScoreIndicator, rank: int, peers: int) -> float:
    # RankMethod.LINEAR: rank r of n scores points × (n − r + 1) / n (the card's rank_method, provisional)
    return indicator.points * (peers - rank + 1) / peers


def _ranks(figures: Mapping[str, float], higher_is_better: bool) -> dict[str, int]:
    """Competition ranking (ties share the better rank)."""
    ordered = sorted(figures.items(), key=lambda item: -item[1] if higher_is_better else item[1])
    ranks: dict[str, int] = {}
    previous: float | None = None
    rank = 0
    for place, (key, figure) in enumerate(ordered, start=1):
        if figure != previous:
            rank = place
            previous = figure
        ranks[key] = rank
    return ranks


def _points(indicator: s.ScoreIndicator, value: Value) -> float:
    kind = indicator.input
    if kind is s.ScoreInput.YES_NO:
        return indicator.points if value is True else 0.0
    if kind is s.ScoreInput.TIER:
        return next((tier.points for tier in indicator.tiers if tier.code == value), 0.0)
    if kind is s.ScoreInput.ABOVE:
        assert indicator.threshold is not None
        return indicator.points if isinstance(value, int | float) and value > indicator.threshold else 0.0
    if kind is s.ScoreInput.POINTS:
        return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0
    return 0.0  # rank: scored against the peer group


def industry_table(card: s.ScorecardEntry, industry: str) -> s.IndustryTable | None:
    return next((table for table in card.industry_tables if industry in table.industries), None)


def raw_maximum(card: s.ScorecardEntry) -> float:
    return sum(dimension.indicator_total for dimension in card.dimensions)


def normalise(card: s.ScorecardEntry, raw: float) -> float:
    """Raw points on the card's scale (share_of_maximum: raw / maximum × scale), rounded as the card says."""
    maximum = raw_maximum(card)
    rule = card.normalisation
    return round(raw / maximum * rule.scale, rule.decimals) if maximum else 0.0


def _lower(zz_class: ZzClass, steps: int) -> ZzClass:
    return CLASS_ORDER[min(CLASS_ORDER.index(zz_class) + steps, len(CLASS_ORDER) - 1)]


def classify(
    card: s.ScorecardEntry, points: Mapping[str, float], score: float, subject: EnterpriseValues
) -> tuple[ZzClass | None, tuple[str, ...]]:
    """A / B / C′ / C″ (REQ ZZ-4) with the integrity and red-line rules (ZZ-3, ZZ-7); the reasons in Chinese."""
    rules = card.classes
    labels = {ind_id: ind.label_zh for ind_id, (_, ind) in indicators_of(card).items()}
    if subject.industry not in rules.classified_industries:
        return None, ("所属行业未列入技术指南和本评价体系，暂不分档",)
    if not subject.reported:
        cls = ZzClass(card.integrity.non_reporter_class)
        return cls, (f"未按期上报，纳入评价最低等级（{cls.label_zh}）",)
    if subject.red_lines:
        cls = ZzClass(card.red_lines.class_given)
        return cls, (f"红线企业，不得评为A、B类（{cls.label_zh}）",)
    reasons: list[str] = []

    def unmet(conditions: Sequence[s.ClassCondition]) -> list[str]:
        return [
            f"{labels[c.indicator]} {points.get(c.indicator, 0.0):g} 分，未达 {c.min_points:g} 分"
            for c in conditions
            if points.get(c.indicator, 0.0) < c.min_points
        ]

    missing_a = unmet(rules.a)
    if not missing_a:
        cls = ZzClass.A
        reasons.append("全部满足A类指标要求")
    else:
        missing_b = unmet(rules.b)
        if not missing_b:
            cls = ZzClass.B
            reasons.append("不满足A类指标：" + "；".join(missing_a))
        else:
            cls = ZzClass.C1 if score >= rules.c1_min_score else ZzClass.C2
            reasons.append("不满足B类指标：" + "；".join(missing_b))
            relation = "不低于" if cls is ZzClass.C1 else "低于"
            reasons.append(f"综合得分 {score:g} {relation} {rules.c1_min_score:g} 分，{cls.label_zh}")
    if subject.false_data:
        lowered = _lower(cls, card.integrity.false_data_steps)
        reasons.append(f"申报数据弄虚作假，由{cls.label_zh}降为{lowered.label_zh}")
        cls = lowered
    return cls, tuple(reasons)


def _recommendation(card: s.ScorecardEntry, score: float, subject: EnterpriseValues) -> tuple[str, str]:
    rule = card.recommendation
    passes = score > rule.threshold if rule.strictly_above else score >= rule.threshold
    word = "超过" if rule.strictly_above else "达到"
    if not subject.reported:
        return "not_eligible", "未按期上报"
    if subject.red_lines and card.red_lines.excluded_from_recommendation:
        return "not_eligible", "红线企业不得推荐"
    if not passes:
        return "not_eligible", f"得分 {score:g} 未{word} {rule.threshold:g} 分"
    if rule.needs_onsite_check and not subject.onsite_checked:
        return "awaiting_onsite", f"得分 {score:g} {word} {rule.threshold:g} 分，待专家现场核查"
    return "recommended", f"得分 {score:g} {word} {rule.threshold:g} 分，已经专家现场核查"


def score_round(
    card: s.ScorecardEntry,
    subjects: Sequence[EnterpriseValues],
    peer_figures: Mapping[str, Mapping[str, float]] | None = None,
) -> list[ScoreSheet]:
    """Score every enterprise of a round: resolve sources, rank the ranking indicators within each industry (the
    peer group), add up, normalise, classify, recommend, and give each classified enterprise its control ratios by
    class and rank. Sheets come back best score first.

    `peer_figures` adds figures of enterprises outside `subjects` to the ranking (indicator → key → figure).
    """
    indicators = indicators_of(card)
    resolved = {subject.key: resolve(card, subject.values) for subject in subjects}
    for subject in subjects:
        for indicator_id, (counted, _) in resolved[subject.key].items():
            check_value(card, indicator_id, counted.value)
    rank_of: dict[tuple[str, str], tuple[int, int]] = {}  # (enterprise, indicator) → (rank, peers)
    for indicator_id, (_, indicator) in indicators.items():
        if indicator.input is not s.ScoreInput.RANK:
            continue
        groups: dict[str, dict[str, float]] = {}
        for subject in subjects:
            entry = resolved[subject.key].get(indicator_id)
            if entry is not None and isinstance(entry[0].value, int | float):
                groups.setdefault(subject.industry, {})[subject.key] = float(entry[0].value)
        extra = (peer_figures or {}).get(indicator_id, {})
        for subject in subjects:
            if subject.industry in groups:
                for key, figure in extra.items():
                    groups[subject.industry].setdefault(f"peer:{key}", figure)
        for figures in groups.values():
            ranks = _ranks(figures, indicator.higher_is_better)
            for key, rank in ranks.items():
                rank_of[(key, indicator_id)] = (rank, len(figures))

    sheets: list[ScoreSheet] = []
    maximum = raw_maximum(card)
    for subject in subjects:
        table = industry_table(card, subject.industry)
        table_empty = table is None or not table.indicators
        scores: list[IndicatorScore] = []
        dimension_points: dict[str, float] = {}
        for indicator_id, (dimension, indicator) in indicators.items():
            found = resolved[subject.key].get(indicator_id)
            chosen: SourcedValue | None = found[0] if found is not None else None
            disagreements = found[1] if found is not None else ()
            position = rank_of.get((subject.key, indicator_id))
            if indicator.input is s.ScoreInput.RANK:
                points = _rank_points(indicator, position[0], position[1]) if position is not None else 0.0
            else:
                points = _points(indicator, chosen.value) if chosen is not None else 0.0
            notes = []
            provisional = indicator.source.provisional or indicator.input is s.ScoreInput.RANK
            if indicator.input is s.ScoreInput.POINTS and "附表" in indicator.note_zh and table_empty:
                provisional = True
                notes.append("分行业细则（附表）未公开，得分按满分以内录入")
            if indicator.input is s.ScoreInput.RANK:
                notes.append("按同类企业名次计分（暂定方法）")
            scores.append(
                IndicatorScore(
                    indicator=indicator_id,
                    label_zh=indicator.label_zh,
                    dimension=dimension.code,
                    group=indicator.group,
                    max_points=indicator.points,
                    points=round(points, 4),
                    chosen=chosen,
                    disagreements=disagreements,
                    rank=position,
                    provisional=provisional,
                    note_zh="；".join(notes),
                )
            )
            dimension_points[dimension.code] = dimension_points.get(dimension.code, 0.0) + points
        raw = sum(dimension_points.values())
        score = normalise(card, raw)
        points_by_id = {item.indicator: item.points for item in scores}
        zz_class, reasons = classify(card, points_by_id, score, subject)
        recommendation, why = _recommendation(card, score, subject)
        sheets.append(
            ScoreSheet(
                key=subject.key,
                name=subject.name,
                industry=subject.industry,
                region=subject.region,
                indicators=tuple(scores),
                dimension_points={code: round(value, 4) for code, value in dimension_points.items()},
                raw_total=round(raw, 4),
                raw_maximum=maximum,
                score=score,
                zz_class=zz_class,
                class_reasons=reasons,
                red_lines=subject.red_lines,
                recommendation=recommendation,
                recommendation_reason=why,
                industry_table=table,
            )
        )
    return _with_control(card, sorted(sheets, key=lambda sheet: (-sheet.score, sheet.name, sheet.key)))


def _with_control(card: s.ScorecardEntry, sheets: list[ScoreSheet]) -> list[ScoreSheet]:
    """Control ratio per alert level by class and rank within the class (REQ ZZ-5): the best of a class gets the
    class's `least`, the worst its `most`, linearly between (sheets arrive best score first)."""
    by_class: dict[ZzClass, list[int]] = {}
    for index, sheet in enumerate(sheets):
        if sheet.zz_class is not None:
            by_class.setdefault(sheet.zz_class, []).append(index)
    result = list(sheets)
    for zz_class, indices in by_class.items():
        rule = card.control.classes[zz_class.value]
        count = len(indices)
        for position, index in enumerate(indices):
            share = position / (count - 1) if count > 1 else 0.0
            control = {
                level: round(rule.least[level] + (rule.most[level] - rule.least[level]) * share, 1)
                for level in AlertLevel
            }
            sheet = sheets[index]
            result[index] = replace(sheet, control=control, rank_in_class=(position + 1, count))
    return result


@dataclass(frozen=True)
class InvestmentResult:
    score: float
    admitted: bool
    band: s.InvestmentBand | None
    reason_zh: str
    sheet: ScoreSheet


def pre_assess(
    card: s.ScorecardEntry,
    industry: str,
    stated: Mapping[str, Value],
    peer_figures: Mapping[str, Mapping[str, float]] | None = None,
) -> InvestmentResult:
    """招商引资准入评价 (REQ ZZ-6): score a prospective project from its stated data (ranked against `peer_figures`
    where given); below the admission score → not admitted, else the band of its score."""
    moment = dt.datetime(2000, 1, 1)
    values = tuple(
        SourcedValue(indicator, DataSource.DECLARED, check_value(card, indicator, value), "拟引进项目", moment)
        for indicator, value in stated.items()
    )
    subject = EnterpriseValues(key="project", name="拟引进项目", industry=industry, region=card.region, values=values)
    sheet = score_round(card, [subject], peer_figures)[0]
    rule = card.investment
    if sheet.score < rule.admission_score:
        return InvestmentResult(
            sheet.score, False, None, f"得分 {sheet.score:g} 低于准入分数 {rule.admission_score:g}，不予引进", sheet
        )
    band = next((band for band in rule.bands if sheet.score >= band.min_score), None)
    shown = band.label_zh if band is not None else "达到准入分数，未入分档"
    return InvestmentResult(sheet.score, True, band, f"得分 {sheet.score:g}，{shown}", sheet)
