"""The declaration page's gate-ledger panel (issue 11 §4): the ledger's transport figures next to the declared ones,
contributed through the `declaration_panels` hook so declarations never imports gates."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from airgrade.core.access import decide
from airgrade.platform.gates import services
from airgrade.platform.gates.models import LedgerHead
from airgrade.platform.permissions import actor_of

# The declaration's transport facts the ledger also gives (facts.yaml keys), with their Chinese labels there.
FACTS = (
    ("road_truck_clean_share", "公路运输中国五及以上或新能源车辆比例", "%"),
    ("road_truck_worst_stage", "公路运输车辆最低排放阶段", ""),
    ("inplant_vehicle_worst_stage", "厂内运输车辆最低排放阶段", ""),
    ("nonroad_worst_stage", "非道路移动机械最低排放阶段", ""),
)
SHARE_TOLERANCE = 0.5  # percentage points: rounding of a typed share, not a rule value


def _shown(value: Any, unit: str) -> str:
    if value in (None, ""):
        return "—"
    return f"{value}{unit}"


def _differs(key: str, declared: Any, ledger: Any) -> bool:
    if declared in (None, "") or ledger in (None, ""):
        return False
    if key == "road_truck_clean_share":
        try:
            return abs(float(declared) - float(ledger)) > SHARE_TOLERANCE
        except (TypeError, ValueError):
            return True
    return str(declared) != str(ledger)


def declaration_panels(user: Any, declaration: Any) -> list[dict[str, Any]]:
    site = declaration.site
    if not LedgerHead.objects.filter(site=site, count__gt=0).exists():
        return []
    if not decide(actor_of(user), "gates.view", services.site_target(site)):
        return []
    start, end = services.declaration_period(declaration)
    ledger = services.ledger_facts(site, start, end)
    declared: dict[str, Any] = {}
    for item in declaration.items.all():
        for key, _, _ in FACTS:
            if key in (item.facts or {}) and key not in declared:
                declared[key] = item.facts[key]
    rows = [
        {
            "label": label,
            "declared": _shown(declared.get(key), unit),
            "ledger": _shown(ledger["facts"].get(key), unit),
            "differs": _differs(key, declared.get(key), ledger["facts"].get(key)),
        }
        for key, label, unit in FACTS
    ]
    figures = ledger["figures"]
    return [
        {
            "title": "门禁台账核对",
            "note": (
                f"数据来源：{ledger['source']}（进厂公路运输 {figures['trips']} 车次，台账覆盖 "
                f"{ledger['covered_days']}/{ledger['period_days']} 天）；申报值为企业自报。"
                + ("评定采用门禁台账数据。" if ledger["used"] else f"{ledger['note']}。" if ledger["note"] else "")
            ),
            "headers": ("指标", "企业申报", "门禁台账"),
            "rows": rows,
            "link": reverse("gates:site", kwargs={"site_id": site.pk}) + f"?from={start}&to={end}",
            "link_label": "查看门禁台账",
        }
    ]
