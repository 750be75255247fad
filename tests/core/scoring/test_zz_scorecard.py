"""The Zhengzhou scorecard pinned to the seed (002_ebb98fc411eea7a1.txt, 郑环攻坚〔2019〕11号; REQ ZZ-1 … ZZ-7).

The numbers written in these tests are the seed's own: a test fails when the rule data drifts from the seed, and
when the arithmetic (sources, ranks, classes, recommendation, control ratios) drifts from the rule data.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest

from airgrade.core.rules import schema as s
from airgrade.core.rules.loader import DEFAULT_ROOT, check_rulebook
from airgrade.core.rules.rulebook import RuleLookupError, default_rulebook
from airgrade.core.scoring import (
    DataSource,
    EnterpriseValues,
    ScoreInputError,
    SourcedValue,
    ZzClass,
    check_value,
    pre_assess,
    resolve,
    score_round,
)
from airgrade.core.types import AlertLevel

GOLDEN = Path(__file__).parent / "golden_round.json"
AS_OF = dt.date(2025, 6, 1)
T0 = dt.datetime(2025, 3, 1, 9, 0)


@pytest.fixture(scope="module")
def card() -> s.ScorecardEntry:
    return default_rulebook().scorecard("410100", AS_OF)


def points_of(card: s.ScorecardEntry, dimension: str) -> dict[str, tuple[str, float]]:
    dim = next(d for d in card.dimensions if d.code == dimension)
    return {ind.id: (ind.group.value, ind.points) for ind in dim.indicators}


# ---------------------------------------------------------------- the seed's numbers (REQ ZZ-1)


def test_dimension_totals_are_the_seeds(card: s.ScorecardEntry) -> None:
    totals = {d.code: d.max_points for d in card.dimensions}
    # 2. 经济指标(35分), 3. 能源指标（45分）, 4. 安全指标（15分）; the environment total is not in the seed text.
    assert totals == {"environment": None, "economy": 35, "energy": 45, "safety": 15}
    for dimension in card.dimensions:
        if dimension.max_points is not None:
            assert dimension.indicator_total == dimension.max_points
        else:
            assert dimension.source.provisional


def test_environment_points_are_the_seeds(card: s.ScorecardEntry) -> None:
    env = points_of(card, "environment")
    action = [p for g, p in env.values() if g == "action"]
    long_term = [p for g, p in env.values() if g == "long_term"]
    assert action == [10, 10, 3, 5, 20]  # 1.(2) ①–⑤
    assert long_term == [2, 2, 2, 5, 1]  # 1.(3) ①–⑤
    performance = next(d for d in card.dimensions if d.code == "environment").indicators[0]
    assert performance.group is s.ScoreGroup.PERFORMANCE and performance.source.provisional


def test_economy_energy_safety_points_are_the_seeds(card: s.ScorecardEntry) -> None:
    economy = points_of(card, "economy")
    assert [p for g, p in economy.values() if g == "performance"] == [5, 3]
    assert [p for g, p in economy.values() if g == "action"] == [3, 5, 5]
    assert [p for g, p in economy.values() if g == "long_term"] == [10, 2, 2]
    factory = next(i for d in card.dimensions for i in d.indicators if i.id == "eco_green_factory")
    assert {t.code: t.points for t in factory.tiers} == {"national": 10, "provincial": 5}
    energy = points_of(card, "energy")
    assert [p for g, p in energy.values() if g == "performance"] == [5, 10]
    assert [p for g, p in energy.values() if g == "action"] == [10, 10, 2, 3]
    assert [p for g, p in energy.values() if g == "long_term"] == [5]
    leader = next(i for d in card.dimensions for i in d.indicators if i.id == "nrg_efficiency_leader")
    assert {t.code: t.points for t in leader.tiers} == {"national": 10, "provincial": 5}
    vehicles = next(i for d in card.dimensions for i in d.indicators if i.id == "nrg_new_energy_vehicles")
    assert vehicles.threshold == 80  # 大于80%
    safety = points_of(card, "safety")
    assert [p for _, p in safety.values()] == [5, 3, 2, 5]


def test_recommendation_precedence_and_integrity_rules(card: s.ScorecardEntry) -> None:
    assert card.recommendation.threshold == 90 and card.recommendation.strictly_above  # 超过90分
    assert card.recommendation.needs_onsite_check
    assert card.precedence.order == ["onsite", "department", "declared"] and card.precedence.source.provisional
    assert card.integrity.non_reporter_class == "C2" and not card.integrity.non_reporter_source.provisional
    assert len(card.industry_tables) == 15 and all(
        t.source.provisional and not t.indicators for t in card.industry_tables
    )
    assert card.normalisation.source.provisional


def test_a_county_uses_its_citys_scorecard_and_other_cities_have_none() -> None:
    book = default_rulebook()
    assert book.scorecard("410181", AS_OF).region == "410100"
    with pytest.raises(RuleLookupError):
        book.scorecard("410300", AS_OF)
    with pytest.raises(RuleLookupError):
        book.scorecard("410100", dt.date(2018, 12, 31))


def test_a_dimension_whose_points_do_not_add_up_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "data"
    shutil.copytree(DEFAULT_ROOT, root)
    path = root / "jurisdictions" / "410100" / "scorecard.yaml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("max_points: 35", "max_points: 36"), "utf-8")
    issues = check_rulebook(root)
    assert any("经济指标满分 36 与各指标分值之和 35 不符" in issue.message for issue in issues)
    path.write_text(
        text.replace("{indicator: env_monitoring, min_points: 3}", "{indicator: nope, min_points: 3}"), "utf-8"
    )
    assert any("未知的指标 'nope'" in issue.message for issue in check_rulebook(root))


# ---------------------------------------------------------------- arithmetic


def full_marks(card: s.ScorecardEntry, source: DataSource = DataSource.DECLARED) -> list[SourcedValue]:
    values = []
    for dimension in card.dimensions:
        for ind in dimension.indicators:
            value: bool | float | str
            if ind.input is s.ScoreInput.YES_NO:
                value = True
            elif ind.input is s.ScoreInput.TIER:
                value = "national"
            elif ind.input is s.ScoreInput.ABOVE:
                value = 100.0
            elif ind.input is s.ScoreInput.RANK:
                value = 1000.0
            else:
                value = ind.points
            values.append(SourcedValue(ind.id, source, value, "企业", T0))
    return values


def subject(key: str, values: list[SourcedValue], industry: str = "cement", **kw: object) -> EnterpriseValues:
    return EnterpriseValues(key=key, name=f"企业{key}", industry=industry, region="410181", values=tuple(values), **kw)  # type: ignore[arg-type]


def with_value(values: list[SourcedValue], indicator: str, value: object) -> list[SourcedValue]:
    return [SourcedValue(v.indicator, v.source, value, v.by, v.at) if v.indicator == indicator else v for v in values]  # type: ignore[arg-type]


def test_full_marks_add_up_to_the_seeds_totals(card: s.ScorecardEntry) -> None:
    sheet = score_round(card, [subject("1", full_marks(card), onsite_checked=True)])[0]
    assert sheet.dimension_points == {"environment": 60, "economy": 35, "energy": 45, "safety": 15}
    assert sheet.raw_total == sheet.raw_maximum == 155
    assert sheet.score == 100
    assert sheet.zz_class is ZzClass.A
    assert sheet.recommendation == "recommended"


def test_tiers_thresholds_and_points(card: s.ScorecardEntry) -> None:
    values = with_value(full_marks(card), "eco_green_factory", "provincial")
    values = with_value(values, "nrg_new_energy_vehicles", 80.0)  # not more than 80 %
    values = with_value(values, "env_monitoring", 1.5)
    sheet = score_round(card, [subject("1", values)])[0]
    points = {item.indicator: item.points for item in sheet.indicators}
    assert points["eco_green_factory"] == 5
    assert points["nrg_new_energy_vehicles"] == 0
    assert points["env_monitoring"] == 1.5
    assert sheet.dimension_points["economy"] == 30 and sheet.dimension_points["energy"] == 35


def test_ranking_indicators_score_by_rank_in_the_industry(card: s.ScorecardEntry) -> None:
    base = full_marks(card)
    subjects = [
        subject("1", with_value(base, "eco_tax_per_mu", 30.0)),
        subject("2", with_value(base, "eco_tax_per_mu", 20.0)),
        subject("3", with_value(base, "eco_tax_per_mu", 20.0)),
        subject("4", with_value(base, "eco_tax_per_mu", 10.0)),
        subject("5", with_value(base, "eco_tax_per_mu", 99.0), industry="glass"),  # another peer group
    ]
    sheets = {sheet.key: sheet for sheet in score_round(card, subjects)}
    tax = {key: next(i for i in sheet.indicators if i.indicator == "eco_tax_per_mu") for key, sheet in sheets.items()}
    assert [tax[k].rank for k in "12345"] == [(1, 4), (2, 4), (2, 4), (4, 4), (1, 1)]
    assert [tax[k].points for k in "12345"] == [5, 3.75, 3.75, 1.25, 5]  # 5 × (n − r + 1) / n
    assert tax["1"].provisional


def test_sources_precedence_and_disagreement(card: s.ScorecardEntry) -> None:
    later = T0 + dt.timedelta(days=1)
    values = [
        SourcedValue("env_permit", DataSource.DECLARED, True, "企业", T0),
        SourcedValue("env_permit", DataSource.DEPARTMENT, False, "生态环境局", T0),
        SourcedValue("env_fugitive", DataSource.DECLARED, 10.0, "企业", T0),
        SourcedValue("env_fugitive", DataSource.DEPARTMENT, 8.0, "生态环境局", T0),
        SourcedValue("env_fugitive", DataSource.ONSITE, 6.0, "专家", T0),
        SourcedValue("env_fugitive", DataSource.ONSITE, 7.0, "专家", later),  # a later check replaces an earlier one
        SourcedValue("saf_assessment", DataSource.DECLARED, True, "企业", T0),
        SourcedValue("saf_assessment", DataSource.ONSITE, True, "专家", T0),
    ]
    resolved = resolve(card, values)
    assert resolved["env_permit"][0].source is DataSource.DEPARTMENT
    assert [v.value for v in resolved["env_permit"][1]] == [True]
    chosen, others = resolved["env_fugitive"]
    assert (chosen.source, chosen.value, chosen.at) == (DataSource.ONSITE, 7.0, later)
    assert [(v.source, v.value) for v in others] == [(DataSource.DEPARTMENT, 8.0), (DataSource.DECLARED, 10.0)]
    assert resolved["saf_assessment"][1] == ()  # agreeing sources are no disagreement
    sheet = score_round(card, [subject("1", values)])[0]
    points = {item.indicator: item.points for item in sheet.indicators}
    assert points["env_permit"] == 0 and points["env_fugitive"] == 7


def test_class_rule_a_then_b_then_c_split(card: s.ScorecardEntry) -> None:
    base = full_marks(card)
    missing_a = with_value(base, "nrg_clean_transport", False)  # an A condition only
    missing_b = with_value(base, "env_fugitive", 5.0)  # a B condition (8 points) missed
    low = missing_b
    for indicator in ("env_outside_built_up", "nrg_clean_transport", "nrg_iso50001"):
        low = with_value(low, indicator, False)
    for indicator in ("nrg_efficiency_leader", "eco_green_factory"):
        low = with_value(low, indicator, "none")
    low = with_value(low, "nrg_new_energy_vehicles", 50.0)
    sheets = {
        s_.key: s_
        for s_ in score_round(
            card,
            [
                subject("a", base),
                subject("b", missing_a),
                subject("c1", missing_b),
                subject("c2", low),
                subject("x", base, industry="stone_processing"),
            ],
        )
    }
    assert sheets["a"].zz_class is ZzClass.A
    assert sheets["b"].zz_class is ZzClass.B and "铁路运输" in sheets["b"].class_reasons[0]
    assert sheets["c1"].zz_class is ZzClass.C1 and sheets["c1"].score >= card.classes.c1_min_score
    assert sheets["c2"].score < card.classes.c1_min_score and sheets["c2"].zz_class is ZzClass.C2
    assert sheets["x"].zz_class is None  # outside both lists (ZZ-4 last sentence)
    assert sheets["x"].control == {}


def test_red_line_excludes_from_a_b_and_recommendation(card: s.ScorecardEntry) -> None:
    sheet = score_round(
        card, [subject("1", full_marks(card), red_lines=("department_list:偷排",), onsite_checked=True)]
    )[0]
    assert sheet.score == 100
    assert sheet.zz_class is ZzClass.C2 and "红线企业" in sheet.class_reasons[0]
    assert sheet.recommendation == "not_eligible"


def test_more_than_90_is_recommended_after_the_onsite_check(card: s.ScorecardEntry) -> None:
    # 155 × 0.9 = 139.5 raw points make exactly 90.0: not "超过90分"
    exactly_90 = with_value(full_marks(card), "env_organised_treatment", 0.0)
    exactly_90 = with_value(exactly_90, "env_fugitive", 4.5)
    over_90 = with_value(full_marks(card), "env_organised_treatment", 0.0)
    over_90 = with_value(over_90, "env_fugitive", 5.0)
    sheets = {
        x.key: x
        for x in score_round(
            card,
            [
                subject("90", exactly_90, onsite_checked=True),
                subject("over", over_90),
                subject("checked", over_90, onsite_checked=True),
            ],
        )
    }
    assert sheets["90"].score == 90 and sheets["90"].recommendation == "not_eligible"
    assert sheets["over"].score > 90 and sheets["over"].recommendation == "awaiting_onsite"
    assert sheets["checked"].recommendation == "recommended"


def test_non_reporters_get_the_lowest_class_and_false_data_lowers_it(card: s.ScorecardEntry) -> None:
    sheets = {
        x.key: x
        for x in score_round(
            card,
            [
                subject("late", full_marks(card), reported=False, onsite_checked=True),
                subject("false", full_marks(card), false_data=True),
            ],
        )
    }
    assert sheets["late"].zz_class is ZzClass.C2 and sheets["late"].recommendation == "not_eligible"
    assert sheets["false"].zz_class is ZzClass.B and "弄虚作假" in sheets["false"].class_reasons[-1]


def test_control_ratios_by_class_and_rank(card: s.ScorecardEntry) -> None:
    base = with_value(full_marks(card), "env_fugitive", 5.0)  # C
    worse = with_value(base, "env_outside_built_up", False)
    worst = with_value(worse, "eco_green_factory", "none")
    sheets = score_round(
        card, [subject("2", worse), subject("1", base), subject("3", worst), subject("a", full_marks(card))]
    )
    by_key = {x.key: x for x in sheets}
    c2 = card.control.classes["C2"]
    ranked = [x.key for x in sheets if x.zz_class is ZzClass.C2]
    if len(ranked) > 1:
        assert by_key[ranked[0]].control[AlertLevel.RED] == c2.least[AlertLevel.RED]
        assert by_key[ranked[-1]].control[AlertLevel.RED] == c2.most[AlertLevel.RED]
    a = card.control.classes["A"]
    assert by_key["a"].control == {level: a.least[level] for level in AlertLevel}
    assert by_key["a"].control[AlertLevel.ORANGE] == 0  # A: exempt from orange (四（二）奖惩政策)
    for sheet in sheets:
        assert sheet.rank_in_class is not None


def test_investment_pre_assessment(card: s.ScorecardEntry) -> None:
    stated = {
        v.indicator: v.value for v in full_marks(card) if v.indicator not in ("eco_tax_per_mu", "eco_added_value")
    }
    good = pre_assess(card, "cement", stated)
    assert good.admitted and good.band is not None and good.score == round(147 / 155 * 100, 1)
    poor = pre_assess(card, "cement", {"env_permit": True, "saf_assessment": True})
    assert not poor.admitted and "不予引进" in poor.reason_zh
    with pytest.raises(ScoreInputError):
        pre_assess(card, "cement", {"env_monitoring": 4.0})


@pytest.mark.parametrize(
    ("indicator", "value", "message"),
    [
        ("env_monitoring", 3.5, "超出范围 0–3 分"),
        ("env_monitoring", -1, "超出范围"),
        ("env_permit", 1.0, "是/否"),
        ("eco_green_factory", "county", "国家级绿色工厂"),
        ("nrg_new_energy_vehicles", 120, "0–100"),
        ("eco_tax_per_mu", "many", "数字"),
        ("eco_tax_per_mu", float("nan"), "有限"),
        ("nope", True, "没有指标"),
    ],
)
def test_bad_values_are_refused_with_the_reason(
    card: s.ScorecardEntry, indicator: str, value: object, message: str
) -> None:
    with pytest.raises(ScoreInputError) as caught:
        check_value(card, indicator, value)
    assert message in caught.value.message


def test_a_value_without_a_source_is_refused(card: s.ScorecardEntry) -> None:
    with pytest.raises(ScoreInputError, match="缺少数据来源"):
        resolve(card, [SourcedValue("env_permit", "", True, "企业", T0)])  # type: ignore[arg-type]


# ---------------------------------------------------------------- golden round


def golden_subjects(card: s.ScorecardEntry) -> list[EnterpriseValues]:
    base = full_marks(card)
    dept = [SourcedValue(v.indicator, DataSource.DEPARTMENT, v.value, "部门", T0) for v in base[:8]]
    return [
        subject("g1", [*base, SourcedValue("env_fugitive", DataSource.ONSITE, 9.0, "专家", T0)], onsite_checked=True),
        subject("g2", with_value(base, "nrg_clean_transport", False) + dept),
        subject("g3", with_value(with_value(base, "env_fugitive", 6.0), "eco_tax_per_mu", 3.0)),
        subject("g4", with_value(base, "env_outside_built_up", False), red_lines=("monitoring_finding:颗粒物超标",)),
        subject("g5", with_value(base, "eco_added_value", 5.0), reported=False),
        subject("g6", base, industry="stone_processing"),
    ]


def serialise(sheets: list) -> list[dict[str, object]]:  # type: ignore[type-arg]
    return [
        {
            "key": x.key,
            "score": x.score,
            "raw": x.raw_total,
            "dimensions": x.dimension_points,
            "class": x.zz_class.value if x.zz_class else None,
            "recommendation": x.recommendation,
            "control": {level.value: ratio for level, ratio in x.control.items()},
            "points": {i.indicator: i.points for i in x.indicators},
            "chosen": {i.indicator: i.chosen.source.value for i in x.indicators if i.chosen},
        }
        for x in sheets
    ]


def test_golden_round(card: s.ScorecardEntry) -> None:
    got = serialise(score_round(card, golden_subjects(card)))
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(got, ensure_ascii=False, indent=1) + "\n", "utf-8")
    assert got == json.loads(GOLDEN.read_text("utf-8"))
