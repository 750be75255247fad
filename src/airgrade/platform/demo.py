"""Demo data, written through the services: regions, one user per role, about 300 fictional enterprises in Henan,
then the Zhengzhou grading workflow and grade registry, then the emergency lists (which read the registry)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from airgrade.core import credit_code
from airgrade.core.credit_code import ALPHABET
from airgrade.core.types import Role
from airgrade.platform.accounts.models import User
from airgrade.platform.enterprises import services as registry
from airgrade.platform.enterprises.models import Enterprise
from airgrade.platform.permissions import within
from airgrade.platform.regions.models import Region
from airgrade.platform.regions.services import load_regions

# Demo-only credentials, printed by `make run` and listed in the README. Never use them in production.
DEMO_PASSWORD = "airgrade-demo-2026"
DEMO_REGION = {Role.PROVINCE: "410000", Role.CITY: "410100", Role.COUNTY: "410181"}


@dataclass(frozen=True)
class LineTemplate:
    process_type: str
    unit: str
    low: float
    high: float
    energy: str


# Per industry: the processes a fictional enterprise of that industry runs (names as in the guide's chapters).
INDUSTRY_LINES: dict[str, list[LineTemplate]] = {
    "cement": [
        LineTemplate("新型干法熟料生产线", "t/d", 2500, 6000, "煤"),
        LineTemplate("水泥粉磨站", "万t/a", 60, 200, "电"),
    ],
    "brick_tile": [LineTemplate("隧道窑烧结砖生产线", "万块/a", 3000, 9000, "煤矸石内燃")],
    "ceramics": [
        LineTemplate("辊道窑", "万m²/a", 300, 1500, "天然气"),
        LineTemplate("喷雾干燥塔", "t/h", 10, 40, "天然气"),
    ],
    "refractories": [
        LineTemplate("隧道窑", "t/a", 20000, 80000, "天然气"),
        LineTemplate("竖窑", "t/a", 10000, 50000, "煤气"),
    ],
    "glass": [LineTemplate("浮法玻璃熔窑", "t/d", 500, 1200, "天然气")],
    "lime_kiln": [
        LineTemplate("双膛石灰窑", "t/d", 300, 600, "煤气"),
        LineTemplate("回转窑", "t/d", 600, 1200, "煤"),
    ],
    "foundry": [
        LineTemplate("中频感应电炉", "t/h", 2, 10, "电"),
        LineTemplate("静压造型线", "万t/a", 1, 5, "电"),
    ],
    "coking": [LineTemplate("焦炉", "万t/a", 60, 150, "焦炉煤气")],
    "carbon": [
        LineTemplate("阳极焙烧炉", "万t/a", 5, 20, "天然气"),
        LineTemplate("煅烧回转窑", "万t/a", 5, 15, "天然气"),
    ],
    "electrolytic_aluminium": [LineTemplate("电解槽系列", "万t/a", 10, 40, "电")],
    "alumina": [LineTemplate("焙烧炉", "万t/a", 50, 150, "天然气")],
    "secondary_nonferrous": [LineTemplate("再生铝熔炼炉", "t/d", 30, 150, "天然气")],
    "nonferrous_rolling": [LineTemplate("铝板带热轧线", "万t/a", 5, 30, "天然气")],
    "packaging_printing": [
        LineTemplate("凹版印刷机", "台", 1, 1, "电"),
        LineTemplate("柔版印刷机", "台", 1, 1, "电"),
    ],
    "furniture": [LineTemplate("木器涂装线", "万件/a", 1, 10, "电")],
    "industrial_coating": [LineTemplate("喷涂线", "万m²/a", 5, 50, "天然气")],
    "wood_panel": [LineTemplate("刨花板连续平压线", "万m³/a", 10, 40, "生物质")],
    "pharmaceutical": [LineTemplate("原料药合成车间", "t/a", 100, 2000, "蒸汽")],
    "rubber_products": [LineTemplate("密炼硫化车间", "万条/a", 50, 300, "蒸汽")],
    "petrochemical": [LineTemplate("常减压装置", "万t/a", 200, 800, "燃料气")],
    "machining": [LineTemplate("机加工车间", "万件/a", 1, 20, "电")],
}
NAME_WORDS = [
    "华源",
    "中原",
    "嵩山",
    "黄河",
    "宏达",
    "金马",
    "瑞丰",
    "恒信",
    "天成",
    "豫新",
    "鑫磊",
    "永安",
    "鼎盛",
    "伏牛",
    "太行",
    "汇丰",
    "广利",
    "兴业",
    "东方",
    "明珠",
    "长城",
    "安泰",
    "弘昌",
    "新峰",
]
INDUSTRY_WORDS = {
    "cement": "水泥",
    "brick_tile": "新型建材",
    "ceramics": "陶瓷",
    "refractories": "耐火材料",
    "glass": "玻璃",
    "lime_kiln": "钙业",
    "foundry": "铸造",
    "coking": "焦化",
    "carbon": "炭素",
    "electrolytic_aluminium": "铝业",
    "alumina": "氧化铝",
    "secondary_nonferrous": "再生金属",
    "nonferrous_rolling": "铝加工",
    "packaging_printing": "印务",
    "furniture": "家具",
    "industrial_coating": "机械涂装",
    "wood_panel": "木业",
    "pharmaceutical": "制药",
    "rubber_products": "橡胶",
    "petrochemical": "石化",
    "machining": "机械",
}
OUTLET_POLLUTANTS = {
    "building_materials": ["PM", "SO2", "NOx"],
    "metal": ["PM", "SO2", "NOx"],
    "vocs": ["VOCs", "PM"],
    "local": ["PM", "VOCs"],
}


def _credit_code(rng: random.Random, region_code: str, taken: set[str]) -> str:
    while True:
        body = "91" + region_code + "".join(rng.choice(ALPHABET) for _ in range(9))
        code = credit_code.make(body)
        if code not in taken:
            taken.add(code)
            return code


def ensure_users(enterprise: Enterprise | None = None) -> dict[Role, User]:
    """One demo user per role (idempotent). The enterprise user is bound to `enterprise` when given."""
    users: dict[Role, User] = {}
    hashed = ""
    for role in (Role.PROVINCE, Role.CITY, Role.COUNTY, Role.EXPERT, Role.ENTERPRISE):
        user = User.objects.filter(username=role.value).first()
        if user is None:
            user = User(username=role.value, role=role.value, display_name=f"演示{role.label_zh}用户")
            # The password hasher is slow on purpose; the demo users share one password, so hash it once.
            hashed = hashed or make_password(DEMO_PASSWORD)
            user.password = hashed
        user.region_id = DEMO_REGION.get(role)
        if role is Role.ENTERPRISE and enterprise is not None:
            user.enterprise = enterprise
        if role is not Role.ENTERPRISE or user.enterprise_id is not None:
            user.save()
        users[role] = user
    if not User.objects.filter(username="admin").exists():
        User.objects.create_superuser("admin", password=DEMO_PASSWORD, role=Role.PROVINCE.value, region_id="410000")
    return users


@transaction.atomic
def load_demo(enterprise_count: int = 300, seed: int = 2026) -> dict[str, Any]:
    """Load the demo once (a second run writes nothing): regions, users, enterprises, then the Zhengzhou grading
    workflow and grades, then the emergency lists, which take each site's grade from the registry (REQ H21-7)."""
    from airgrade.platform.demo_workflow import load_demo_workflow
    from airgrade.platform.emergency.demo import load_demo_lists
    from airgrade.platform.scorecards.demo import load_demo_scorecards

    load_regions()
    created = _load_enterprises(enterprise_count, seed)
    users = ensure_users(Enterprise.objects.filter(region_id=DEMO_REGION[Role.COUNTY]).order_by("pk").first())
    workflow = load_demo_workflow(users, seed)
    lists = load_demo_lists(seed=seed)
    _approve_demo_plans(users[Role.CITY])
    from airgrade.platform.gates.demo import load_demo_gates

    gates = load_demo_gates(users, seed)
    scorecards = load_demo_scorecards(users[Role.CITY], users[Role.EXPERT], users[Role.ENTERPRISE])
    _demo_lookback(users[Role.CITY])
    _demo_alert(users[Role.CITY])
    # After the active demo alert (which is only issued on an empty alert table): a past, lifted alert with data.
    from airgrade.platform.verification.demo import load_demo_verification

    verification = load_demo_verification(seed)
    from airgrade.platform.verification.demo_crosscheck import load_demo_crosschecks

    crosschecks = load_demo_crosschecks()
    return {
        "created": created,
        "enterprises": Enterprise.objects.count(),
        "declarations_created": workflow["created"],
        "declarations": workflow["declarations"],
        "grades": workflow["grades"],
        "list_entries_created": lists["created"],
        "list_entries": lists["entries"],
        "gate_records": gates["records"],
        "scorecards": scorecards["scorecards"],
        "verification": verification,
        "crosschecks": crosschecks,
    }


# Demo curtailment plans for non-interruptible processes (REQ SJZ-10), percent of output per alert level;
# illustrative values, not official. 玻璃 is left without a plan so that the list check has something to report.
DEMO_PLANS = {"coking": (10, 20, 30), "electrolytic_aluminium": (5, 10, 15)}


def _approve_demo_plans(city_user: User) -> None:
    from airgrade.platform.emergency import services as emergency
    from airgrade.platform.emergency.models import NonInterruptiblePlan

    if NonInterruptiblePlan.objects.exists():
        return
    for code, (yellow, orange, red) in DEMO_PLANS.items():
        emergency.save_plan(
            city_user,
            {
                "region": DEMO_REGION[Role.CITY],
                "industry_code": code,
                "yellow_percent": yellow,
                "orange_percent": orange,
                "red_percent": red,
                "note": "演示方案：不可中断工序按日产量限产（演示数值）",
            },
            "演示数据",
        )


def _demo_lookback(city_user: User) -> None:
    """A 回头看 round of Zhengzhou's A / B / 引领性 grades (REQ H23-1) with results at both stages: a passed one, a
    minor problem settled with a rectification order and a serious one still to settle, so the round, its 问题企业
    汇总表 and the settle step all have something to show."""
    import datetime as dt

    from airgrade.platform.grades import services as grades
    from airgrade.platform.grades.models import LookbackRound

    if LookbackRound.objects.exists():
        return
    today = grades.today()
    round_ = grades.start_lookback(
        city_user,
        region_code=DEMO_REGION[Role.CITY],
        year=today.year,
        qualification_due=today + dt.timedelta(days=20),
        onsite_due=today + dt.timedelta(days=50),
    )
    items = list(round_.items.order_by("id")[:3])
    findings = [
        ("pass", "", "pass", ""),
        ("pass", "", "minor", "无组织排放收集台账记录不全，部分月份缺失。"),
        ("minor", "环评批复与实际产能不一致，未说明。", "serious", "脱硝设施停运，在线监测数据缺失三天。"),
    ]
    for item, (qualification, q_note, onsite, o_note) in zip(items, findings, strict=False):
        grades.record_lookback_result(city_user, item.pk, stage="qualification", result=qualification, note=q_note)
        grades.record_lookback_result(city_user, item.pk, stage="onsite", result=onsite, note=o_note)
    if len(items) > 1:
        grades.settle_lookback_item(
            city_user,
            items[1].pk,
            outcome="rectify",
            deadline=today + dt.timedelta(days=30),
            note="限期补齐无组织排放台账。",
        )


ACTIVE_ALERT_TITLE = "巩义市重污染天气橙色预警（演示）"


def _demo_alert(city_user: User) -> None:
    """An orange alert over the demo county, active since two hours ago: the enterprise home shows the banner and
    its task, the city and county the alert with its tasks; two tasks acknowledged so the counts move."""
    import datetime as dt

    from django.utils import timezone

    from airgrade.platform.emergency import services as emergency
    from airgrade.platform.emergency.models import AlertEvent

    # Other demo parts issue and lift past alerts of their own; this one is the alert still in force.
    if AlertEvent.objects.filter(title=ACTIVE_ALERT_TITLE).exists():
        return
    event = emergency.issue_alert(
        city_user,
        {
            "region_codes": [DEMO_REGION[Role.COUNTY]],
            "level": "orange",
            "starts_at": timezone.now() - dt.timedelta(hours=2),
            "title": ACTIVE_ALERT_TITLE,
        },
        "演示数据：气象条件不利，预计未来三天出现中度污染",
    )
    demo_enterprise = User.objects.filter(username="enterprise").values_list("enterprise_id", flat=True).first()
    others = event.tasks.exclude(entry__enterprise_id=demo_enterprise).order_by("id")[:2]
    for task in others:
        owner = User.objects.filter(role=Role.ENTERPRISE.value, enterprise_id=task.entry.enterprise_id).first()
        if owner is not None:
            emergency.acknowledge_task(owner, task.pk)


def _load_enterprises(enterprise_count: int, seed: int) -> int:
    """Fictional enterprises with sites, industries, lines and outlets; none if the registry has any."""
    if Enterprise.objects.exists():
        return 0
    users = ensure_users()
    province = users[Role.PROVINCE]
    rng = random.Random(seed)
    counties = list(Region.objects.filter(within("410000", "code"), level="county"))
    home_county = [c for c in counties if c.code == DEMO_REGION[Role.COUNTY]]
    city_counties = [c for c in counties if c.code.startswith(DEMO_REGION[Role.CITY][:4]) and c not in home_county]
    industries = list(INDUSTRY_LINES)
    taken: set[str] = set()
    from airgrade.core.industries import industry_by_code

    for number in range(enterprise_count):
        # A quarter of the demo sits in the demo county, so the county reviewer has a full list to work on, and
        # another quarter in the demo city's other counties, so the city reviews a whole city.
        if number % 4 == 0:
            county = home_county[0]
        elif number % 4 == 1:
            county = rng.choice(city_counties)
        else:
            county = rng.choice(counties)
        industry_code = industries[number % len(industries)]
        name = f"{county.name.rstrip('市县区')}{rng.choice(NAME_WORDS)}{INDUSTRY_WORDS[industry_code]}有限公司"
        while Enterprise.objects.filter(name=name).exists():
            name = f"{county.name.rstrip('市县区')}{rng.choice(NAME_WORDS)}{rng.choice(NAME_WORDS)}{INDUSTRY_WORDS[industry_code]}有限公司"
        enterprise = registry.create_enterprise(
            province,
            {
                "credit_code": _credit_code(rng, county.code, taken),
                "name": name,
                "region": county.code,
                "address": f"{county.full_name()}产业集聚区{rng.randint(1, 99)}号",
                "contact_name": rng.choice("王李张刘陈杨赵黄周吴")
                + rng.choice(["伟", "敏", "静", "磊", "洋", "军", "芳"]),
                "contact_phone": f"1{rng.choice('3589')}{rng.randint(100000000, 999999999)}",
            },
            reason="演示数据",
        )
        site = registry.add_site(province, enterprise.pk, {"name": "主厂区", "region": county.code}, "演示数据")
        codes = [industry_code]
        # About one in eight enterprises also sprays paint and is graded under 工业涂装 too (multi-industry, REQ LC-5).
        if industry_code not in ("industrial_coating", "furniture") and rng.random() < 0.125:
            codes.append("industrial_coating")
        registry.set_site_industries(province, site.pk, [{"industry_code": c} for c in codes], "演示数据")
        for code in codes:
            for index, template in enumerate(INDUSTRY_LINES[code], start=1):
                for copy in range(1 if template.unit != "台" else rng.randint(2, 4)):
                    capacity = (
                        template.low if template.low == template.high else rng.uniform(template.low, template.high)
                    )
                    registry.add_line(
                        province,
                        site.pk,
                        {
                            "name": f"{index + copy}#{template.process_type}",
                            "process_type": template.process_type,
                            "capacity": round(capacity, 1),
                            "capacity_unit": template.unit,
                            "energy_type": template.energy,
                            "industry_code": code,
                            "status": "backup" if rng.random() < 0.05 else "running",
                            "non_interruptible": code in ("glass", "coking", "electrolytic_aluminium"),
                        },
                        "演示数据",
                    )
        family = industry_by_code(industry_code).family  # type: ignore[union-attr]
        registry.add_outlet(
            province,
            site.pk,
            {"code": "DA001", "name": "主排放口", "pollutants": OUTLET_POLLUTANTS[family]},
            "演示数据",
        )
    return enterprise_count
