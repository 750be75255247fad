"""Rule browser (public): industry → aspects → indicators with values per grade, sources, provenance; and the
self-assessment page (login): an enterprise enters its facts and sees grade, trace and gaps."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from airgrade.core.grading.enterprise import PriorYearViolation
from airgrade.core.industries import FAMILY_LABELS
from airgrade.core.rules.export import today
from airgrade.core.rules.render import NO_MEASURES_ZH
from airgrade.core.types import EmissionStage
from airgrade.platform.errors import ServiceError
from airgrade.platform.rulebook import services
from airgrade.platform.rulebook.forms import AssessForm

PROVENANCE_LABELS = {"official": "官方", "secondary": "转载", "provisional": "暂定"}


def browser(request: HttpRequest) -> HttpResponse:
    region = request.GET.get("region", "").strip()
    error = None
    try:
        rows = services.industries(region or None)
    except ServiceError as refused:
        rows, region, error = services.industries(None), "", refused.message
    families: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        families.setdefault(row["family"], []).append(row)
    groups = [{"label": FAMILY_LABELS.get(key, key), "rows": items} for key, items in families.items()]
    context = {
        "groups": groups,
        "count": len(rows),
        "region": region,
        "version": services.book().version,
        "error": error,
    }
    return render(request, "rulebook/browser.html", context)


def industry(request: HttpRequest, code: str) -> HttpResponse:
    as_of = request.GET.get("as_of", "").strip() or today().isoformat()
    region = request.GET.get("region", "").strip()
    data = services.industry_rules(code, as_of, region or None)
    measures = []
    for grade in data["grades"]:
        levels = data["measures"].get(grade, {})
        cells = []
        for level in ("yellow", "orange", "red"):
            entry = levels.get(level)
            cells.append(entry["text_zh"] if entry else NO_MEASURES_ZH)
        provenance = levels.get("red", {}).get("source", {}).get("provenance", "")
        measures.append({"grade": grade, "cells": cells, "provenance": provenance})
    measure_source = next(iter(data["measures"].values()), {}).get("red", {}).get("source")
    context = {
        "data": data,
        "as_of": as_of,
        "region": region,
        "measures": measures,
        "measure_source": measure_source,
        "provenance_labels": PROVENANCE_LABELS,
    }
    return render(request, "rulebook/industry.html", context)


def _fact_value(fact: dict[str, Any], raw: str) -> Any:
    raw = raw.strip()
    if raw == "":
        return None
    if fact["type"] in ("number", "share"):
        try:
            return float(raw)
        except ValueError:
            return raw  # the core reports "须为数字" naming the fact
    if fact["type"] == "bool":
        return raw == "yes"
    return raw


@login_required
def assess(request: HttpRequest) -> HttpResponse:
    source = request.POST if request.method == "POST" else request.GET
    violations = [(item.value, item.label_zh) for item in PriorYearViolation]
    head = AssessForm(source)
    head.is_valid()  # every field is optional and stripped; the rule book and the engine check the values
    code = head.cleaned_data.get("industry", "")
    as_of = head.cleaned_data.get("as_of", "") or today().isoformat()
    region = head.cleaned_data.get("region", "") or (getattr(request.user, "region_id", None) or "")
    if not region and getattr(request.user, "enterprise", None) is not None:
        region = request.user.enterprise.region_id  # type: ignore[union-attr]
    context: dict[str, Any] = {
        "industries": services.industries(region or None),
        "code": code,
        "as_of": as_of,
        "region": region,
        "stages": [stage.value for stage in EmissionStage],
        "violations": violations,
    }
    if not code:
        return render(request, "rulebook/assess.html", context)
    rules = services.industry_rules(code, as_of, region or None)
    form = AssessForm(source, rules["facts"], [value for value, _ in violations])
    form.is_valid()
    entered = form.facts()
    context.update({"rules": rules, "entered": entered})
    if request.method == "POST":
        chosen = form.violations()
        payload = {
            "as_of": as_of,
            "enterprises": [
                {
                    "id": "self-assessment",
                    "name": "自评",
                    "region": region or None,
                    "flags": {"prior_year_violations": chosen},
                    "industries": [
                        {
                            "industry": code,
                            "facts": {
                                fact["key"]: _fact_value(fact, entered[fact["key"]])
                                for fact in rules["facts"]
                                if entered[fact["key"]].strip()
                            },
                        }
                    ],
                }
            ],
        }
        report = services.evaluate(payload)
        context["chosen_violations"] = chosen
        context["report"] = report
        context["errors"] = report["errors"]
        if report["results"]:
            result = report["results"][0]
            context["result"] = result
            context["industry_result"] = result["industries"][0]
    return render(request, "rulebook/assess.html", context)
