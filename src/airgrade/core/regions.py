"""Administrative region codes (GB/T 2260): levels and containment by code prefix."""

from __future__ import annotations

from enum import StrEnum


class RegionLevel(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"


# Cities directly administered by a province (省直辖县级行政区划, e.g. 济源 419001) are coded like counties
# (xx90xx) but act as cities: their scope is the code itself.
def is_province_administered_city(code: str) -> bool:
    return code[2:4] == "90"


def level_of(code: str) -> RegionLevel:
    """The level of a six-digit region code."""
    if len(code) != 6 or not code.isdigit():
        raise ValueError(f"不是六位行政区划代码: {code!r}")
    if code[2:] == "0000":
        return RegionLevel.PROVINCE
    if code[4:] == "00" or is_province_administered_city(code):
        return RegionLevel.CITY
    return RegionLevel.COUNTY


def scope_prefix(code: str) -> str:
    """The code prefix shared by every region inside `code` (itself included)."""
    level = level_of(code)
    if level is RegionLevel.PROVINCE:
        return code[:2]
    if level is RegionLevel.CITY:
        return code if is_province_administered_city(code) else code[:4]
    return code


def scope_range(code: str) -> tuple[str, str]:
    """The inclusive code range of the regions inside `code`.

    All codes have six digits, so a range compares equal-length digit strings, which every database collation
    orders the same way; unlike a LIKE prefix, a range can use an ordinary (region, name) index to filter and sort.
    """
    prefix = scope_prefix(code)
    return prefix.ljust(6, "0"), prefix.ljust(6, "9")


def contains(scope_code: str, code: str) -> bool:
    """True when region `code` lies inside (or is) region `scope_code`."""
    return code.startswith(scope_prefix(scope_code))


def city_of(code: str) -> str:
    """The city-level code of a county or city code."""
    if is_province_administered_city(code):
        return code
    return code[:4] + "00"


def province_of(code: str) -> str:
    return code[:2] + "0000"
