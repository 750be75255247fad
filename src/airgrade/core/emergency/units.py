"""Units of the emergency list: daily emissions in t/d, capacities per day, and the plausibility ceiling.

The list states emissions per day (REQ G-5 speaks of daily averages); we accept t/d and kg/d and nothing
else, so a yearly figure typed into a daily field is refused by its unit or caught by the capacity ceiling
below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from airgrade.core.errors import AirgradeError

EMISSION_UNITS: dict[str, float] = {"t/d": 1.0, "kg/d": 0.001, "吨/天": 1.0, "千克/天": 0.001, "kg/天": 0.001}

_PERIOD_PER_DAY: dict[str, float | None] = {
    "d": 1.0,
    "天": 1.0,
    "日": 1.0,
    "h": 24.0,
    "小时": 24.0,
    "a": None,
    "年": None,  # needs the line's operating days
}

# Mass quantities in tonnes; power in MW. Everything else (万块, m³, 件, 台, 万m²…) is a valid count with no
# plausibility ceiling, because no public source ties those products to emissions.
_MASS_TONNES = {"t": 1.0, "吨": 1.0, "kg": 0.001, "千克": 0.001, "万t": 1e4, "万吨": 1e4}
_POWER_MW = {"MW": 1.0, "兆瓦": 1.0}

# provisional: no official source gives an upper emission factor. These ceilings are deliberately far above
# any real factor (cement NOx ≈ 1–2 kg/t clinker, glass NOx ≈ 3–10 kg/t, solvent printing VOCs ≤ tens of
# kg/t), so only wrong units or typing errors trip them ("远超产能允许范围").
MAX_EMISSION_T_PER_T_PRODUCT = 0.1
MAX_EMISSION_T_PER_MW_DAY = 1.0


class UnitError(AirgradeError, ValueError):
    """A unit the list cannot use; the message is Chinese and names the unit."""


@dataclass(frozen=True)
class CapacityUnit:
    """A parsed capacity unit: the quantity, its family, and how to turn one unit into a daily amount."""

    text: str
    quantity: str
    family: str  # "mass" | "power" | "count"
    to_base: float  # tonnes per unit (mass) or MW per unit (power); 1 for counts
    per_day: float | None  # multiply by this for a daily amount; None = yearly, divide by operating days

    def daily(self, value: float, operating_days: float | None) -> float:
        """A capacity in base units per day."""
        if self.family == "power":
            return value * self.to_base
        if self.per_day is None:
            if not operating_days:
                raise UnitError(f"产能单位“{self.text}”是年产能，须同时填写年运行天数")
            return value * self.to_base / operating_days
        return value * self.to_base * self.per_day


_UNIT_PATTERN = re.compile(r"^\s*(?P<quantity>[^/]+?)\s*/\s*(?P<period>[^/]+?)\s*$")


def emission_factor(unit: str) -> float:
    """Tonnes per one unit of an emission figure; refuses anything that is not a daily mass."""
    factor = EMISSION_UNITS.get(unit.strip())
    if factor is None:
        allowed = "、".join(EMISSION_UNITS)
        raise UnitError(f"排放量单位“{unit}”无效：清单按日排放量填报，只接受 {allowed}")
    return factor


@lru_cache(maxsize=256)  # a list repeats a handful of unit texts over 500,000 lines; a bad text raises and is not kept
def parse_capacity_unit(text: str) -> CapacityUnit:
    """Parse units such as t/d, 万吨/年, 万块/年, m3/h or MW."""
    stripped = text.strip()
    if stripped in _POWER_MW:
        return CapacityUnit(stripped, stripped, "power", _POWER_MW[stripped], 1.0)
    match = _UNIT_PATTERN.match(stripped)
    if match is None:
        raise UnitError(f"产能单位“{text}”无法识别：应写成“数量单位/时间”，如 t/d、万吨/年、万块/年，或 MW")
    quantity, period = match["quantity"], match["period"]
    if period not in _PERIOD_PER_DAY:
        raise UnitError(f"产能单位“{text}”的时间单位“{period}”无法识别：只接受 d/天、h/小时、a/年")
    per_day = _PERIOD_PER_DAY[period]
    if quantity in _MASS_TONNES:
        return CapacityUnit(stripped, quantity, "mass", _MASS_TONNES[quantity], per_day)
    return CapacityUnit(stripped, quantity, "count", 1.0, per_day)


def emission_ceiling(unit: CapacityUnit, daily_capacity: float) -> float | None:
    """The most a line of this daily capacity could plausibly emit in t/d (all four pollutants), or None."""
    if unit.family == "mass":
        return MAX_EMISSION_T_PER_T_PRODUCT * daily_capacity
    if unit.family == "power":
        return MAX_EMISSION_T_PER_MW_DAY * daily_capacity
    return None
