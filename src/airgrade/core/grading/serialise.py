"""Grading results as JSON-ready dicts (docs/grading-io.md), shared by CLI, API and pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from airgrade.core.grading.engine import Gap, IndicatorTrace, IndustryResult
from airgrade.core.grading.enterprise import Cap, EnterpriseResult, GradingProblem
from airgrade.core.rules import schema as s
from airgrade.core.types import EmissionStage


def plain(value: Any) -> Any:
    """Enums to their values, dates to ISO text, containers recursively."""
    if isinstance(value, EmissionStage | s.Aspect | s.CheckKind | s.Provenance | s.Scale):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(plain(key)): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if hasattr(value, "value") and isinstance(value.value, str):
        return value.value
    return value


def _fact_plain(value: Any) -> Any:
    return value.value if isinstance(value, EmissionStage) else value


def trace_dict(trace: IndicatorTrace) -> dict[str, Any]:
    indicator = trace.indicator
    return {
        "indicator": indicator.id,
        "label_zh": indicator.label_zh,
        "aspect": indicator.aspect.value,
        "aspect_zh": indicator.aspect.label_zh,
        "check": indicator.check.value,
        "observed": {key: _fact_plain(value) for key, value in trace.observed.items()},
        "observed_text": trace.observed_text(),
        "applicable": trace.applicable,
        "missing": list(trace.missing),
        "reached": trace.reached.value,
        "provisional": trace.provisional,
        "requirements": [{**req.plain, "met": req.met} for req in trace.requirements],
    }


def gap_dict(gap: Gap) -> dict[str, Any]:
    return {
        "indicator": gap.indicator_id,
        "aspect_zh": gap.aspect.label_zh,
        "label_zh": gap.label_zh,
        "observed": gap.observed_text,
        "required": gap.required_text,
        "missing": list(gap.missing),
        "differentiated_indicator": gap.differentiated_indicator_zh,
        "problem": gap.problem_zh,
    }


def industry_dict(result: IndustryResult, *, with_trace: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "industry": result.industry,
        "industry_name_zh": result.industry_name_zh,
        "process": result.process,
        "grade": result.grade.value,
        "rules_grade": result.rules_grade.value,
        "scale": [grade.value for grade in result.scale.grades],
        "caps": list(result.caps),
        "missing_facts": list(result.missing_facts),
        "uses_provisional": result.uses_provisional,
        "provisional_indicators": result.provisional_indicators,
        "framework": result.framework,
        "provisional_grade": result.provisional_grade,
        "blocking": {grade.value: ids for grade, ids in result.blocking.items()},
        "gaps": {grade.value: [gap_dict(gap) for gap in gaps] for grade, gaps in result.gaps.items()},
    }
    if with_trace:
        data["trace"] = [trace_dict(trace) for trace in result.trace]
    return data


def cap_dict(cap: Cap) -> dict[str, Any]:
    return {
        "code": cap.code,
        "label_zh": cap.label_zh,
        "requirements": list(cap.requirements),
        "detail": cap.detail,
        "effect": cap.effect,
        "changed": cap.changed,
    }


def enterprise_dict(result: EnterpriseResult, *, with_trace: bool = True) -> dict[str, Any]:
    return {
        "id": result.id,
        "name": result.name,
        "region": result.region,
        "grade": result.grade.value,
        "rules_grade": result.rules_grade.value,
        "caps": [cap_dict(cap) for cap in result.caps],
        "uses_provisional": result.uses_provisional,
        "industries": [industry_dict(item, with_trace=with_trace) for item in result.industries],
    }


def error_dict(error: GradingProblem) -> dict[str, Any]:
    return {"id": error.enterprise_id, "industry": error.industry, "key": error.key, "message": error.message}


def report_dict(
    results: list[EnterpriseResult],
    errors: list[GradingProblem],
    as_of: dt.date,
    rules_version: str,
    *,
    with_trace: bool = True,
) -> dict[str, Any]:
    return {
        "rules_version": rules_version,
        "as_of": as_of.isoformat(),
        "results": [enterprise_dict(result, with_trace=with_trace) for result in results],
        "errors": [error_dict(error) for error in errors],
    }
