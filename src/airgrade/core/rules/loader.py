"""Load and validate the whole rule book at once; report every error with file, YAML path and reason.

A rule book with any error never loads (no half-loaded state): `load_rulebook` raises `RuleBookError` carrying
every issue found, `check_rulebook` returns them.
"""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from airgrade.core.errors import AirgradeError
from airgrade.core.regions import RegionLevel, level_of
from airgrade.core.rules import schema as s
from airgrade.core.rules.rulebook import RuleBook
from airgrade.core.rules.yamlio import InputFileError, LoadedYaml, RuleIssue, decode_text, format_path, load_yaml
from airgrade.core.rules.yamlio import Path as YPath
from airgrade.core.types import AlertLevel, EmissionStage, Grade

DEFAULT_ROOT = Path(__file__).parent / "data"
# One rule-book file; the largest packaged one is ~60 KB.
MAX_RULE_FILE_BYTES = 4 * 1024 * 1024

COMMON_FILES: dict[str, type[BaseModel]] = {
    "grades.yaml": s.GradesFile,
    "framework.yaml": s.FrameworkFile,
    "policy.yaml": s.PolicyFile,
    "pollutants.yaml": s.PollutantsFile,
    "units.yaml": s.UnitsFile,
    "alert_levels.yaml": s.AlertLevelsFile,
    "facts.yaml": s.FactsFile,
    "industries.yaml": s.IndustriesFile,
    "gates.yaml": s.GatesFile,
    "verification.yaml": s.VerificationFile,
}

M = TypeVar("M", bound=BaseModel)

_PYDANTIC_MESSAGES = {
    "extra_forbidden": "未知的键 (unknown key)",
    "missing": "缺少必填的键 (missing key)",
    "date_parsing": "日期无效 (bad date)",
    "date_from_datetime_parsing": "日期无效 (bad date)",
    "date_from_datetime_inexact": "日期无效 (bad date)",
    "date_type": "日期无效 (bad date)",
}


class RuleBookError(AirgradeError):
    """The rule book has errors; `issues` lists every one."""

    def __init__(self, issues: list[RuleIssue]) -> None:
        self.issues = issues
        super().__init__(f"规则库有 {len(issues)} 处错误:\n" + "\n".join(str(issue) for issue in issues))


class _Collector:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.issues: list[RuleIssue] = []
        self.loaded: dict[str, LoadedYaml] = {}
        self.hasher = hashlib.sha256()

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()

    def issue(self, file: str, path: YPath, message: str) -> None:
        loaded = self.loaded.get(file)
        line = loaded.line_of(path) if loaded else None
        self.issues.append(RuleIssue(file, format_path(path), line, message))

    def read(self, path: Path, model: type[M]) -> M | None:
        file = self.rel(path)
        try:
            if path.stat().st_size > MAX_RULE_FILE_BYTES:
                raise InputFileError(file, "文件过大 (file too large)")
            raw = path.read_bytes()
            text = decode_text(raw, file)
        except OSError as error:
            self.issues.append(RuleIssue(file, "", None, f"无法读取文件 (cannot read): {error.strerror}", True))
            return None
        except InputFileError as error:
            self.issues.append(RuleIssue(file, "", None, error.message, unreadable=True))
            return None
        self.hasher.update(file.encode() + b"\0" + raw + b"\0")
        loaded, issues = load_yaml(text, file)
        self.issues.extend(issues)
        if loaded is None:
            return None
        self.loaded[file] = loaded
        try:
            return model.model_validate(loaded.data)
        except ValidationError as error:
            self._report_validation(file, loaded, error)
            return None

    def _report_validation(self, file: str, loaded: LoadedYaml, error: ValidationError) -> None:
        by_path: dict[YPath, list[str]] = {}
        for detail in error.errors():
            loc: YPath = tuple(detail["loc"])
            if detail["type"] != "missing":
                # Union members and tagged unions add their names to loc; keep the part that is in the file.
                while loc and loc not in loaded.lines:
                    loc = loc[:-1]
            message = _PYDANTIC_MESSAGES.get(detail["type"], detail["msg"])
            if detail["type"] == "enum":
                expected = detail.get("ctx", {}).get("expected", "")
                message = f"取值 {detail.get('input')!r} 无效，允许 {expected} (unknown value)"
            if detail["type"] == "extra_forbidden":
                message = f"未知的键 {loc[-1]!r} (unknown key)" if loc else message
            messages = by_path.setdefault(loc, [])
            if message not in messages:
                messages.append(message)
        for loc, messages in by_path.items():
            if len(messages) > 3:
                messages = [*messages[:3], "…"]
            self.issues.append(RuleIssue(file, format_path(loc), loaded.line_of(loc), " / ".join(messages)))


def check_rulebook(root: Path | None = None, overlays: list[Path] | None = None) -> list[RuleIssue]:
    """Every issue of the rule book under `root` (default: the packaged one), plus extra overlay files."""
    try:
        load_rulebook(root, overlays)
    except RuleBookError as error:
        return error.issues
    return []


def load_rulebook(root: Path | None = None, overlays: list[Path] | None = None) -> RuleBook:
    """Load, validate and cross-check the rule book; raises RuleBookError with every issue."""
    root = Path(root) if root is not None else DEFAULT_ROOT
    collector = _Collector(root)
    if not root.is_dir():
        raise RuleBookError([RuleIssue(str(root), "", None, "规则库目录不存在 (no such directory)")])

    common: dict[str, Any] = {}
    for name, model in COMMON_FILES.items():
        path = root / "common" / name
        if not path.is_file():
            collector.issue(f"common/{name}", (), "缺少文件 (missing file)")
            continue
        common[name] = collector.read(path, model)
    for extra in sorted((root / "common").glob("*")):
        if extra.name not in COMMON_FILES:
            collector.issue(collector.rel(extra), (), "规则库中不认识的文件 (unexpected file)")

    industry_dirs: dict[str, tuple[Path, str]] = {}  # code -> (folder, "national" | province code)
    for folder in sorted((root / "industries").glob("*")):
        industry_dirs[folder.name] = (folder, "national")
    overlay_paths: list[tuple[Path, str]] = []
    scorecard_paths: list[tuple[Path, str]] = []
    for region_dir in sorted((root / "jurisdictions").glob("*")):
        for folder in sorted((region_dir / "industries").glob("*")):
            if folder.name in industry_dirs:
                collector.issue(collector.rel(folder), (), f"行业 {folder.name} 重复定义 (industry defined twice)")
            industry_dirs[folder.name] = (folder, region_dir.name)
        overlay = region_dir / "overlay.yaml"
        if overlay.is_file():
            overlay_paths.append((overlay, region_dir.name))
        scorecard = region_dir / "scorecard.yaml"
        if scorecard.is_file():
            scorecard_paths.append((scorecard, region_dir.name))
        for extra in sorted(region_dir.glob("*")):
            if extra.name not in ("overlay.yaml", "scorecard.yaml", "industries"):
                collector.issue(collector.rel(extra), (), "规则库中不认识的文件 (unexpected file)")
    for extra_overlay in overlays or []:
        overlay_paths.append((Path(extra_overlay), ""))

    rules: dict[str, s.IndustryRulesFile] = {}
    measures: dict[str, s.IndustryMeasuresFile] = {}
    rule_files: dict[str, str] = {}
    measure_files: dict[str, str] = {}
    for code, (folder, _) in sorted(industry_dirs.items()):
        for name in sorted(p.name for p in folder.glob("*")):
            if name not in ("indicators.yaml", "measures.yaml"):
                collector.issue(collector.rel(folder / name), (), "规则库中不认识的文件 (unexpected file)")
        indicators_path, measures_path = folder / "indicators.yaml", folder / "measures.yaml"
        for path in (indicators_path, measures_path):
            if not path.is_file():
                collector.issue(collector.rel(path), (), "缺少文件 (missing file)")
        if indicators_path.is_file():
            rule_files[code] = collector.rel(indicators_path)
            parsed_rules = collector.read(indicators_path, s.IndustryRulesFile)
            if parsed_rules is not None:
                rules[code] = parsed_rules
        if measures_path.is_file():
            measure_files[code] = collector.rel(measures_path)
            parsed_measures = collector.read(measures_path, s.IndustryMeasuresFile)
            if parsed_measures is not None:
                measures[code] = parsed_measures

    overlay_models: list[tuple[s.OverlayFile, str, str]] = []
    for path, folder_region in overlay_paths:
        parsed_overlay = collector.read(path, s.OverlayFile)
        if parsed_overlay is not None:
            overlay_models.append((parsed_overlay, collector.rel(path), folder_region))

    scorecard_models: list[tuple[s.ScorecardFile, str, str]] = []
    for path, folder_region in scorecard_paths:
        parsed_scorecard = collector.read(path, s.ScorecardFile)
        if parsed_scorecard is not None:
            scorecard_models.append((parsed_scorecard, collector.rel(path), folder_region))

    if collector.issues or any(value is None for value in common.values()) or len(common) < len(COMMON_FILES):
        # Cross-checks need every file parsed; report what we have (nothing half-loads either way).
        _cross_check_partial(collector, common, rules, rule_files)
        raise RuleBookError(collector.issues)

    checker = _CrossChecker(collector, common)
    checker.check_catalogue(industry_dirs)
    for code, industry_rules in rules.items():
        checker.industry_rules(code, industry_rules, rule_files[code])
    for code, industry_measures in measures.items():
        checker.industry_measures(code, industry_measures, measure_files[code])
    for overlay_model, file, folder_region in overlay_models:
        checker.overlay(overlay_model, file, folder_region)
    for scorecard_model, file, folder_region in scorecard_models:
        checker.scorecard(scorecard_model, file, folder_region)
    if collector.issues:
        raise RuleBookError(collector.issues)

    return RuleBook(
        grades=tuple(common["grades.yaml"].grades),
        frameworks=tuple(common["framework.yaml"].frameworks),
        policy=tuple(common["policy.yaml"].policy),
        gate_ledger=tuple(common["gates.yaml"].gate_ledger),
        alert_verification=tuple(common["verification.yaml"].alert_verification),
        cross_checks=tuple(common["verification.yaml"].cross_checks),
        holidays=tuple(common["verification.yaml"].holidays),
        pollutants=tuple(common["pollutants.yaml"].pollutants),
        units={unit.code: unit for unit in common["units.yaml"].units},
        alert_levels=tuple(common["alert_levels.yaml"].alert_levels),
        common_facts={fact.key: fact for fact in common["facts.yaml"].facts},
        catalogue=tuple(common["industries.yaml"].industries),
        rules=rules,
        measures=measures,
        overlays=_merge_overlays(overlay_models),
        scorecards={folder: tuple(model.scorecards) for model, _, folder in scorecard_models},
        version=collector.hasher.hexdigest()[:16],
        files=dict(rule_files),
    )


def _merge_overlays(overlay_models: list[tuple[s.OverlayFile, str, str]]) -> dict[str, s.OverlayFile]:
    """Packaged overlays first; an extra (draft) overlay for the same region replaces what it names."""
    merged: dict[str, s.OverlayFile] = {}
    for overlay, _, _ in overlay_models:
        existing = merged.get(overlay.region)
        if existing is None:
            merged[overlay.region] = overlay
            continue
        named = {(change.industry, change.indicator) for change in overlay.thresholds}
        named_measures = {change.industry for change in overlay.measures}
        named_levels = {change.level for change in overlay.regional_reductions}
        named_targets = {target_set.code for target_set in overlay.targets}
        merged[overlay.region] = existing.model_copy(
            update={
                "thresholds": [c for c in existing.thresholds if (c.industry, c.indicator) not in named]
                + list(overlay.thresholds),
                "measures": [c for c in existing.measures if c.industry not in named_measures] + list(overlay.measures),
                "regional_reductions": [c for c in existing.regional_reductions if c.level not in named_levels]
                + list(overlay.regional_reductions),
                "targets": [t for t in existing.targets if t.code not in named_targets] + list(overlay.targets),
            }
        )
    return merged


def _cross_check_partial(
    collector: _Collector,
    common: dict[str, Any],
    rules: dict[str, s.IndustryRulesFile],
    rule_files: dict[str, str],
) -> None:
    """When some files failed to parse, still cross-check the industry files that did, if common/ is sound."""
    if len(common) < len(COMMON_FILES) or any(value is None for value in common.values()):
        return
    checker = _CrossChecker(collector, common)
    for code, industry_rules in rules.items():
        checker.industry_rules(code, industry_rules, rule_files[code])


class _CrossChecker:
    """References between files: facts, units, grades, industries, check kinds, dates."""

    def __init__(self, collector: _Collector, common: dict[str, Any]) -> None:
        self.c = collector
        self.units = {unit.code: unit for unit in common["units.yaml"].units}
        self.catalogue = {entry.code: entry for entry in common["industries.yaml"].industries}
        self.common_facts: dict[str, s.FactDefinition] = {}
        self.industry_facts: dict[str, dict[str, s.FactDefinition]] = {}
        self.scales: dict[str, s.Scale] = {}
        self.indicators: dict[str, dict[str, s.IndicatorDefinition]] = {}
        self._common(common)

    def _common(self, common: dict[str, Any]) -> None:
        grades_file = "common/grades.yaml"
        seen_grades = [definition.code for definition in common["grades.yaml"].grades]
        for grade in Grade:
            if seen_grades.count(grade) != 1:
                self.c.issue(grades_file, ("grades",), f"等级 {grade} 必须定义且仅定义一次 (grade defined ≠ once)")
        self._frameworks(common["framework.yaml"], common["grades.yaml"])
        policy_entries: list[tuple[YPath, Any, Any]] = [
            (("policy", index), entry.effective, entry.until)
            for index, entry in enumerate(common["policy.yaml"].policy)
        ]
        self._dates("common/policy.yaml", policy_entries)
        levels = [level.code for level in common["alert_levels.yaml"].alert_levels]
        for level in AlertLevel:
            if levels.count(level) != 1:
                self.c.issue("common/alert_levels.yaml", ("alert_levels",), f"预警级别 {level} 必须定义一次")
        pollutants = {pollutant.code for pollutant in common["pollutants.yaml"].pollutants}
        self.pollutants = pollutants
        for index, level_def in enumerate(common["alert_levels.yaml"].alert_levels):
            shares_path: YPath = ("alert_levels", index, "regional_reduction_percent")
            for pollutant in level_def.regional_reduction_percent:
                if pollutant not in pollutants:
                    self.c.issue(
                        "common/alert_levels.yaml",
                        (*shares_path, pollutant),
                        f"未知的污染物 {pollutant!r} (unknown pollutant)",
                    )
            for pollutant in sorted(pollutants - set(level_def.regional_reduction_percent)):
                self.c.issue(
                    "common/alert_levels.yaml",
                    shares_path,
                    f"缺少污染物 {pollutant} 的区域减排比例 (missing pollutant)",
                )
        seen_units: set[str] = set()
        for index, unit in enumerate(common["units.yaml"].units):
            if unit.code in seen_units:
                self.c.issue("common/units.yaml", ("units", index, "code"), f"重复的单位 {unit.code!r}")
            seen_units.add(unit.code)
        for index, fact in enumerate(common["facts.yaml"].facts):
            path: YPath = ("facts", index)
            if fact.key in self.common_facts:
                self.c.issue("common/facts.yaml", (*path, "key"), f"重复的事实 {fact.key!r} (duplicate fact)")
            self._fact_definition("common/facts.yaml", path, fact)
            self.common_facts[fact.key] = fact
        seen_codes: set[str] = set()
        for index, entry in enumerate(common["industries.yaml"].industries):
            if entry.code in seen_codes:
                self.c.issue("common/industries.yaml", ("industries", index, "code"), f"重复的行业 {entry.code!r}")
            seen_codes.add(entry.code)
            if entry.jurisdiction != "national" and not (
                len(entry.jurisdiction) == 6 and entry.jurisdiction.isdigit() and entry.jurisdiction.endswith("0000")
            ):
                self.c.issue(
                    "common/industries.yaml",
                    ("industries", index, "jurisdiction"),
                    "jurisdiction 须为 national 或省级行政区划代码 (national or a province code)",
                )

    def _frameworks(self, frameworks: s.FrameworkFile, grades: s.GradesFile) -> None:
        """Framework periods do not overlap; every grade a framework keeps exists when the framework starts;
        a designation sits on a grade of the framework and takes a kept grade's measures (REQ G-7, G-8)."""
        file = "common/framework.yaml"
        definitions = {definition.code: definition for definition in grades.grades}
        entries: list[tuple[YPath, Any, Any]] = []
        for index, framework in enumerate(frameworks.frameworks):
            path: YPath = ("frameworks", index)
            entries.append((path, framework.effective, framework.until))
            kept = [*framework.grades, *framework.provisional_grades]
            for grade in kept:
                definition = definitions.get(grade)
                if definition is not None and not definition.in_force(framework.effective):
                    self.c.issue(file, (*path, "grades"), f"等级 {grade} 在 {framework.effective} 尚未生效或已失效")
            for grade, source in framework.provisional_grades.items():
                if not source.provisional:
                    self.c.issue(
                        file, (*path, "provisional_grades", str(grade)), "provisional_grades 的来源须为 provisional"
                    )
            for position, rule in enumerate(framework.designations):
                rule_path: YPath = (*path, "designations", position)
                if rule.over not in framework.grades:
                    self.c.issue(file, (*rule_path, "over"), f"等级 {rule.over} 不在本框架的等级中")
                if rule.measures_as not in kept:
                    self.c.issue(file, (*rule_path, "measures_as"), f"等级 {rule.measures_as} 不在本框架的等级中")
                if rule.grade in kept:
                    self.c.issue(file, (*rule_path, "grade"), f"{rule.grade} 是认定等级，不能同时是评定等级")
                definition = definitions.get(rule.grade)
                if definition is not None and definition.effective > framework.effective:
                    self.c.issue(file, (*rule_path, "grade"), f"等级 {rule.grade} 在 {framework.effective} 尚未生效")
        self._dates(file, entries)

    def _fact_definition(self, file: str, path: YPath, fact: s.FactDefinition) -> None:
        if fact.type in (s.FactType.NUMBER, s.FactType.SHARE):
            if fact.unit is None:
                self.c.issue(file, path, f"数值事实 {fact.key} 须有单位 (number facts need a unit)")
            elif fact.unit not in self.units:
                self.c.issue(file, (*path, "unit"), f"未知的单位 {fact.unit!r} (unknown unit)")
            elif fact.type is s.FactType.SHARE and fact.unit != "%":
                self.c.issue(file, (*path, "unit"), "占比事实的单位须为 % (share facts are in %)")
        elif fact.unit is not None:
            self.c.issue(file, (*path, "unit"), f"{fact.type} 类事实没有单位 (this fact type has no unit)")
        if fact.type is s.FactType.CATEGORY and not fact.categories:
            self.c.issue(file, path, "类别事实须列出 categories (category facts list their categories)")

    def check_catalogue(self, industry_dirs: dict[str, tuple[Path, str]]) -> None:
        for code, (folder, where) in industry_dirs.items():
            entry = self.catalogue.get(code)
            file = self.c.rel(folder)
            if entry is None:
                self.c.issue(file, (), f"未知的行业 {code!r}: 不在 common/industries.yaml 中 (unknown industry)")
            elif entry.jurisdiction != where:
                self.c.issue(file, (), f"行业 {code} 属于 {entry.jurisdiction}，目录却在 {where} (wrong folder)")
        for code, entry in self.catalogue.items():
            if code not in industry_dirs:
                place = "industries" if entry.jurisdiction == "national" else f"jurisdictions/{entry.jurisdiction}"
                self.c.issue(
                    "common/industries.yaml",
                    ("industries",),
                    f"行业 {code} 缺少规则目录 {place}/industries/{code}/",
                )

    def industry_rules(self, code: str, rules: s.IndustryRulesFile, file: str) -> None:
        if rules.industry != code:
            self.c.issue(file, ("industry",), f"industry 应为目录名 {code!r} (must match the folder)")
        scale = rules.scale.scale
        self.scales[code] = scale
        facts: dict[str, s.FactDefinition] = dict(self.common_facts)
        for index, fact in enumerate(rules.facts):
            if fact.key in facts:
                self.c.issue(file, ("facts", index, "key"), f"事实 {fact.key!r} 已定义 (duplicate fact)")
            self._fact_definition(file, ("facts", index), fact)
            facts[fact.key] = fact
        self.industry_facts[code] = facts
        indicators: dict[str, s.IndicatorDefinition] = {}
        for index, indicator in enumerate(rules.indicators):
            path: YPath = ("indicators", index)
            if indicator.id in indicators:
                self.c.issue(file, (*path, "id"), f"重复的指标 {indicator.id!r} (duplicate indicator)")
            indicators[indicator.id] = indicator
            self._indicator(file, path, indicator, facts, scale)
        self.indicators[code] = indicators

    def _indicator(
        self,
        file: str,
        path: YPath,
        indicator: s.IndicatorDefinition,
        facts: dict[str, s.FactDefinition],
        scale: s.Scale,
    ) -> None:
        part_kinds: dict[str, tuple[s.CheckKind, s.FactDefinition | None]] = {}
        if indicator.check in s.COMPOSITE_CHECKS:
            if indicator.fact is not None:
                self.c.issue(file, (*path, "fact"), "组合检查用 parts，不用 fact (composite checks use parts)")
            if len(indicator.parts) < 2:
                self.c.issue(file, (*path, "parts"), "组合检查至少两个 parts (composite checks need ≥ 2 parts)")
            for index, part in enumerate(indicator.parts):
                part_path: YPath = (*path, "parts", index)
                if part.check in s.COMPOSITE_CHECKS:
                    self.c.issue(file, (*part_path, "check"), "parts 不能再嵌套组合检查 (no nested composites)")
                if part.id in part_kinds:
                    self.c.issue(file, (*part_path, "id"), f"重复的 part {part.id!r}")
                fact = self._fact_ref(file, (*part_path, "fact"), part.fact, part.check, facts)
                part_kinds[part.id] = (part.check, fact)
        else:
            if indicator.parts:
                self.c.issue(file, (*path, "parts"), "简单检查不用 parts (simple checks use fact)")
            if indicator.fact is None:
                self.c.issue(file, path, "缺少 fact (simple checks name a fact)")
                fact = None
            else:
                fact = self._fact_ref(file, (*path, "fact"), indicator.fact, indicator.check, facts)
            if indicator.unit is not None:
                if indicator.unit not in self.units:
                    self.c.issue(file, (*path, "unit"), f"未知的单位 {indicator.unit!r} (unknown unit)")
                elif fact is not None and fact.unit != indicator.unit:
                    self.c.issue(
                        file,
                        (*path, "unit"),
                        f"单位 {indicator.unit} 与事实的单位 {fact.unit} 不一致 (unit mismatch)",
                    )
            part_kinds[""] = (indicator.check, fact)
        if indicator.applies_if is not None:
            condition = facts.get(indicator.applies_if)
            if condition is None:
                self.c.issue(file, (*path, "applies_if"), f"未知的事实 {indicator.applies_if!r} (unknown fact)")
            elif condition.type is not s.FactType.BOOL:
                self.c.issue(file, (*path, "applies_if"), "applies_if 须为是/否事实 (must be a bool fact)")
        grades = scale.grades
        for index, grade in enumerate(indicator.gates):
            if grade not in grades:
                self.c.issue(file, (*path, "gates", index), f"等级 {grade} 不属于本行业的等级 {list(grades)}")
            elif grade == grades[-1]:
                self.c.issue(file, (*path, "gates", index), f"最低等级 {grade} 无需达标要求 (the floor is not gated)")
        if len(set(indicator.gates)) != len(indicator.gates):
            self.c.issue(file, (*path, "gates"), "gates 有重复的等级")
        entries: list[tuple[YPath, Any, Any]] = []
        for index, entry in enumerate(indicator.thresholds):
            entry_path: YPath = (*path, "thresholds", index)
            entries.append((entry_path, entry.effective, entry.until))
            for grade, value in entry.values.items():
                value_path = (*entry_path, "values", str(grade))
                if grade not in indicator.gates:
                    self.c.issue(
                        file,
                        value_path,
                        f"等级 {grade} 不在 gates {list(indicator.gates)} 中 (unknown grade)",
                    )
                    continue
                self._value(file, value_path, indicator.check, value, part_kinds)
            for grade in entry.grade_sources:
                if grade not in entry.values:
                    self.c.issue(
                        file,
                        (*entry_path, "grade_sources", str(grade)),
                        f"等级 {grade} 没有要求值 (unknown grade)",
                    )
            for grade in indicator.gates:
                if grade not in entry.values:
                    self.c.issue(file, (*entry_path, "values"), f"缺少等级 {grade} 的要求值 (gated grade has no value)")
        self._dates(file, entries)

    def _fact_ref(
        self,
        file: str,
        path: YPath,
        key: str,
        check: s.CheckKind,
        facts: dict[str, s.FactDefinition],
    ) -> s.FactDefinition | None:
        fact = facts.get(key)
        if fact is None:
            self.c.issue(file, path, f"未知的事实 {key!r} (unknown fact)")
            return None
        allowed = s.CHECK_FACT_TYPES.get(check, frozenset())
        if fact.type not in allowed:
            self.c.issue(file, path, f"检查 {check} 不适用于 {fact.type} 类事实 {key!r} (check/fact type mismatch)")
        return fact

    def _value(
        self,
        file: str,
        path: YPath,
        check: s.CheckKind,
        value: Any,
        part_kinds: dict[str, tuple[s.CheckKind, s.FactDefinition | None]],
    ) -> None:
        if check in s.COMPOSITE_CHECKS:
            if not isinstance(value, dict) or not value:
                self.c.issue(file, path, "组合检查的要求值须为 part → 值 的映射 (composite value is a mapping)")
                return
            for part_id, part_value in value.items():
                if part_id not in part_kinds:
                    self.c.issue(file, (*path, part_id), f"未知的 part {part_id!r}")
                    continue
                part_check, part_fact = part_kinds[part_id]
                self._simple_value(file, (*path, part_id), part_check, part_value, part_fact)
            return
        self._simple_value(file, path, check, value, part_kinds[""][1])

    def _simple_value(
        self, file: str, path: YPath, check: s.CheckKind, value: Any, fact: s.FactDefinition | None
    ) -> None:
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if check in (s.CheckKind.MAX, s.CheckKind.MIN):
            if not is_number:
                self.c.issue(file, path, f"{check} 的要求值须为数字 (needs a number), 得到 {value!r}")
        elif check is s.CheckKind.AT_LEAST_SHARE:
            if not is_number or not 0 <= value <= 100:
                self.c.issue(file, path, f"占比要求须为 0–100 的数字 (a share in %), 得到 {value!r}")
        elif check is s.CheckKind.TRUE:
            if value is not True:
                self.c.issue(file, path, f"true 检查的要求值须为 true, 得到 {value!r}")
        elif check is s.CheckKind.STAGE_AT_LEAST:
            if not isinstance(value, EmissionStage):
                self.c.issue(
                    file,
                    path,
                    f"排放阶段须为 {[stage.value for stage in EmissionStage]} 之一, 得到 {value!r}",
                )
        elif check is s.CheckKind.IN_SET:
            if not isinstance(value, list) or not value:
                self.c.issue(file, path, f"in_set 的要求值须为类别列表 (a list of categories), 得到 {value!r}")
            elif fact is not None:
                for category in value:
                    if category not in fact.categories:
                        self.c.issue(file, path, f"未知的类别 {category!r}，允许 {fact.categories} (unknown category)")

    def _dates(self, file: str, entries: list[tuple[YPath, Any, Any]]) -> None:
        """Entries of one indicator (or measure table) must not overlap in time."""
        for path, effective, until in entries:
            if until is not None and until <= effective:
                self.c.issue(file, (*path, "until"), f"until {until} 不晚于 effective {effective} (bad date range)")
        ordered = sorted(entries, key=lambda entry: entry[1])
        for (path_a, effective_a, until_a), (path_b, effective_b, _) in itertools.pairwise(ordered):
            if effective_a == effective_b:
                self.c.issue(file, (*path_b, "effective"), f"与 {format_path(path_a)} 生效日期相同 (overlapping dates)")
            elif until_a is not None and until_a > effective_b:
                self.c.issue(
                    file,
                    (*path_a, "until"),
                    f"until {until_a} 晚于下一条的生效日期 {effective_b} (overlapping dates)",
                )

    def industry_measures(self, code: str, measures: s.IndustryMeasuresFile, file: str) -> None:
        if measures.industry != code:
            self.c.issue(file, ("industry",), f"industry 应为目录名 {code!r} (must match the folder)")
        scale = self.scales.get(code)
        entries: list[tuple[YPath, Any, Any]] = []
        for index, table in enumerate(measures.measures):
            path: YPath = ("measures", index)
            entries.append((path, table.effective, table.until))
            self._measure_grades(file, path, table.grades, scale, complete=True)
        self._dates(file, entries)

    def _measure_grades(
        self,
        file: str,
        path: YPath,
        grades: dict[Grade, dict[AlertLevel, Any]],
        scale: s.Scale | None,
        complete: bool,
    ) -> None:
        if scale is None:
            return
        for grade, levels in grades.items():
            if grade not in scale.grades:
                self.c.issue(
                    file,
                    (*path, "grades", str(grade)),
                    f"等级 {grade} 不属于本行业的等级 {list(scale.grades)}",
                )
            for level in AlertLevel:
                if level not in levels:
                    self.c.issue(file, (*path, "grades", str(grade)), f"缺少 {level.label_zh} 的措施 (missing level)")
        if complete:
            for grade in scale.grades:
                if grade not in grades:
                    self.c.issue(file, (*path, "grades"), f"缺少等级 {grade} 的措施 (missing grade)")

    def overlay(self, overlay: s.OverlayFile, file: str, folder_region: str) -> None:
        if folder_region and overlay.region != folder_region:
            self.c.issue(file, ("region",), f"region 应为目录名 {folder_region!r}")
        # level_of, not the code's zeros: 济源 (419001) is a city coded like a county.
        if not overlay.region.isdigit() or len(overlay.region) != 6 or level_of(overlay.region) is RegionLevel.COUNTY:
            self.c.issue(file, ("region",), "叠加规则只在省级或市级 (overlays are provincial or city-level)")
        per_indicator: dict[tuple[str, str], list[tuple[YPath, Any, Any]]] = {}
        for index, change in enumerate(overlay.thresholds):
            path: YPath = ("thresholds", index)
            if not self._overlay_industry(file, (*path, "industry"), change.industry, overlay.region):
                continue
            indicator = self.indicators.get(change.industry, {}).get(change.indicator)
            if indicator is None:
                self.c.issue(file, (*path, "indicator"), f"行业 {change.industry} 没有指标 {change.indicator!r}")
                continue
            per_indicator.setdefault((change.industry, change.indicator), []).append(
                (path, change.effective, change.until)
            )
            facts = self.industry_facts.get(change.industry, {})
            part_kinds: dict[str, tuple[s.CheckKind, s.FactDefinition | None]] = {
                part.id: (part.check, facts.get(part.fact)) for part in indicator.parts
            }
            if indicator.fact is not None:
                part_kinds[""] = (indicator.check, facts.get(indicator.fact))
            for grade, value in change.values.items():
                value_path = (*path, "values", str(grade))
                if grade not in indicator.gates:
                    self.c.issue(file, value_path, f"等级 {grade} 不在指标的 gates {list(indicator.gates)} 中")
                    continue
                self._value(file, value_path, indicator.check, value, part_kinds)
        for entries in per_indicator.values():
            self._dates(file, entries)
        per_industry: dict[str, list[tuple[YPath, Any, Any]]] = {}
        for index, measure_change in enumerate(overlay.measures):
            path = ("measures", index)
            if not self._overlay_industry(file, (*path, "industry"), measure_change.industry, overlay.region):
                continue
            per_industry.setdefault(measure_change.industry, []).append(
                (path, measure_change.effective, measure_change.until)
            )
            self._measure_grades(
                file, path, measure_change.grades, self.scales.get(measure_change.industry), complete=False
            )
        for entries in per_industry.values():
            self._dates(file, entries)
        per_level: dict[AlertLevel, list[tuple[YPath, Any, Any]]] = {}
        for index, reduction in enumerate(overlay.regional_reductions):
            path = ("regional_reductions", index)
            per_level.setdefault(reduction.level, []).append((path, reduction.effective, reduction.until))
            for pollutant in reduction.percent:
                if pollutant not in self.pollutants:
                    self.c.issue(file, (*path, "percent", pollutant), f"未知的污染物 {pollutant!r} (unknown pollutant)")
        for entries in per_level.values():
            self._dates(file, entries)
        self._targets(overlay, file)

    def _targets(self, overlay: s.OverlayFile, file: str) -> None:
        """A/B share targets (REQ H21-1): set by a province, for cities inside it, never two in force at once."""
        if overlay.targets and level_of(overlay.region) is not RegionLevel.PROVINCE:
            self.c.issue(file, ("targets",), "绩效分级提升目标由省级制定 (targets belong to a province overlay)")
            return
        entries: list[tuple[YPath, Any, Any]] = []
        for index, target_set in enumerate(overlay.targets):
            path: YPath = ("targets", index)
            entries.append((path, target_set.effective, target_set.until))
            if target_set.due < target_set.effective:
                self.c.issue(file, (*path, "due"), f"目标期限 {target_set.due} 早于生效日期 {target_set.effective}")
            for city_index, city in enumerate(target_set.cities):
                city_path = (*path, "cities", city_index, "region")
                if city.region[:2] != overlay.region[:2] or level_of(city.region) is not RegionLevel.CITY:
                    self.c.issue(file, city_path, f"{city.region} 不是 {overlay.region} 的省辖市 (not a city of it)")
        self._dates(file, entries)

    def scorecard(self, scorecards: s.ScorecardFile, file: str, folder_region: str) -> None:
        """A city's point scorecard (REQ ZZ-1…ZZ-7): its region, dimension totals, references, dates."""
        entries: list[tuple[YPath, Any, Any]] = []
        for index, entry in enumerate(scorecards.scorecards):
            path: YPath = ("scorecards", index)
            entries.append((path, entry.effective, entry.until))
            if entry.region != folder_region:
                self.c.issue(file, (*path, "region"), f"region 应为目录名 {folder_region!r}")
            indicators: dict[str, s.ScoreIndicator] = {}
            for d_index, dimension in enumerate(entry.dimensions):
                d_path: YPath = (*path, "dimensions", d_index)
                for i_index, indicator in enumerate(dimension.indicators):
                    if indicator.id in indicators:
                        self.c.issue(file, (*d_path, "indicators", i_index, "id"), f"重复的指标 {indicator.id!r}")
                    indicators[indicator.id] = indicator
                total = dimension.indicator_total
                if dimension.max_points is not None and abs(total - dimension.max_points) > 1e-9:
                    self.c.issue(
                        file,
                        (*d_path, "max_points"),
                        f"{dimension.label_zh}满分 {dimension.max_points:g} 与各指标分值之和 {total:g} 不符",
                    )
            codes = [dimension.code for dimension in entry.dimensions]
            if len(set(codes)) != len(codes):
                self.c.issue(file, (*path, "dimensions"), "维度代码重复 (duplicate dimension)")
            for grade in ("a", "b"):
                for c_index, condition in enumerate(getattr(entry.classes, grade)):
                    c_path: YPath = (*path, "classes", grade, c_index)
                    found = indicators.get(condition.indicator)
                    if found is None:
                        self.c.issue(file, (*c_path, "indicator"), f"未知的指标 {condition.indicator!r}")
                    elif condition.min_points > found.points:
                        self.c.issue(
                            file, (*c_path, "min_points"), f"超过指标 {found.label_zh} 的满分 {found.points:g}"
                        )
            for i_index, code in enumerate(entry.classes.classified_industries):
                if code not in self.catalogue:
                    self.c.issue(
                        file,
                        (*path, "classes", "classified_industries", i_index),
                        f"未知的行业 {code!r} (unknown industry)",
                    )
            for t_index, table in enumerate(entry.industry_tables):
                for i_index, code in enumerate(table.industries):
                    if code not in self.catalogue:
                        self.c.issue(
                            file,
                            (*path, "industry_tables", t_index, "industries", i_index),
                            f"未知的行业 {code!r} (unknown industry)",
                        )
        self._dates(file, entries)

    def _overlay_industry(self, file: str, path: YPath, code: str, region: str) -> bool:
        entry = self.catalogue.get(code)
        if entry is None:
            self.c.issue(file, path, f"未知的行业 {code!r} (unknown industry)")
            return False
        if not s.jurisdiction_covers(entry.jurisdiction, region):
            self.c.issue(file, path, f"行业 {code} 是 {entry.jurisdiction} 的地方行业，不适用于 {region}")
            return False
        return True
