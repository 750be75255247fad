"""The rule-book data format (REQ G-1…G-7): Pydantic models for every YAML file, unknown keys refused.

The YAML chooses and parameterises checks from a closed vocabulary (`CheckKind`); it never holds expressions.
`airgrade rules schema` prints the JSON Schema of these models.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StringConstraints,
    field_validator,
    model_validator,
)

from airgrade.core.measures import Measure
from airgrade.core.types import AlertLevel, EmissionStage, Grade

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=80)]
RegionCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Provenance(StrEnum):
    """How far a value can be trusted (ARCHITECTURE 'Rule data')."""

    OFFICIAL = "official"  # taken from the official text
    SECONDARY = "secondary"  # from a re-publication (government / trade re-post, local rule, vendor page)
    PROVISIONAL = "provisional"  # no public source found: a placeholder for the administrator to confirm


class Source(_Strict):
    """Where a value comes from: document number, section, provenance, and (provisional) what it rests on.

    An official or secondary value names its document. A provisional value comes from no section of any document,
    so it names none: `note` says what the belief rests on, and `document` may name a text it leans on (a standard,
    a neighbouring chapter), never a section it was not taken from.
    """

    document: str = ""
    section: str = ""
    provenance: Provenance
    url: str = ""
    note: str = ""

    @model_validator(mode="after")
    def _cited_or_reasoned(self) -> Source:
        if self.provenance is Provenance.PROVISIONAL:
            if self.section:
                raise ValueError("暂定值（provisional）并非出自某一章节，不能写 section；在 note 中说明依据")
            if not self.note.strip():
                raise ValueError("暂定值（provisional）须在 note 中说明依据 (what it rests on)")
        elif not self.document.strip():
            raise ValueError("official / secondary 来源须写明文件 document")
        return self

    @property
    def provisional(self) -> bool:
        return self.provenance is Provenance.PROVISIONAL


class Aspect(StrEnum):
    """Indicator aspects of the guide (REQ G-3)."""

    ENERGY = "energy"
    EQUIPMENT = "equipment"
    MATERIALS = "materials"
    TREATMENT = "treatment"
    EMISSION_LIMITS = "emission_limits"
    FUGITIVE = "fugitive"
    MONITORING = "monitoring"
    MANAGEMENT = "management"
    TRANSPORT_MODE = "transport_mode"
    TRANSPORT_SUPERVISION = "transport_supervision"

    @property
    def label_zh(self) -> str:
        return ASPECT_LABELS_ZH[self]


# Chinese names of the category values that category facts take (treatment technologies, kiln types, moulding
# lines): rule files and facts use the codes, people read these. A code missing here is shown as the code.
CATEGORY_LABELS_ZH: dict[str, str] = {
    "automatic_line": "自动化生产线", "mechanised": "机械化", "manual": "手工", "die_casting": "压铸",
    "bag_filter": "袋式除尘", "cartridge_filter": "滤筒除尘", "wet_esp": "湿式电除尘", "esp_bag_hybrid": "电袋复合除尘",
    "esp": "静电除尘", "dust_tower": "除尘塔", "wet_scrubber": "湿法除尘", "cyclone": "旋风除尘", "none": "无",
    "limestone_gypsum": "石灰石-石膏法", "dual_alkali": "双碱法", "other": "其他",
    "rto": "蓄热燃烧（RTO）", "rco": "蓄热催化燃烧（RCO）", "thermal_oxidation": "热力焚烧",
    "concentration_combustion": "浓缩+燃烧", "regenerated_activated_carbon": "活性炭吸附+脱附再生",
    "activated_carbon": "活性炭吸附（一次性）", "absorption": "吸收法", "condensation_recovery": "冷凝回收",
    "photolysis_or_plasma": "光氧化/低温等离子", "tunnel": "隧道窑", "roller": "辊道窑", "hoffman": "轮窑",
    "wet_fgd_wet_esp": "湿法脱硫+湿式电除尘", "semidry_or_dry_fgd_bag": "半干/干法脱硫+袋式除尘",
}  # fmt: skip


def category_label(code: object) -> str:
    return CATEGORY_LABELS_ZH.get(str(code), str(code))


ASPECT_LABELS_ZH = {
    Aspect.ENERGY: "能源类型",
    Aspect.EQUIPMENT: "装备水平/生产工艺",
    Aspect.MATERIALS: "原辅材料",
    Aspect.TREATMENT: "污染治理技术",
    Aspect.EMISSION_LIMITS: "排放限值",
    Aspect.FUGITIVE: "无组织排放",
    Aspect.MONITORING: "监测监控水平",
    Aspect.MANAGEMENT: "环境管理水平",
    Aspect.TRANSPORT_MODE: "运输方式",
    Aspect.TRANSPORT_SUPERVISION: "运输监管",
}


class CheckKind(StrEnum):
    """The closed vocabulary of checks; each is implemented in airgrade.core.grading.checks."""

    MAX = "max"  # observed number <= required
    MIN = "min"  # observed number >= required
    AT_LEAST_SHARE = "at_least_share"  # observed share (0–100 %) >= required share
    IN_SET = "in_set"  # observed category is one of the required categories
    TRUE = "true"  # observed yes/no fact is yes
    STAGE_AT_LEAST = "stage_at_least"  # observed (worst) emission stage is at least the required stage
    ALL_OF = "all_of"  # every listed part meets its own requirement
    ANY_OF = "any_of"  # at least one listed part meets its own requirement


COMPOSITE_CHECKS = frozenset({CheckKind.ALL_OF, CheckKind.ANY_OF})


class FactType(StrEnum):
    NUMBER = "number"
    SHARE = "share"  # a percentage 0–100
    BOOL = "bool"
    STAGE = "stage"  # an EmissionStage
    CATEGORY = "category"  # one of `categories`


# Which fact types each simple check accepts; the loader refuses any other pairing.
CHECK_FACT_TYPES: dict[CheckKind, frozenset[FactType]] = {
    CheckKind.MAX: frozenset({FactType.NUMBER, FactType.SHARE}),
    CheckKind.MIN: frozenset({FactType.NUMBER}),
    CheckKind.AT_LEAST_SHARE: frozenset({FactType.SHARE}),
    CheckKind.IN_SET: frozenset({FactType.CATEGORY}),
    CheckKind.TRUE: frozenset({FactType.BOOL}),
    CheckKind.STAGE_AT_LEAST: frozenset({FactType.STAGE}),
}


class Scale(StrEnum):
    """Grade sets (REQ G-2)."""

    ABCD = "abcd"  # A, B, C, D
    ABCD_B_MINUS = "abcd_b_minus"  # A, B, B-, C, D
    ABC = "abc"  # simple industries: A, B, C
    LEADING = "leading"  # 引领性, 非引领性

    @property
    def grades(self) -> tuple[Grade, ...]:
        """Best first; the last is the floor, reached without meeting anything."""
        return SCALE_GRADES[self]


SCALE_GRADES: dict[Scale, tuple[Grade, ...]] = {
    Scale.ABCD: (Grade.A, Grade.B, Grade.C, Grade.D),
    Scale.ABCD_B_MINUS: (Grade.A, Grade.B, Grade.B_MINUS, Grade.C, Grade.D),
    Scale.ABC: (Grade.A, Grade.B, Grade.C),
    Scale.LEADING: (Grade.LEADING, Grade.NON_LEADING),
}


# ---------------------------------------------------------------- common/


class GradeDefinition(_Strict):
    """One grade and the dates it exists (REQ G-7): A+ from 2026, the others since the guide that brought them."""

    code: Grade
    order: int = Field(ge=0)
    label_zh: str
    label_en: str
    colour: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    description_zh: str = ""
    effective: dt.date
    until: dt.date | None = None  # exclusive
    source: Source

    def in_force(self, as_of: dt.date) -> bool:
        return self.effective <= as_of and (self.until is None or as_of < self.until)


class GradesFile(_Strict):
    grades: list[GradeDefinition]


class PollutantDefinition(_Strict):
    code: str
    label_zh: str
    label_en: str


class PollutantsFile(_Strict):
    pollutants: list[PollutantDefinition]


class UnitDefinition(_Strict):
    code: str  # what YAML and input files write, ASCII ("mg/m3")
    symbol: str  # what pages show ("mg/m³")
    dimension: str  # units of one dimension convert into each other
    factor: float = Field(gt=0)  # value_in_canonical = value * factor; the canonical unit has factor 1


class UnitsFile(_Strict):
    units: list[UnitDefinition]


ReductionPercent = Annotated[float, Field(ge=0, le=100)]


class AlertLevelDefinition(_Strict):
    code: AlertLevel
    label_zh: str
    response: Literal["I", "II", "III"]
    colour: str = Field(pattern=r"^#[0-9a-fA-F]{6}$")
    effective: dt.date  # from when the national regional shares apply (REQ G-7)
    # pollutant code -> minimum cut of the region's total in % (REQ G-6); every pollutant named
    regional_reduction_percent: dict[str, ReductionPercent]
    source: Source


class AlertLevelsFile(_Strict):
    alert_levels: list[AlertLevelDefinition]


class Authority(StrEnum):
    PROVINCE = "province"
    MINISTRY = "ministry"


class DesignationRule(_Strict):
    """A designation on top of a computed grade (A+ over A, REQ G-8): who proposes and decides it, on what
    conditions, and which grade's measures it takes at least."""

    grade: Grade
    over: Grade
    proposed_by: Authority
    decided_by: Authority
    conditions_zh: list[str] = Field(min_length=1)
    min_stable_years: int = Field(ge=0)  # years of stable operation of the leading equipment or technology
    measures_as: Grade  # at least this grade's measures during alerts
    source: Source
    measures_source: Source


class OpenQuestion(_Strict):
    """Something the framework's public text leaves open, and what the rule book does meanwhile (provisional)."""

    topic_zh: str
    source: Source


class FrameworkEntry(_Strict):
    """The national framework in force over a period (the 2020 guide, the 2026 opinion): the grades that exist,
    the designations on top of them, and what the text leaves open (REQ G-7, G-8)."""

    code: Identifier
    name_zh: str
    effective: dt.date
    until: dt.date | None = None
    source: Source
    grades: list[Grade] = Field(min_length=1)  # grades the text itself names
    # grades kept although the text does not say whether they survive, each with its reason (provisional)
    provisional_grades: dict[Grade, Source] = {}
    designations: list[DesignationRule] = []
    open_questions: list[OpenQuestion] = []


class FrameworkFile(_Strict):
    frameworks: list[FrameworkEntry] = Field(min_length=1)


class CapRule(_Strict):
    """One cap on a computed grade (REQ LC-6, LC-13, SJZ-5): what triggers it and what it does."""

    code: Identifier
    when: Literal["not_declared", "falsified", "concealed", "bribery", "tampered_gate_data", "prior_year_violations"]
    effect: Literal["lowest_grade", "no_top_tier"]
    label_zh: str
    detail_zh: str
    requirements: list[str] = Field(min_length=1)


class ViolationList(_Strict):
    source: Source
    reasons: list[Identifier] = Field(min_length=1)


class ApplicationBanRule(_Strict):
    source: Source
    days: int = Field(gt=0)
    downgrade_reasons: list[Identifier] = Field(min_length=1)
    requirements: list[str] = Field(min_length=1)


class DaysRule(_Strict):
    source: Source
    days: int = Field(gt=0)


class RatioRule(_Strict):
    source: Source
    ratio: str = Field(pattern=r"^[0-9]+/[0-9]+$")


class SmallMicroRule(_Strict):
    """Who counts as a small or micro air-emitting enterprise (小微涉气企业, REQ SJZ-11): emissions strictly below
    these limits (with no coal or oil, one simple pollutant, nothing toxic or odorous)."""

    source: Source
    annual_limit_kg: float = Field(gt=0)
    seasonal_daily_limit_kg: float = Field(gt=0)
    requirements: list[str] = []


CampaignKind = Literal["annual", "monthly"]
StageActor = Literal["enterprise", "county", "city", "province"]


class CampaignStage(_Strict):
    code: str
    name_zh: str
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> CampaignStage:
        if self.end < self.start:
            raise ValueError(f"阶段 {self.code} 的结束日期早于开始日期")
        return self


class Milestone(_Strict):
    code: str
    name_zh: str
    due: dt.datetime  # Beijing time (Asia/Shanghai)
    by: StageActor


class IndustryBatch(_Strict):
    order: int
    code: str
    name_zh: str
    families: tuple[str, ...]
    includes_guarantee: bool = False
    due: dt.datetime


class CampaignTemplate(_Strict):
    """A campaign calendar a seed document fixes (评级批次模板): stages, deadlines, industry batches, with the
    document it comes from (REQ H21-4, H23-7, LC-8, SJZ-12). A campaign copies it, shifted to its own year."""

    code: str
    name_zh: str
    region: RegionCode
    kind: CampaignKind
    req: str
    source: Source
    application_deadline: dt.datetime | None = None
    dynamic_adjustment_due: dt.datetime | None = None
    stages: tuple[CampaignStage, ...] = Field(min_length=1)
    milestones: tuple[Milestone, ...] = ()
    batches: tuple[IndustryBatch, ...] = ()
    gaps: tuple[str, ...] = ()  # what the seed leaves open

    @model_validator(mode="after")
    def _batches_in_order(self) -> CampaignTemplate:
        orders = [batch.order for batch in self.batches]
        if orders != sorted(orders) or len(set(orders)) != len(orders):
            raise ValueError(f"模板 {self.code} 的行业批次顺序须递增且不重复")
        return self

    def shifted_to(self, year: int) -> CampaignTemplate:
        """The same calendar in another year (a campaign repeated annually keeps its month/day deadlines)."""
        delta = year - self.stages[0].start.year

        def move_date(value: dt.date) -> dt.date:
            return value.replace(year=value.year + delta)

        def move(value: dt.datetime | None) -> dt.datetime | None:
            return value.replace(year=value.year + delta) if value is not None else None

        return self.model_copy(
            update={
                "application_deadline": move(self.application_deadline),
                "dynamic_adjustment_due": move(self.dynamic_adjustment_due),
                "stages": tuple(
                    s.model_copy(update={"start": move_date(s.start), "end": move_date(s.end)}) for s in self.stages
                ),
                "milestones": tuple(m.model_copy(update={"due": move(m.due)}) for m in self.milestones),
                "batches": tuple(b.model_copy(update={"due": move(b.due)}) for b in self.batches),
            }
        )


class PolicyEntry(_Strict):
    """Procedure rules in force over a period: caps, the application ban, deadlines, the B sample, the campaign
    calendars (REQ G-7)."""

    effective: dt.date
    until: dt.date | None = None
    source: Source
    caps: list[CapRule] = Field(min_length=1)
    prior_year_violations: ViolationList
    application_ban: ApplicationBanRule
    objection_response_days: DaysRule
    b_sample_ratio: RatioRule
    small_micro: SmallMicroRule
    campaign_templates: list[CampaignTemplate] = []

    @model_validator(mode="after")
    def _unique_templates(self) -> PolicyEntry:
        codes = [template.code for template in self.campaign_templates]
        if len(set(codes)) != len(codes):
            raise ValueError("批次模板代码重复 (duplicate campaign template code)")
        return self


class PolicyFile(_Strict):
    policy: list[PolicyEntry] = Field(min_length=1)


class StageSetRule(_Strict):
    """A set of emission stages with the standard (or document) that defines them."""

    source: Source
    stages: list[EmissionStage] = Field(min_length=1)


class MonthsRule(_Strict):
    source: Source
    months: int = Field(gt=0)


class PercentRule(_Strict):
    source: Source
    percent: float = Field(gt=0, le=100)


class MinutesRule(_Strict):
    source: Source
    minutes: int = Field(ge=0)


class RangeRule(_Strict):
    source: Source
    min: int = Field(gt=0)
    max: int = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> RangeRule:
        if self.min > self.max:
            raise ValueError("min 不能大于 max")
        return self


class LedgerFactsRule(_Strict):
    """When the gate ledger's figures become a declaration's grading facts (issue 11 §4; REQ SJZ-5, H23-6): which
    facts, over which period before the declaration (days up to its submission), which value wins, and the share of
    the period's days the ledger must cover for its figures to count at all."""

    source: Source
    facts: list[str] = Field(min_length=1)
    precedence: Literal["ledger", "declared"]
    period_days: int = Field(gt=0)
    min_coverage_percent: float = Field(gt=0, le=100)


class GateLedgerEntry(_Strict):
    """Gate-ledger rules in force over a period (issue 11; REQ SJZ-5, SJZ-6, H23-6): which road-truck stages count
    as clean, which stages each register admits, retention, the completeness goal, the inspectors' sample and
    baseline days, and how far in the future a gate clock may run before a record is flagged."""

    effective: dt.date
    until: dt.date | None = None
    source: Source
    clean_road_stages: StageSetRule
    road_stages: StageSetRule
    inplant_stages: StageSetRule
    nonroad_stages: StageSetRule
    ledger_retention: MonthsRule
    video_retention: MonthsRule
    completeness_goal: PercentRule
    future_tolerance: MinutesRule
    inspection_sample: RangeRule
    baseline_days: RangeRule
    ledger_facts: LedgerFactsRule


class GatesFile(_Strict):
    gate_ledger: list[GateLedgerEntry] = Field(min_length=1)


class RateFloorRule(_Strict):
    source: Source
    kg_per_hour: float = Field(ge=0)


class EnergyFloorRule(_Strict):
    source: Source
    kwh_per_hour: float = Field(ge=0)


class StepsRule(_Strict):
    source: Source
    steps: int = Field(gt=0)


class AlertVerificationEntry(_Strict):
    """How alert execution is verified against online monitoring and electricity use (issue 12; REQ H23-6): the
    baseline days, the data coverage a verdict needs, the tolerance on the expected drop, the share of a production
    cut that shows in electricity, the floors below which nothing was produced, and the downgrade step."""

    effective: dt.date
    until: dt.date | None = None
    source: Source
    baseline_days: RangeRule
    lookback_days: DaysRule
    min_coverage: PercentRule
    tolerance: PercentRule
    electricity_factor: PercentRule
    min_baseline_rate: RateFloorRule
    min_baseline_kwh: EnergyFloorRule
    downgrade_steps: StepsRule

    @model_validator(mode="after")
    def _baseline_fits(self) -> AlertVerificationEntry:
        if self.baseline_days.max > self.lookback_days.days:
            raise ValueError("baseline_days.max 不能大于 lookback_days.days")
        return self


class HoursRule(_Strict):
    source: Source
    hours: int = Field(ge=0)


class CrossCheckEntry(_Strict):
    """Cross-checks of online monitoring and electricity outside alerts (issue 12 item 4; REQ H23-6, H21-6): how many
    hours a month above the grade's emission limit, how many consecutive silent hours of an outlet monitor or of an
    electricity meter and how many
    consecutive no-production hours on a meter of a line declared running make a finding for the county. A finding
    needs MORE than the number of hours (the number itself is still tolerated)."""

    effective: dt.date
    until: dt.date | None = None
    source: Source
    exceedance_hours: HoursRule
    silence_hours: HoursRule
    meter_silence_hours: HoursRule
    idle_hours: HoursRule


class HolidayPeriod(_Strict):
    """One public holiday of the official calendar, first to last day off (放假), inclusive."""

    name: str
    first: dt.date
    last: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> HolidayPeriod:
        if self.last < self.first:
            raise ValueError(f"{self.name}：last 早于 first")
        return self


class HolidayYear(_Strict):
    """The State Council's holiday arrangement of one year (国务院办公厅关于某年部分节假日安排的通知): the days off, and
    the adjusted working days (调休上班) that fall on a weekend. Alert verification keeps the days off out of the
    baseline (issue 12 item 2); adjusted working days are working days."""

    year: int
    source: Source
    holidays: list[HolidayPeriod] = Field(min_length=1)
    working_days: list[dt.date] = Field(default_factory=list)

    @model_validator(mode="after")
    def _in_year(self) -> HolidayYear:
        days = [day for period in self.holidays for day in (period.first, period.last)] + list(self.working_days)
        # A period may start in the year before (a New Year holiday from 30 December); nothing lies two years away.
        if any(abs(day.year - self.year) > 1 for day in days):
            raise ValueError(f"{self.year} 年的节假日安排含有相隔过远的日期")
        off = {p.first + dt.timedelta(days=n) for p in self.holidays for n in range((p.last - p.first).days + 1)}
        if off & set(self.working_days):
            raise ValueError(f"{self.year} 年的调休上班日与放假日重叠")
        return self


class VerificationFile(_Strict):
    alert_verification: list[AlertVerificationEntry] = Field(min_length=1)
    cross_checks: list[CrossCheckEntry] = Field(min_length=1)
    holidays: list[HolidayYear] = Field(default_factory=list)


class FactDefinition(_Strict):
    key: Identifier
    label_zh: str
    label_en: str
    type: FactType
    unit: str | None = None  # a unit code; required for number and share facts
    categories: list[str] = []  # for category facts
    description_zh: str = ""


class FactsFile(_Strict):
    facts: list[FactDefinition]


def jurisdiction_covers(jurisdiction: str, region_code: str) -> bool:
    """National industries apply everywhere; a local one only inside the province that added it.

    A jurisdiction is a province code, so the two-digit prefix decides; not `regions.contains`, which raises on a
    malformed code, because the rule-book loader calls this on catalogue entries it is still reporting errors on.
    """
    return jurisdiction == "national" or region_code[:2] == jurisdiction[:2]


FAMILY_LABELS_ZH = {"metal": "金属类", "building_materials": "建材类", "vocs": "涉VOCs类", "local": "地方行业"}


class CatalogueEntry(_Strict):
    """One key industry of the catalogue (REQ G-1): the rule book's, the only industry type there is."""

    code: Identifier
    name_zh: str
    name_en: str
    family: Literal["metal", "building_materials", "vocs", "local"]
    jurisdiction: str  # "national" or a province code

    def applies_in(self, region_code: str) -> bool:
        return jurisdiction_covers(self.jurisdiction, region_code)

    @property
    def family_zh(self) -> str:
        return FAMILY_LABELS_ZH[self.family]


class IndustriesFile(_Strict):
    industries: list[CatalogueEntry]


# ---------------------------------------------------------------- industries/<code>/

# A required value for one grade. Simple checks: a number (max/min/at_least_share), a list of categories
# (in_set), `true` (true), a stage (stage_at_least). Composite checks: a mapping part id -> part value
# (a part left out is not required at that grade).
SimpleValue = StrictBool | StrictInt | StrictFloat | EmissionStage | list[str]
RequiredValue = SimpleValue | dict[str, SimpleValue]


def _check_from_yaml(value: Any) -> Any:
    # `check: true` unquoted reads as a YAML boolean; it can only mean the `true` check.
    return "true" if value is True else value


class IndicatorPart(_Strict):
    id: Identifier
    fact: Identifier
    check: CheckKind
    label_zh: str = ""

    _check = field_validator("check", mode="before")(_check_from_yaml)


class ThresholdEntry(_Strict):
    """The required values of one indicator per grade, in force from `effective` (until the next entry)."""

    effective: dt.date
    until: dt.date | None = None  # exclusive; omit to run until the next entry
    source: Source
    grade_sources: dict[Grade, Source] = {}  # where one grade's value has another source than `source`
    values: dict[Grade, RequiredValue]

    def source_of(self, grade: Grade) -> Source:
        return self.grade_sources.get(grade, self.source)


class IndicatorDefinition(_Strict):
    id: Identifier
    label_zh: str
    label_en: str
    aspect: Aspect
    check: CheckKind
    fact: Identifier | None = None  # simple checks
    parts: list[IndicatorPart] = []  # all_of / any_of
    unit: str | None = None
    gates: list[Grade]
    applies_if: Identifier | None = None  # a yes/no fact: the indicator applies only when it is yes
    thresholds: list[ThresholdEntry] = Field(min_length=1)
    note_zh: str = ""

    _check = field_validator("check", mode="before")(_check_from_yaml)


class ScaleChoice(_Strict):
    scale: Scale
    source: Source


class IndustryRulesFile(_Strict):
    """industries/<code>/indicators.yaml (or jurisdictions/<region>/industries/<code>/indicators.yaml)."""

    industry: Identifier
    scale: ScaleChoice
    scope_zh: str = ""
    facts: list[FactDefinition] = []  # industry-specific facts, besides common/facts.yaml
    indicators: list[IndicatorDefinition] = Field(min_length=1)


class MeasureTable(_Strict):
    """Measures per grade and alert level in force from `effective` (REQ G-5)."""

    effective: dt.date
    until: dt.date | None = None
    source: Source
    grades: dict[Grade, dict[AlertLevel, list[Measure]]]


class IndustryMeasuresFile(_Strict):
    industry: Identifier
    measures: list[MeasureTable] = Field(min_length=1)


# ---------------------------------------------------------------- jurisdictions/<region>/


class ThresholdOverride(_Strict):
    """A dated local change of one indicator's values for some grades."""

    industry: Identifier
    indicator: Identifier
    effective: dt.date
    until: dt.date | None = None
    source: Source
    grade_sources: dict[Grade, Source] = {}
    values: dict[Grade, RequiredValue]

    def source_of(self, grade: Grade) -> Source:
        return self.grade_sources.get(grade, self.source)


class MeasureOverride(_Strict):
    """A dated local replacement of the measures of some grades (whole alert-level tables per grade)."""

    industry: Identifier
    effective: dt.date
    until: dt.date | None = None
    source: Source
    grades: dict[Grade, dict[AlertLevel, list[Measure]]]


class RegionalReductionOverride(_Strict):
    """A dated local change of the regional cut one alert level requires, for the pollutants it names (REQ G-6)."""

    level: AlertLevel
    effective: dt.date
    until: dt.date | None = None
    source: Source
    percent: dict[str, ReductionPercent] = Field(min_length=1)


Percent = Annotated[Decimal, Field(ge=0, le=100)]


class FamilyTarget(_Strict):
    """A/B share target of one industry family (seed 000 附件1): the share the year before, the share to reach."""

    family: Literal["metal", "building_materials", "vocs", "local"]
    baseline_percent: Percent | None = None  # 附件1 "2020 年 A、B 级企业占比"; None where the seed gives "—"
    target_percent: Percent


class CityTarget(_Strict):
    """A/B share target of one city of the province (seed 000 附件2)."""

    region: RegionCode
    name_zh: str
    target_percent: Percent


class TargetSet(_Strict):
    """A province's dated A/B share targets (REQ H21-1): province-wide, per industry family and per city, which
    grades count as "A、B 级", whether D is to be eliminated, and the counting rule, each with its source."""

    code: Identifier
    name_zh: str
    year: int
    effective: dt.date
    until: dt.date | None = None
    due: dt.date  # the date the shares are to be reached (到 2021 年底)
    source: Source
    counted_grades: tuple[Grade, ...] = Field(min_length=1)
    counted_source: Source
    overall_percent: Percent
    eliminate_d: bool = False
    families: tuple[FamilyTarget, ...] = ()
    cities: tuple[CityTarget, ...] = ()
    counting_source: Source  # how a multi-industry enterprise counts (REQ G-4, LC-5)

    @model_validator(mode="after")
    def _unique(self) -> TargetSet:
        families = [target.family for target in self.families]
        if len(set(families)) != len(families):
            raise ValueError(f"目标 {self.code} 的行业类别重复 (duplicate family)")
        cities = [target.region for target in self.cities]
        if len(set(cities)) != len(cities):
            raise ValueError(f"目标 {self.code} 的城市重复 (duplicate city)")
        if len(set(self.counted_grades)) != len(self.counted_grades):
            raise ValueError(f"目标 {self.code} 的计入等级重复 (duplicate grade)")
        return self


class OverlayFile(_Strict):
    """jurisdictions/<region>/overlay.yaml: what a province or city changes (national → province → city)."""

    region: RegionCode
    name_zh: str
    thresholds: list[ThresholdOverride] = []
    measures: list[MeasureOverride] = []
    regional_reductions: list[RegionalReductionOverride] = []
    targets: list[TargetSet] = []  # A/B share targets (REQ H21-1); a province's
    note_zh: str = ""


# ---------------------------------------------------------------- jurisdictions/<city>/scorecard.yaml


class ScoreGroup(StrEnum):
    """The three kinds of indicator of every dimension of a point scorecard (REQ ZZ-1)."""

    PERFORMANCE = "performance"  # 绩效指标
    ACTION = "action"  # 行动指标
    LONG_TERM = "long_term"  # 长效机制指标

    @property
    def label_zh(self) -> str:
        return {"performance": "绩效指标", "action": "行动指标", "long_term": "长效机制指标"}[self.value]


class ScoreInput(StrEnum):
    """How an indicator turns its value into points: a closed vocabulary implemented in airgrade.core.scoring."""

    YES_NO = "yes_no"  # met → the indicator's points, else 0
    TIER = "tier"  # one of `tiers` (national / provincial title) → that tier's points; none → 0
    ABOVE = "above"  # a share in %: strictly above `threshold` → the points, else 0
    POINTS = "points"  # points awarded within 0…max by the industry table's criteria (附表), entered as points
    RANK = "rank"  # a figure ranked within the peer group; points by `rank_method`


class RankMethod(StrEnum):
    # rank r of n (1 = best) scores points × (n − r + 1) / n: the best full, every reporter something
    LINEAR = "linear"


class ScoreTier(_Strict):
    code: Identifier
    label_zh: str
    points: float = Field(gt=0)


class ScoreIndicator(_Strict):
    """One indicator of a scorecard: its points as the seed gives them and how its value scores."""

    id: Identifier
    label_zh: str
    group: ScoreGroup
    input: ScoreInput
    points: float = Field(ge=0)  # the most it scores (for tiers: the best tier)
    tiers: list[ScoreTier] = []
    threshold: float | None = None  # `above`: the share (%) to exceed
    higher_is_better: bool = True  # `rank`
    rank_method: RankMethod | None = None
    unit_zh: str = ""  # `rank` / `above`: what the figure is counted in
    # the department whose data usually carries it (环境, 能源, 交通, 安全, 土地, 税收…; REQ ZZ-2)
    department_zh: str = ""
    note_zh: str = ""
    source: Source

    @model_validator(mode="after")
    def _shape(self) -> ScoreIndicator:
        if self.input is ScoreInput.TIER:
            if len(self.tiers) < 2:
                raise ValueError("tier 指标至少两档 tiers")
            if max(tier.points for tier in self.tiers) != self.points:
                raise ValueError("tier 指标的 points 须等于最高一档的分值")
        elif self.tiers:
            raise ValueError("只有 tier 指标写 tiers")
        if (self.input is ScoreInput.ABOVE) != (self.threshold is not None):
            raise ValueError("above 指标须写 threshold，其他指标不写")
        if (self.input is ScoreInput.RANK) != (self.rank_method is not None):
            raise ValueError("rank 指标须写 rank_method，其他指标不写")
        return self


class ScoreDimension(_Strict):
    """One dimension (environment, economy, energy, safety) and its total as the seed states it, if it does."""

    code: Identifier
    label_zh: str
    max_points: float | None = None  # None: the seed gives no total (the sum of the indicators is used)
    source: Source
    indicators: list[ScoreIndicator] = Field(min_length=1)

    @property
    def indicator_total(self) -> float:
        return sum(indicator.points for indicator in self.indicators)


class Normalisation(_Strict):
    """How the raw points of all dimensions become the score that "> 90" is read on."""

    method: Literal["share_of_maximum"]  # score = raw / maximum raw × scale
    scale: float = Field(gt=0)
    decimals: int = Field(ge=0, le=4)
    source: Source


class Recommendation(_Strict):
    """绿色环保引领企业 pre-evaluation (REQ ZZ-5): a score above the threshold, after an expert on-site check."""

    threshold: float
    strictly_above: bool
    needs_onsite_check: bool
    source: Source


class SourcePrecedence(_Strict):
    """Which data source wins where sources disagree (REQ ZZ-2); first wins."""

    order: list[Literal["onsite", "department", "declared"]] = Field(min_length=3, max_length=3)
    source: Source

    @model_validator(mode="after")
    def _each_once(self) -> SourcePrecedence:
        if len(set(self.order)) != 3:
            raise ValueError("order 须包含 onsite、department、declared 各一次")
        return self


class RedLineReason(_Strict):
    code: Identifier
    label_zh: str


class RedLines(_Strict):
    """Red-line enterprises (违法违规, REQ ZZ-3): what marks one, and the class it gets."""

    reasons: list[RedLineReason] = Field(min_length=1)
    downgrade_reasons: list[Identifier] = []  # registry downgrade reasons that make a red line
    class_given: Literal["C1", "C2"]
    excluded_from_recommendation: bool
    source: Source
    class_source: Source


class ClassCondition(_Strict):
    indicator: Identifier
    min_points: float = Field(ge=0)


class ClassRule(_Strict):
    """A / B / C' / C'' (REQ ZZ-4): all A conditions → A; else all B → B; else C, split by `c1_min_score`."""

    a: list[ClassCondition] = Field(min_length=1)
    b: list[ClassCondition] = Field(min_length=1)
    c1_min_score: float  # C' (city benchmark) at or above this score, C'' below
    source: Source  # the rule itself
    conditions_source: Source  # which indicators, how many points
    split_source: Source
    # industries that get a class (guide industries + Zhengzhou's list); others get none (ZZ-4 last sentence)
    classified_industries: list[Identifier] = Field(min_length=1)
    listed_without_code_zh: list[str] = []  # industries of the seed's list the rule book has no code for
    industries_source: Source


class ClassControl(_Strict):
    """Curtailment (% of normal load) of one class at each alert level: the best-ranked of the class gets `least`,
    the worst `most`, the others in between by rank (REQ ZZ-5: 依据企业的排名、分类，确定…管控比例)."""

    policy_zh: str
    least: dict[AlertLevel, ReductionPercent]
    most: dict[AlertLevel, ReductionPercent]

    @model_validator(mode="after")
    def _every_level(self) -> ClassControl:
        for level in AlertLevel:
            if level not in self.least or level not in self.most:
                raise ValueError(f"缺少 {level.label_zh} 的管控比例")
            if self.least[level] > self.most[level]:
                raise ValueError(f"{level.label_zh} 的 least 大于 most")
        return self


class ControlRatios(_Strict):
    classes: dict[Literal["A", "B", "C1", "C2"], ClassControl]
    policy_source: Source
    ratio_source: Source

    @model_validator(mode="after")
    def _every_class(self) -> ControlRatios:
        if set(self.classes) != {"A", "B", "C1", "C2"}:
            raise ValueError("须给出 A、B、C1、C2 四类的管控比例")
        return self


class Integrity(_Strict):
    """REQ ZZ-7: non-reporters get the lowest class; false data lowers the class; results change only by decision."""

    non_reporter_class: Literal["C2"]
    non_reporter_source: Source
    false_data_steps: int = Field(ge=1)
    false_data_source: Source
    published_change_needs_decision: bool
    published_source: Source


class InvestmentBand(_Strict):
    code: Identifier
    label_zh: str
    min_score: float


class InvestmentRule(_Strict):
    """招商引资准入评价 (REQ ZZ-6): below `admission_score` not admitted; above, the band of the score."""

    admission_score: float
    bands: list[InvestmentBand] = Field(min_length=1)
    source: Source
    values_source: Source

    @model_validator(mode="after")
    def _bands_descending(self) -> InvestmentRule:
        scores = [band.min_score for band in self.bands]
        if scores != sorted(scores, reverse=True) or len(set(scores)) != len(scores):
            raise ValueError("bands 须按 min_score 从高到低且不重复")
        if scores[-1] < self.admission_score:
            raise ValueError("最低一档不能低于准入分数 admission_score")
        return self


class IndustryTable(_Strict):
    """One of the seed's industry tables (附表 1–15): its title, and its indicators where an administrator has
    entered them (the tables are not public)."""

    number: int = Field(ge=1)
    industry_zh: str
    industries: list[Identifier] = []
    indicators: list[ScoreIndicator] = []
    source: Source


class ScorecardEntry(_Strict):
    code: Identifier
    name_zh: str
    region: RegionCode
    effective: dt.date
    until: dt.date | None = None
    source: Source
    dimensions: list[ScoreDimension] = Field(min_length=1)
    normalisation: Normalisation
    recommendation: Recommendation
    precedence: SourcePrecedence
    red_lines: RedLines
    classes: ClassRule
    control: ControlRatios
    integrity: Integrity
    investment: InvestmentRule
    industry_tables: list[IndustryTable] = []
    gaps_zh: list[str] = []  # what the seed leaves open


class ScorecardFile(_Strict):
    """jurisdictions/<city>/scorecard.yaml: a city's point scorecard, dated (REQ ZZ-1 … ZZ-7)."""

    scorecards: list[ScorecardEntry] = Field(min_length=1)


def json_schemas() -> dict[str, Any]:
    """The JSON Schema of every rule-book file type, keyed by where the file lives."""
    return {
        "common/grades.yaml": GradesFile.model_json_schema(),
        "common/framework.yaml": FrameworkFile.model_json_schema(),
        "common/policy.yaml": PolicyFile.model_json_schema(),
        "common/pollutants.yaml": PollutantsFile.model_json_schema(),
        "common/units.yaml": UnitsFile.model_json_schema(),
        "common/alert_levels.yaml": AlertLevelsFile.model_json_schema(),
        "common/facts.yaml": FactsFile.model_json_schema(),
        "common/industries.yaml": IndustriesFile.model_json_schema(),
        "industries/<code>/indicators.yaml": IndustryRulesFile.model_json_schema(),
        "industries/<code>/measures.yaml": IndustryMeasuresFile.model_json_schema(),
        "jurisdictions/<region>/overlay.yaml": OverlayFile.model_json_schema(),
        "jurisdictions/<city>/scorecard.yaml": ScorecardFile.model_json_schema(),
    }
