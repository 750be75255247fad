"""Demo green-performance evaluation for Zhengzhou (issue 14): a round with a handful of enterprises that have
values from all three sources, two red-line enterprises, a recommendation list and control ratios. Written through
the services; idempotent (nothing is written when a Zhengzhou round exists). Fictional values, not official data."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from airgrade.core.rules import schema as rs
from airgrade.core.scoring import indicators_of
from airgrade.platform.scorecards import services
from airgrade.platform.scorecards.models import Scorecard, ScoreRound

CITY = "410100"
DEMO_ENTERPRISES = 8
# How strong each demo enterprise is (share of each indicator's points it declares), best first; the two weakest
# also get red lines, so the table shows every class, a recommendation and the exclusions.
STRENGTHS = (1.0, 0.97, 0.9, 0.8, 0.7, 0.55, 0.95, 0.85)
RED_LINES = {6: ("department_list", "市生态环境局认定：2025年偷排废气被立案查处（演示）"),
             7: ("monitoring_finding", "在线监测颗粒物小时均值连续超标（演示）")}  # fmt: skip


def _declared(card: rs.ScorecardEntry, strength: float, rng: random.Random) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for indicator_id, (_, indicator) in indicators_of(card).items():
        met = rng.random() < strength or strength >= 1.0
        if indicator.input is rs.ScoreInput.YES_NO:
            values[indicator_id] = "是" if met else "否"
        elif indicator.input is rs.ScoreInput.TIER:
            values[indicator_id] = indicator.tiers[0].code if met else indicator.tiers[-1].code
        elif indicator.input is rs.ScoreInput.ABOVE:
            values[indicator_id] = str(round(60 + 40 * strength, 1))
        elif indicator.input is rs.ScoreInput.POINTS:
            if indicator.points:
                values[indicator_id] = str(round(indicator.points * min(1.0, strength + 0.05), 1))
        else:
            values[indicator_id] = str(round(10 + 50 * strength * rng.uniform(0.8, 1.2), 1))
    return values


def load_demo_scorecards(city_user: Any, expert_user: Any, enterprise_user: Any) -> dict[str, int]:
    if ScoreRound.objects.filter(region_id=CITY).exists():
        return {"scorecards": 0}
    today = timezone.now().date()
    round_ = services.open_round(city_user, CITY, today.year, today + dt.timedelta(days=60))
    card = services.card_of(round_)
    classified = set(card.classes.classified_industries)
    candidates = [
        sc
        for sc in Scorecard.objects.filter(round=round_).select_related("enterprise").order_by("pk")
        if sc.industry_code in classified
    ]
    own = [sc for sc in candidates if enterprise_user and sc.enterprise_id == enterprise_user.enterprise_id]
    chosen = (own + [sc for sc in candidates if sc not in own])[:DEMO_ENTERPRISES]
    rng = random.Random(14)
    from airgrade.platform.accounts.models import User

    for index, scorecard in enumerate(chosen):
        strength = STRENGTHS[index % len(STRENGTHS)]
        # The enterprise's own account declares for the demo enterprise; the others through a per-enterprise user.
        declarer = (
            enterprise_user if scorecard.enterprise_id == getattr(enterprise_user, "enterprise_id", None) else None
        )
        if declarer is None:
            # An account of that enterprise that cannot sign in (no usable password): it only makes the declaration.
            declarer = User(
                username=f"zz-demo-{scorecard.enterprise_id}",
                role="enterprise",
                enterprise_id=scorecard.enterprise_id,
                display_name=f"{scorecard.enterprise.name}（演示申报）",
            )
            declarer.set_unusable_password()
            declarer.save()
        declared = _declared(card, strength, rng)
        if index == 1:
            declared["nrg_clean_transport"] = "否"  # misses one A condition: a B enterprise in the demo
        services.declare(
            declarer,
            scorecard.pk,
            declared,
            {"env_permit": "排污许可证（演示）", "eco_green_factory": "绿色工厂公示文件（演示）"},
        )
        # Department data: tax and output figures for the ranking, and a permit check that disagrees once.
        department = {"eco_tax_per_mu": round(12 + 40 * strength * rng.uniform(0.8, 1.2), 1)}
        department["eco_added_value"] = round(3000 + 20000 * strength * rng.uniform(0.7, 1.3), 0)
        if index == 4:
            department["env_permit"] = False
        services.record_department_values(city_user, scorecard, department, "市税务局、市统计局（演示）", "演示数据")
        if index in (0, 2, 3, 6):
            services.assign_expert(city_user, scorecard.pk, expert_user.pk)
            onsite = {"env_fugitive": "10" if index == 0 else "8", "env_monitoring": "3"}
            services.record_onsite(expert_user, scorecard.pk, onsite, {"env_fugitive": "现场核查：料场全封闭（演示）"})
        if index in RED_LINES:
            code, detail = RED_LINES[index]
            services.mark_red_line(city_user, scorecard.pk, code, detail)
    return {"scorecards": len(chosen)}
