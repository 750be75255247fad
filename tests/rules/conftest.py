"""Golden rule tests written as data: every tests/rules/<industry>/*.yaml is collected; a failure prints the trace.

File format (docs/rules.md, "Golden tests"):
    industry: cement
    as_of: 2021-06-01
    region: "410181"          # optional: overlays of that region apply
    overlay: ../drafts/x.yaml # optional draft overlay (a what-if), relative to this file, on top of the rule book
    base_facts: {...}         # merged under each case's facts (a case may set a fact to null to drop it)
    cases:
      - name: ...
        facts: {...}
        flags: {...}          # optional enterprise flags (caps); declared: false also allowed
        boundary: {indicator: road_transport, part: clean_share, grade: B, side: at}   # optional, see below
        expect: {grade: B, rules_grade: A, indicators: {road_transport: B}, blocking: {A: [road_transport]},
                 missing: [...], caps: [...]}
        expect_before: {grade: A}   # with `overlay`: the same case under the rule book alone (what changes)
    measures:
      - {grade: B, level: orange, expect: [{kind: curtail, percent: 20}, ...]}

`boundary` says which threshold a case pins (side `at`: the value exactly at grade's threshold; `beyond`: just past
it); test_golden_coverage.py requires both for every non-provisional value. Files under tests/rules/drafts/ are
draft overlays, not golden files. The boundaries-<date>.yaml files are generated (golden_boundaries.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import TypeAdapter

from airgrade.core.grading import EnterpriseInput, grade_enterprise
from airgrade.core.grading.enterprise import EnterpriseResult
from airgrade.core.measures import Measure
from airgrade.core.rules.loader import load_rulebook
from airgrade.core.rules.rulebook import RuleBook, default_rulebook
from airgrade.core.types import AlertLevel, Grade

_MEASURES = TypeAdapter(list[Measure])
FILE_KEYS = {"industry", "as_of", "region", "overlay", "base_facts", "cases", "measures"}
CASE_KEYS = {"name", "facts", "flags", "declared", "boundary", "expect", "expect_before"}
BOUNDARY_KEYS = {"indicator", "part", "grade", "side"}
_DRAFT_BOOKS: dict[Path, RuleBook] = {}


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.suffix == ".yaml" and file_path.parent.parent.name == "rules" and file_path.parent.name != "drafts":
        return GoldenFile.from_parent(parent, path=file_path)
    return None


def check_spec(path: Path, spec: dict[str, Any]) -> None:
    """Refuse misspelt keys (a typo must not silently test nothing)."""
    unknown = set(spec) - FILE_KEYS
    if unknown:
        raise ValueError(f"{path}: unknown keys {sorted(unknown)}")
    for case in spec.get("cases", []):
        unknown = set(case) - CASE_KEYS
        if unknown:
            raise ValueError(f"{path}: case {case.get('name')!r}: unknown keys {sorted(unknown)}")
        boundary = case.get("boundary")
        if boundary is not None:
            if set(boundary) - BOUNDARY_KEYS or boundary.get("side") not in ("at", "beyond"):
                raise ValueError(f"{path}: case {case['name']!r}: bad boundary {boundary}")
            if boundary["indicator"] not in (case["expect"].get("indicators") or {}):
                raise ValueError(f"{path}: case {case['name']!r}: a boundary case must expect its indicator's grade")
        if "expect_before" in case and "overlay" not in spec:
            raise ValueError(f"{path}: case {case['name']!r}: expect_before needs an overlay")


def book_for(path: Path, spec: dict[str, Any]) -> RuleBook:
    """The packaged rule book, or it with the file's draft overlay on top (loaded once per draft)."""
    if "overlay" not in spec:
        return default_rulebook()
    draft = (path.parent / spec["overlay"]).resolve()
    if draft not in _DRAFT_BOOKS:
        _DRAFT_BOOKS[draft] = load_rulebook(overlays=[draft])
    return _DRAFT_BOOKS[draft]


class GoldenFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        spec = yaml.safe_load(self.path.read_text("utf-8"))
        check_spec(self.path, spec)
        for case in spec.get("cases", []):
            yield GradeCase.from_parent(self, name=case["name"], spec=spec, case=case)
        for entry in spec.get("measures", []):
            name = f"measures {entry['grade']} {entry['level']}"
            yield MeasureCase.from_parent(self, name=name, spec=spec, entry=entry)


def _as_of(spec: dict[str, Any]) -> dt.date:
    value = spec["as_of"]
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


class GradeCase(pytest.Item):
    def __init__(self, *, spec: dict[str, Any], case: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec, self.case = spec, case
        self.result: EnterpriseResult | None = None

    def runtest(self) -> None:
        facts = {**(self.spec.get("base_facts") or {}), **(self.case.get("facts") or {})}
        facts = {key: value for key, value in facts.items() if value is not None}
        enterprise = EnterpriseInput.model_validate(
            {
                "id": self.name,
                "region": self.spec.get("region"),
                "declared": self.case.get("declared", True),
                "flags": self.case.get("flags") or {},
                "industries": [{"industry": self.spec["industry"], "facts": facts}],
            }
        )
        if "expect_before" in self.case:
            self.result = grade_enterprise(enterprise, _as_of(self.spec), default_rulebook())
            self._compare(self.case["expect_before"], "without the draft overlay: ")
        self.result = grade_enterprise(enterprise, _as_of(self.spec), book_for(self.path, self.spec))
        self._compare(self.case["expect"], "")

    def _compare(self, expect: dict[str, Any], where: str) -> None:
        assert self.result is not None
        industry = self.result.industries[0]
        assert self.result.grade == Grade(expect["grade"]), f"{where}grade {self.result.grade} != {expect['grade']}"
        if "rules_grade" in expect:
            assert industry.rules_grade == Grade(expect["rules_grade"])
        reached = {trace.indicator.id: trace.reached.value for trace in industry.trace}
        for indicator, grade in (expect.get("indicators") or {}).items():
            assert reached[indicator] == grade, f"{where}{indicator} reached {reached[indicator]}, expected {grade}"
        if "blocking" in expect:
            assert {g.value: ids for g, ids in industry.blocking.items()} == expect["blocking"]
        if "missing" in expect:
            assert list(industry.missing_facts) == expect["missing"]
        if "caps" in expect:
            assert [cap.code for cap in self.result.caps] == expect["caps"]

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        lines = [f"golden case {self.name!r} in {self.path.name}: {excinfo.value}"]
        if self.result is not None:
            lines.append(f"grade {self.result.grade} (rules {self.result.rules_grade}), caps {self.result.caps}")
            for industry in self.result.industries:
                for trace in industry.trace:
                    requirements = ", ".join(
                        f"{req.grade}{'✓' if req.met else '✗'} {req.required_text}" for req in trace.requirements
                    )
                    lines.append(
                        f"  {trace.indicator.id:<28} reached {trace.reached:<4} "
                        f"observed {trace.observed_text()} | {requirements}"
                    )
        return "\n".join(lines)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"golden: {self.name}"


class MeasureCase(pytest.Item):
    def __init__(self, *, spec: dict[str, Any], entry: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec, self.entry = spec, entry

    def runtest(self) -> None:
        measures = book_for(self.path, self.spec).measures(
            self.spec["industry"],
            Grade(self.entry["grade"]),
            AlertLevel(self.entry["level"]),
            _as_of(self.spec),
            self.spec.get("region"),
        )
        assert measures == _MEASURES.validate_python(self.entry["expect"]), f"got {measures}"

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"golden: {self.name}"
