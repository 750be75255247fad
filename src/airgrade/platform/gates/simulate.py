"""A gate simulator (issue 11 §8): realistic passage records for the demo, tests and benchmarks — a truck fleet with
a stage mix, working-hour arrivals, an exit after each entry, a few unregistered plates. Seeded, so reproducible."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass

from airgrade.core.gates import PROVINCES

BEIJING = dt.timezone(dt.timedelta(hours=8))
# A cement plant's road fleet around 2026 (believed, not sourced: demo data only): mostly 国五/国六, some gas and
# new-energy trucks, a tail of 国四.
FLEET_MIX = (("国六", "diesel", 0.45), ("国五", "diesel", 0.25), ("国五", "gas", 0.08), ("新能源", "electric", 0.1),
             ("国四", "diesel", 0.12))  # fmt: skip
CARGO = ("石灰石", "熟料", "煤", "水泥", "粉煤灰", "石膏")


@dataclass(frozen=True)
class Truck:
    plate: str
    stage: str
    fuel: str


def fleet(size: int, seed: int, province: str = "豫", office: str = "A") -> list[Truck]:
    rng = random.Random(seed)
    trucks = []
    plates: set[str] = set()
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
    while len(trucks) < size:
        stage, fuel, _ = rng.choices(FLEET_MIX, weights=[w for *_, w in FLEET_MIX])[0]
        body = "".join(rng.choice(letters) for _ in range(6 if fuel == "electric" else 5))
        plate = f"{province}{office}{body}"
        if plate not in plates:
            plates.add(plate)
            trucks.append(Truck(plate, stage, fuel))
    return trucks


def passages(
    trucks: list[Truck],
    start: dt.date,
    days: int,
    per_day: int,
    seed: int,
    *,
    first_sequence: int = 1,
    unknown_share: float = 0.01,
    until: dt.datetime | None = None,
) -> Iterator[dict[str, object]]:
    """Records of one gate device in the vendor-neutral format (docs/gates.md), in sequence order: each visit is an
    entry and, 20–120 minutes later, an exit; visits fall between 06:00 and 22:00 Beijing time, fewer on Sundays,
    none after `until` (a gate does not report the future)."""
    rng = random.Random(seed)
    sequence = first_sequence
    for day_index in range(days):
        day = start + dt.timedelta(days=day_index)
        base = dt.datetime.combine(day, dt.time(6), BEIJING)
        visits = per_day / 2 * rng.uniform(0.75, 1.15) * (0.6 if day.weekday() == 6 else 1)
        arrivals = sorted(rng.randrange(0, 16 * 3600) for _ in range(max(1, round(visits))))
        for offset in arrivals:
            if rng.random() < unknown_share:
                plate = f"{rng.choice(PROVINCES)}{rng.choice('ABCDEF')}{rng.randrange(10000, 99999)}"
                stage = rng.choice(("国三", "国四", "国五"))
            else:
                truck = rng.choice(trucks)
                plate, stage = truck.plate, truck.stage
            at = base + dt.timedelta(seconds=offset)
            cargo = rng.choice(CARGO)
            for direction, moment in (("in", at), ("out", at + dt.timedelta(minutes=rng.randrange(20, 120)))):
                if until is not None and moment > until:
                    continue
                yield {
                    "seq": sequence,
                    "plate": plate,
                    "direction": direction,
                    "time": moment.isoformat(timespec="seconds"),
                    "lane": "1",
                    "stage": stage,
                    "cargo": cargo,
                    "tonnage": round(rng.uniform(25, 49), 1) if direction == "in" else None,
                    "result": "pass",
                }
                sequence += 1
