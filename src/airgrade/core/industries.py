"""The catalogue of key industries (REQ G-1), as the rule book holds it.

There is one catalogue: `common/industries.yaml`, read and validated once by the rule-book loader
(`RuleBook.catalogue`). This module is the short way to ask the packaged book about it; an industry is the rule
book's `CatalogueEntry` (code, Chinese and English name, family, jurisdiction).
"""

from __future__ import annotations

from airgrade.core.rules.rulebook import default_rulebook
from airgrade.core.rules.schema import FAMILY_LABELS_ZH as FAMILY_LABELS
from airgrade.core.rules.schema import CatalogueEntry as Industry
from airgrade.core.rules.schema import jurisdiction_covers

__all__ = [
    "FAMILY_LABELS",
    "Industry",
    "all_industries",
    "industries_for_region",
    "industry_by_code",
    "jurisdiction_covers",
]


def all_industries() -> tuple[Industry, ...]:
    return default_rulebook().catalogue


def industry_by_code(code: str) -> Industry | None:
    """The industry, or None for a code the catalogue does not have (callers say so in their own words)."""
    return default_rulebook().industry_or_none(code)


def industries_for_region(region_code: str) -> list[Industry]:
    return default_rulebook().industries(region_code)
