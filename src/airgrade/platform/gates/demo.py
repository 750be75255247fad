"""Demo gate ledger (issue 11): a 巩义 cement site with two gates, registers of trucks, in-plant vehicles and
machinery, six months of simulated passages (ingested in bulk through the real service, so the chain is real), and a
past orange alert during which a few 国四 trucks were let in; two months of video references at its two loading
places, with three days missing at one; and a logistics park (SJZ-6) with one gate and five days of records.
Idempotent: a site that has a ledger (or video references) is left alone."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from typing import Any

from django.utils import timezone

from airgrade.core.gates import VehicleRule, violates
from airgrade.platform.enterprises.models import Site
from airgrade.platform.gates import services
from airgrade.platform.gates import simulate as sim
from airgrade.platform.gates.models import GateDevice, LedgerHead, LogisticsPark, Vehicle, VideoReference

DEMO_COUNTY = "410181"  # 巩义
DAYS = 182
PER_DAY = 60  # records per gate and day (30 visits: an entry and an exit each)
BATCH = 5000
INPLANT = (("豫A0001N", "国六", "diesel", "装载机运输车"), ("豫AD00002", "新能源", "electric", "厂内转运车"),
           ("豫A0003N", "国五", "diesel", "洒水车"))  # fmt: skip
NONROAD = (("HB41018100001", "国四", "diesel", "装载机"), ("HB41018100002", "国三", "diesel", "叉车"),
           ("HB41018100003", "新能源", "electric", "电动叉车"))  # fmt: skip


def demo_site() -> Site | None:
    """The first cement site of the demo county (the demo enterprise user's, when it is a cement enterprise)."""
    return (
        Site.objects.filter(region_id=DEMO_COUNTY, industries__industry_code="cement")
        .select_related("enterprise")
        .order_by("enterprise_id", "pk")
        .first()
    )


def load_demo_gates(users: dict[Any, Any], seed: int = 2026) -> dict[str, int]:
    site = demo_site()
    if site is None or LedgerHead.objects.filter(site=site).exists():
        if site is not None:
            _demo_videos(site)
        return {"records": _demo_park(users, seed)}
    rng = random.Random(seed)
    trucks = sim.fleet(80, seed)
    _registers(site, trucks, rng)
    east = services.create_device_unchecked(site, "GATE-E1", "东门（原料进厂）", actor="演示数据")
    west = services.create_device_unchecked(site, "GATE-W1", "西门（成品出厂）", actor="演示数据")
    today = timezone.localdate()
    start = today - dt.timedelta(days=DAYS - 1)
    alert_start = dt.datetime.combine(today - dt.timedelta(days=20), dt.time(20), sim.BEIJING)
    alert_end = alert_start + dt.timedelta(days=3)
    rule = _demo_alert(users, site, alert_start, alert_end)
    fuels = {truck.plate: truck.fuel for truck in trucks}
    total = 0
    for device, device_seed, drop in ((east, seed, None), (west, seed + 1, (4001, 4030))):
        records = list(sim.passages(trucks, start, DAYS, PER_DAY, device_seed, until=timezone.now()))
        refused_exit = False
        for record in records:
            moment = dt.datetime.fromisoformat(str(record["time"]))
            if record["direction"] == "out":
                if refused_exit:
                    record["result"] = "refused"
                refused_exit = False
                continue
            # During the alert the gate refuses what the site's vehicle rule bans, but lets one in ten through
            # (the violations the alert page lists); a refused truck's exit is refused with it.
            banned = alert_start <= moment < alert_end and violates(
                rule,
                kind="road",
                direction="in",
                allowed=True,
                stage=str(record["stage"]),
                fuel=fuels.get(str(record["plate"]), ""),
            )
            if banned and rng.random() < 0.9:
                record["result"] = "refused"
                refused_exit = True
        if drop is not None:
            # Thirty records the west gate never delivered: a sequence gap that verification reports.
            records = [r for r in records if not drop[0] <= int(str(r["seq"])) <= drop[1]]
        for begin in range(0, len(records), BATCH):
            total += services.ingest(device, records[begin : begin + BATCH], actor="演示门禁").accepted
    _demo_videos(site)
    total += _demo_park(users, seed)
    return {"records": total}


VIDEO_DAYS = 60
VIDEO_PLACES = ("原料库装卸点", "成品库装车点")
VIDEO_MISSING = (9, 10, 24)  # days ago on which the raw-material place has no clip (trucks came those days)


def _demo_videos(site: Site) -> int:
    """Two months of daily clips (08:00–20:00) at the site's two loading places, registered through the video API's
    service with the east gate's credential; three days missing at the raw-material place."""
    device = GateDevice.objects.filter(site=site, code="GATE-E1", revoked_at__isnull=True).first()
    if device is None or VideoReference.objects.filter(site=site).exists():
        return 0
    today = timezone.localdate()
    items = []
    for ago in range(VIDEO_DAYS, 0, -1):
        day = today - dt.timedelta(days=ago)
        for number, place in enumerate(VIDEO_PLACES, start=1):
            if number == 1 and ago in VIDEO_MISSING:
                continue
            uri = f"nvr://gongyi-cement/ch{number:02d}/{day:%Y%m%d}-0800.mp4"
            items.append(
                {
                    "place": place,
                    "started_at": dt.datetime.combine(day, dt.time(8), sim.BEIJING).isoformat(),
                    "ended_at": dt.datetime.combine(day, dt.time(20), sim.BEIJING).isoformat(),
                    "uri": uri,
                    "sha256": hashlib.sha256(uri.encode()).hexdigest(),  # demo: stands in for the file's hash
                }
            )
    return services.record_videos(device, items).accepted


PARK_DAYS = 5


def _demo_park(users: dict[str, Any], seed: int) -> int:
    """A logistics park in 巩义 (SJZ-6) registered by the demo city user, with one gate, a truck register and a few
    days of simulated records: the same ledger page as the cement site, listed as 物流园区."""
    from airgrade.core.credit_code import make as make_credit_code
    from airgrade.core.types import Role

    city = users.get(Role.CITY)
    if city is None or LogisticsPark.objects.exists():
        return 0
    park = services.register_park(
        city,
        {
            "kind": "park",
            "name": "巩义陆港物流园（演示）",
            "region": DEMO_COUNTY,
            "operator": "巩义陆港物流有限公司（演示）",
            "operator_credit_code": make_credit_code(f"91{DEMO_COUNTY}MA0000001"),
            "address": "巩义市站街镇物流大道 1 号",
        },
    )
    trucks = sim.fleet(40, seed + 7)
    rng = random.Random(seed + 7)
    _registers(park.site, trucks, rng, machinery=False)
    gate = services.create_device_unchecked(park.site, "PARK-N1", "园区北门", actor="演示数据")
    start = timezone.localdate() - dt.timedelta(days=PARK_DAYS - 1)
    records = list(sim.passages(trucks, start, PARK_DAYS, PER_DAY, seed + 7, until=timezone.now()))
    accepted = 0
    for begin in range(0, len(records), BATCH):
        accepted += services.ingest(gate, records[begin : begin + BATCH], actor="演示门禁").accepted
    return accepted


def _registers(site: Site, trucks: list[sim.Truck], rng: random.Random, machinery: bool = True) -> None:
    """Registers in bulk: one audit record for the lot (demo data); a park registers trucks only."""
    rows = [
        Vehicle(site=site, kind="road", plate=t.plate, plate_colour="green" if t.fuel == "electric" else "yellow",
                vehicle_type="重型半挂牵引车", fuel=t.fuel, stage=t.stage, evidence="随车清单、行驶证已上传",
                owner=rng.choice(("巩义顺达物流", "郑州华运车队", "自有车队")))
        for t in trucks
    ]  # fmt: skip
    if not machinery:
        services.load_registers_unchecked(site, rows, "演示数据")
        return
    rows += [
        Vehicle(site=site, kind="inplant", plate=plate, vehicle_type=kind, fuel=fuel, stage=stage, owner="自有车队")
        for plate, stage, fuel, kind in INPLANT
    ]
    rows += [
        Vehicle(site=site, kind="nonroad", env_code=code, vehicle_type=kind, fuel=fuel, stage=stage, engine="演示型号")
        for code, stage, fuel, kind in NONROAD
    ]
    services.load_registers_unchecked(site, rows, "演示数据")


def _demo_alert(users: dict[Any, Any], site: Site, starts: dt.datetime, ends: dt.datetime) -> VehicleRule:
    """A past orange alert over 巩义, issued and lifted by the demo city user; the site's vehicle rule under it."""
    from airgrade.core.types import Role
    from airgrade.platform.emergency import services as emergency
    from airgrade.platform.emergency.models import AlertTask

    city = users.get(Role.CITY)
    if city is None:
        return VehicleRule()
    event = emergency.issue_alert(
        city,
        {
            "region_codes": [DEMO_COUNTY],
            "level": "orange",
            "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": ends.strftime("%Y-%m-%dT%H:%M"),
            "title": "巩义市橙色预警（演示）",
        },
        "演示数据：重污染天气会商",
    )
    emergency.lift_alert(city, event.pk, "演示数据：预警结束")
    task = AlertTask.objects.filter(event=event, entry__site=site).first()
    plan = task.plan if task is not None and isinstance(task.plan, dict) else {}
    return VehicleRule.from_dict(plan.get("vehicle_rule"))
