"""The packaged rule book loads, covers every industry, and answers as-of lookups (REQ G-1, G-5, G-7)."""

from __future__ import annotations

import datetime as dt

import pytest

from airgrade.core.industries import all_industries
from airgrade.core.measures import (
    Curtail,
    SelfDetermined,
    StopLineShare,
    StopProduction,
    StopRoadTransport,
    StopVehicles,
)
from airgrade.core.rules.rulebook import RuleLookupError, default_rulebook
from airgrade.core.types import AlertLevel, EmissionStage, Grade

AS_OF = dt.date(2021, 1, 1)


def test_every_catalogue_industry_has_rules_and_measures() -> None:
    book = default_rulebook()
    codes = {industry.code for industry in all_industries()}
    assert len([i for i in all_industries() if i.jurisdiction == "national"]) == 39
    assert len([i for i in all_industries() if i.jurisdiction == "130000"]) == 8
    assert codes == set(book.rules) == set(book.measures_tables)
    for code in codes:
        rules = book.rules_for(code, AS_OF)
        assert rules.indicators, code
        for grade in rules.grades:
            for level in AlertLevel:
                assert isinstance(book.measures(code, grade, level, AS_OF), list)


def test_cement_measures_follow_the_guide_table() -> None:
    # REQ G-5; guide-facts §3 水泥 [V].
    book = default_rulebook()
    assert book.measures("cement", Grade.A, AlertLevel.RED, AS_OF) == [SelfDetermined()]
    assert book.measures("cement", Grade.B, AlertLevel.YELLOW, AS_OF) == [
        StopVehicles(at_or_below=EmissionStage.CHINA_4)
    ]
    assert book.measures("cement", Grade.B, AlertLevel.ORANGE, AS_OF) == [
        Curtail(percent=20),
        StopVehicles(at_or_below=EmissionStage.CHINA_4),
    ]
    assert book.measures("cement", Grade.C, AlertLevel.YELLOW, AS_OF)[0] == StopLineShare(share=0.5)
    assert book.measures("cement", Grade.C, AlertLevel.ORANGE, AS_OF)[0] == StopProduction()
    assert book.measures("cement", Grade.D, AlertLevel.YELLOW, AS_OF) == [
        StopProduction(),
        StopRoadTransport(),
    ]


def test_measures_before_any_rule_or_for_a_foreign_grade_are_refused() -> None:
    book = default_rulebook()
    with pytest.raises(RuleLookupError, match="尚无生效"):
        book.measures("cement", Grade.B, AlertLevel.RED, dt.date(2019, 1, 1))
    with pytest.raises(RuleLookupError):
        book.measures("cement", Grade.LEADING, AlertLevel.RED, AS_OF)
    with pytest.raises(RuleLookupError, match="未知的行业"):
        book.measures("no_such_industry", Grade.B, AlertLevel.RED, AS_OF)


def test_local_industry_does_not_apply_in_another_province() -> None:
    book = default_rulebook()
    assert book.rules_for("machining", AS_OF, "410100").industry.jurisdiction == "410000"
    with pytest.raises(RuleLookupError, match="地方行业"):
        book.rules_for("machining", AS_OF, "130100")
    codes = {entry.code for entry in book.industries("130100")}
    assert "stone_processing" in codes and "machining" not in codes


def test_version_is_a_content_hash() -> None:
    book = default_rulebook()
    assert len(book.version) == 16
    int(book.version, 16)
