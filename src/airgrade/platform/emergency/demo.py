"""Demo emergency lists: one entry per demo site, built from the registry's lines, written through the services.

`load_demo_lists()` is idempotent (sites that already have an entry for the year are skipped) and is meant to be
called by the platform's demo command after `load_demo()`.
"""

from __future__ import annotations

import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from airgrade.core.emergency.units import UnitError, parse_capacity_unit
from airgrade.core.industries import industry_by_code
from airgrade.core.types import Grade, Role
from airgrade.platform.accounts.models import User
from airgrade.platform.emergency import services
from airgrade.platform.emergency.models import ListEntry
from airgrade.platform.enterprises.models import Site

# Demo emission factors, t of pollutant per t of product (illustrative, not official): building materials and
# metals emit SO2 / NOx / PM from kilns and furnaces; VOCs industries mostly VOCs.
FACTORS = {
    "building_materials": {"SO2": 0.0003, "NOx": 0.0009, "PM": 0.0002, "VOCs": 0.00002},
    "metal": {"SO2": 0.0004, "NOx": 0.0006, "PM": 0.0003, "VOCs": 0.00005},
    "vocs": {"SO2": 0.00001, "NOx": 0.00005, "PM": 0.0001, "VOCs": 0.002},
    "local": {"SO2": 0.00005, "NOx": 0.0001, "PM": 0.0002, "VOCs": 0.0005},
}
GRADE_WEIGHTS = [(Grade.A, 0.06), (Grade.B, 0.22), (Grade.B_MINUS, 0.07), (Grade.C, 0.5), (Grade.D, 0.15)]
LEADING_WEIGHTS = [(Grade.LEADING, 0.25), (Grade.NON_LEADING, 0.75)]


def _grade(rng: random.Random, industry_code: str, region_code: str) -> str:
    scale = set(services.rulebook().rules_for(industry_code, timezone.localdate(), region_code).grades)
    weights = LEADING_WEIGHTS if Grade.LEADING in scale else [(g, w) for g, w in GRADE_WEIGHTS if g in scale]
    grades, values = zip(*weights, strict=True)
    return rng.choices(grades, values)[0].value


def _listed_grade(rng: random.Random, site: Site, industry_code: str) -> str:
    official = services.registry_grade(site, industry_code)
    random_grade = _grade(
        rng, industry_code, site.region_id
    )  # drawn either way, so the other sites' draws stay the same
    return official.value if official else random_grade


def _line(rng: random.Random, line: Any, family: str, position: int) -> dict[str, Any]:
    capacity = float(line.capacity)
    unit_text = line.capacity_unit
    try:
        unit = parse_capacity_unit(unit_text)
    except UnitError:
        unit_text, unit = "t/d", parse_capacity_unit("t/d")
    days = 300.0 if unit.per_day is None else None
    permit = capacity * rng.uniform(0.85, 1.0)
    actual = permit * rng.uniform(0.7, 1.05)
    if unit.family == "mass":
        daily_t = unit.daily(actual, days)
        emissions = {p: round(daily_t * f * rng.uniform(0.5, 1.5), 5) for p, f in FACTORS[family].items()}
    else:
        emissions = {
            p: round(rng.uniform(0.01, 0.4) * (f / max(FACTORS[family].values())), 5)
            for p, f in FACTORS[family].items()
        }
    status = "running"
    if position > 0 and rng.random() < 0.12:
        status = rng.choice(["backup", "stopped_last_year"])
    return {
        "key": f"L{line.pk}",
        "name": line.name,
        "industry_code": line.industry_code,
        "status": status,
        "capacity_unit": unit_text,
        "operating_days": days,
        "eia_capacity": round(capacity, 3),
        "permit_capacity": round(permit, 3),
        "actual_output": round(actual, 3),
        "emissions": emissions,
        "non_interruptible": bool(line.non_interruptible),
        "registry_line": line.pk,
        "key_parameters": f"{line.process_type or line.name}负荷按日产量控制",
    }


@transaction.atomic
def load_demo_lists(year: int | None = None, seed: int = 2026) -> dict[str, int]:
    """An emergency-list entry for every demo site (through the services, audited); returns counts."""
    year = year or timezone.localdate().year
    writer = User.objects.filter(role=Role.PROVINCE.value, region_id="410000", is_active=True).order_by("pk").first()
    if writer is None:
        return {"created": 0, "entries": ListEntry.objects.filter(year=year).count()}
    rng = random.Random(seed)
    created = 0
    done = set(ListEntry.objects.filter(year=year).values_list("site_id", flat=True))
    for site in Site.objects.select_related("enterprise").prefetch_related("industries", "lines").order_by("pk"):
        if site.pk in done:
            continue
        codes = [item.industry_code for item in site.industries.all() if industry_by_code(item.industry_code)]
        lines = [line for line in site.lines.all() if line.industry_code in codes or (not line.industry_code and codes)]
        if not codes or not lines:
            continue
        family = industry_by_code(codes[0]).family  # type: ignore[union-attr]
        data: dict[str, Any] = {
            "in_industrial_park": rng.random() < 0.6,
            "transport_mode": rng.choice(["公路", "公路+铁路", "管道+公路"]),
            "transport_volume_t": round(rng.uniform(2e4, 2e6), -2),
            "output_value_10k_yuan": round(rng.uniform(2e3, 9e4)),
            "energy_use_tce": round(rng.uniform(1e3, 2e5)),
            "annual_output": round(rng.uniform(1e4, 2e6), -2),
            "output_unit": "t",
            # The registry's grade where the site has one (the platform demo grades Zhengzhou first), so that the
            # 保障类 draw below only picks sites the registry rates A / B / 引领性.
            "industries": [{"industry_code": code, "grade": _listed_grade(rng, site, code)} for code in codes],
            "lines": [],
        }
        for position, line in enumerate(lines):
            row = _line(rng, line, family, position)
            if len(codes) == 1:
                row["industry_code"] = codes[0]
            data["lines"].append(row)
        eligible = all(item["grade"] in ("A", "B", "引领性") for item in data["industries"])
        if eligible and rng.random() < 0.2:
            normal = round(rng.uniform(500, 5000))
            data["guarantee"] = {
                "category": rng.choice(["residential_power_heat", "export", "strategic_emerging"]),
                "task_zh": "保障任务（演示）",
                "guaranteed_daily_output": round(normal * 0.4),
                "normal_daily_output": normal,
                "output_unit": "t",
            }
        try:
            services.save_entry(writer, site.pk, year, data, "演示数据")
        except Exception as exc:  # a demo site the rules refuse is skipped, never half-written
            from airgrade.platform.errors import ServiceError

            if not isinstance(exc, ServiceError):
                raise
            continue
        created += 1
    return {"created": created, "entries": ListEntry.objects.filter(year=year).count()}
