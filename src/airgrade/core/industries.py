"""The catalogue of key industries (REQ G-1): code, Chinese name, family and the jurisdiction that added it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

FAMILY_LABELS = {
    "metal": "金属类",
    "building_materials": "建材类",
    "vocs": "涉VOCs类",
    "local": "地方行业",
}


@dataclass(frozen=True)
class Industry:
    code: str
    name_zh: str
    name_en: str
    family: str
    jurisdiction: str

    def applies_in(self, region_code: str) -> bool:
        return jurisdiction_covers(self.jurisdiction, region_code)


def jurisdiction_covers(jurisdiction: str, region_code: str) -> bool:
    """National industries apply everywhere; a local one only inside the province that added it.

    A jurisdiction is a province code, so the two-digit prefix decides; not `regions.contains`, which raises on a
    malformed code, because the rule-book loader calls this on catalogue entries it is still reporting errors on.
    """
    return jurisdiction == "national" or region_code[:2] == jurisdiction[:2]


@cache
def all_industries() -> tuple[Industry, ...]:
    text = resources.files("airgrade.core.rules").joinpath("data/common/industries.yaml").read_text("utf-8")
    return tuple(Industry(**entry) for entry in yaml.safe_load(text)["industries"])


@cache
def _by_code() -> dict[str, Industry]:
    return {industry.code: industry for industry in all_industries()}


def industry_by_code(code: str) -> Industry | None:
    return _by_code().get(code)


def industries_for_region(region_code: str) -> list[Industry]:
    return [industry for industry in all_industries() if industry.applies_in(region_code)]
