"""Resolve what a spreadsheet names — credit codes, counties by name or code, industries by name or code,
enterprises and sites already registered — in bulk, once per import, inside the caller's scope."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from airgrade.core import credit_code
from airgrade.core.access import Actor, Target, decide
from airgrade.core.errors import AirgradeError
from airgrade.core.industries import Industry, all_industries, industry_by_code
from airgrade.core.regions import contains
from airgrade.io.excel.spec import fold
from airgrade.platform.enterprises.models import Enterprise, Site
from airgrade.platform.permissions import within
from airgrade.platform.regions.models import Region

# SQLite allows a limited number of query parameters; look rows up in batches.
BATCH = 500
DEFAULT_SITE = "主厂区"


class Unresolved(AirgradeError, ValueError):
    """A value that names nothing we know, with the Chinese reason."""


def check_credit_code(value: Any) -> str:
    try:
        return credit_code.validate(str(value or ""))
    except credit_code.CreditCodeError as exc:
        raise Unresolved(str(exc)) from None


class Lookups:
    """Everything an import resolves, loaded in a few queries and kept for the run."""

    def __init__(self, actor: Actor):
        self.actor = actor
        self._industries: dict[str, Industry] = {}
        self._folded: dict[Any, str] = {}
        self._applies: dict[tuple[str, str], bool] = {}
        self._by_text: dict[Any, Region] = {}
        for industry in all_industries():
            self._industries[fold(industry.code)] = industry
            self._industries[fold(industry.name_zh)] = industry
        regions = Region.objects.exclude(level="province")
        if actor.region_code:
            regions = regions.filter(within(actor.region_code, "code"))
        self._regions: dict[str, Region] = {}
        self._names: dict[str, list[Region]] = {}
        for region in regions:
            self._regions[region.code] = region
            self._names.setdefault(fold(region.name), []).append(region)
        self.enterprises: dict[str, Enterprise] = {}
        self.sites: dict[tuple[int, str], Site] = {}
        self.site_count: dict[int, int] = {}

    def industry(self, value: Any, region_code: str) -> Industry:
        folded = self._folded.get(value)
        if folded is None:  # a list names a handful of industries on many rows: fold each once
            folded = self._folded[value] = fold(value)
        found = self._industries.get(folded)
        if found is None:
            raise Unresolved(f"未知的重点行业“{value}”（按技术指南行业名称或行业代码填写）")
        applies = self._applies.get((found.code, region_code))
        if applies is None:
            applies = self._applies[(found.code, region_code)] = found.applies_in(region_code)
        if not applies:
            raise Unresolved(f"{found.name_zh}是地方行业，不适用于本地区")
        return found

    def region(self, value: Any) -> Region:
        try:
            return self._by_text[value]  # the same few counties on every row
        except (KeyError, TypeError):
            pass
        region = self._region(value)
        if isinstance(value, str | int | float):
            self._by_text[value] = region
        return region

    def _region(self, value: Any) -> Region:
        text = str(value or "").strip()
        if text.isdigit() and len(text) == 6:
            region = self._regions.get(text)
            if region is None:
                raise Unresolved(f"行政区划代码 {text} 不存在或不在本账号管辖范围内")
            return region
        candidates = self._names.get(fold(text), [])
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            raise Unresolved(f"“{text}”对应多个行政区划，请填写6位行政区划代码")
        raise Unresolved(f"“{text}”不是本账号管辖范围内的县（市、区）")

    def load(self, codes: Iterable[str]) -> None:
        """Fetch the registered enterprises among `codes` and their sites."""
        wanted = sorted(set(codes) - set(self.enterprises))
        for start in range(0, len(wanted), BATCH):
            batch = wanted[start : start + BATCH]
            for enterprise in Enterprise.objects.filter(credit_code__in=batch).select_related("region"):
                self.enterprises[enterprise.credit_code] = enterprise
        ids = [enterprise.pk for enterprise in self.enterprises.values()]
        for start in range(0, len(ids), BATCH):
            for site in Site.objects.filter(enterprise_id__in=ids[start : start + BATCH]).select_related(
                "enterprise", "region"
            ):
                self.sites[(site.enterprise_id, fold(site.name))] = site
                self.site_count[site.enterprise_id] = self.site_count.get(site.enterprise_id, 0) + 1

    def may_edit(self, enterprise: Enterprise, action: str) -> bool:
        return bool(decide(self.actor, action, Target(region_code=enterprise.region_id, enterprise_id=enterprise.pk)))

    def in_scope(self, region_code: str) -> bool:
        return bool(self.actor.region_code) and contains(self.actor.region_code or "", region_code)

    def site(self, enterprise: Enterprise, name: str) -> Site | None:
        """The named site, or the enterprise's only site when no name is given."""
        if name:
            return self.sites.get((enterprise.pk, fold(name)))
        if self.site_count.get(enterprise.pk) == 1:
            return next(site for (owner, _), site in self.sites.items() if owner == enterprise.pk)
        return self.sites.get((enterprise.pk, fold(DEFAULT_SITE)))


def industry_name(code: str) -> str:
    industry = industry_by_code(code)
    return industry.name_zh if industry else code
