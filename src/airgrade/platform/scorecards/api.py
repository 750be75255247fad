"""Green-performance evaluation API (/api/scorecards/, REQ ZZ-1 … ZZ-7): the ranked table of a round, one score
sheet with every indicator and its source, values from the enterprise or the on-site expert, the investment
pre-assessment. Every endpoint calls a service that checks role and region scope (out of scope: 404)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from airgrade.core.scoring import SourcedValue
from airgrade.platform.scorecards import services
from airgrade.platform.scorecards.schemas import AssessIn, AssessOut, RankingOut, SheetOut, ValuesIn

router = Router(tags=["scorecards"])


def _row(row: services.RankedRow) -> dict[str, Any]:
    scorecard = row.scorecard
    return {
        "position": row.position,
        "scorecard_id": scorecard.pk,
        "enterprise": scorecard.enterprise.name,
        "credit_code": scorecard.enterprise.credit_code,
        "region": scorecard.region_id,
        "industry": scorecard.industry_code,
        "score": row.score,
        "zz_class": row.zz_class or None,
        "recommendation": row.recommendation,
        "control": row.control,
        "red_lines": list(row.sheet.red_lines),
        "class_reasons": list(row.sheet.class_reasons),
    }


def _sourced(value: SourcedValue) -> dict[str, Any]:
    return {"source": value.source.value, "value": value.value, "by": value.by, "at": value.at}


@router.get("/rounds/{round_id}/ranking", response=RankingOut)
def ranking(request: HttpRequest, round_id: int) -> Any:
    """The round's ranked table in the caller's scope (ranks and control ratios are the whole city's)."""
    round_, _, rows = services.ranked(request.user, round_id)
    return {
        "round": {
            "id": round_.pk,
            "region": round_.region_id,
            "year": round_.year,
            "deadline": round_.deadline,
            "published": round_.published_at is not None,
        },
        "rows": [_row(row) for row in rows],
    }


def _sheet(request: HttpRequest, scorecard_id: int) -> dict[str, Any]:
    _scorecard, card, row = services.sheet_of(request.user, scorecard_id)
    labels = services.indicators_of(card)
    return {
        "row": _row(row),
        "dimensions": row.sheet.dimension_points,
        "raw_total": row.sheet.raw_total,
        "raw_maximum": row.sheet.raw_maximum,
        "indicators": [
            {
                "indicator": item.indicator,
                "label": labels[item.indicator][1].label_zh,
                "dimension": item.dimension,
                "group": item.group.value,
                "max_points": item.max_points,
                "points": item.points,
                "counted": _sourced(item.chosen) if item.chosen else None,
                "disagreements": [_sourced(value) for value in item.disagreements],
                "provisional": item.provisional,
                "note": item.note_zh,
            }
            for item in row.sheet.indicators
        ],
    }


@router.get("/sheets/{scorecard_id}", response=SheetOut)
def sheet(request: HttpRequest, scorecard_id: int) -> Any:
    """One score sheet: every indicator, its points, the value that counted and the sources that disagree."""
    return _sheet(request, scorecard_id)


@router.post("/sheets/{scorecard_id}/values", response=SheetOut)
def post_values(request: HttpRequest, scorecard_id: int, body: ValuesIn) -> Any:
    """The enterprise's declaration (source `declared`) or the assigned expert's on-site check (`onsite`)."""
    if body.source == "declared":
        services.declare(request.user, scorecard_id, body.values, body.evidence)
    else:
        services.record_onsite(request.user, scorecard_id, body.values, body.evidence)
    return _sheet(request, scorecard_id)


@router.post("/pre-assess", response=AssessOut)
def pre_assess(request: HttpRequest, body: AssessIn) -> Any:
    """招商引资准入评价 (ZZ-6) with the card of the caller's city: below the admission score not admitted."""
    result = services.pre_assess(request.user, body.industry, body.stated)
    return {
        "score": result.score,
        "admitted": result.admitted,
        "band": result.band.label_zh if result.band else None,
        "reason": result.reason_zh,
    }
