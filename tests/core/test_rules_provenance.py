"""A provisional value names no section it does not come from and says what it rests on (docs/rules.md)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from airgrade.core.rules import schema as s
from airgrade.core.rules.rulebook import default_rulebook


def test_a_provisional_source_may_omit_the_document_but_must_say_what_it_rests_on() -> None:
    assert s.Source(provenance=s.Provenance.PROVISIONAL, note="A 按超低排放值推定").provisional
    with pytest.raises(ValidationError, match="不能写 section"):
        s.Source(document="环办大气函〔2020〕340号", section="水泥 (四)", provenance=s.Provenance.PROVISIONAL, note="x")
    with pytest.raises(ValidationError, match="说明依据"):
        s.Source(provenance=s.Provenance.PROVISIONAL)
    with pytest.raises(ValidationError, match="须写明文件"):
        s.Source(provenance=s.Provenance.SECONDARY, note="转载")


def test_no_packaged_provisional_value_claims_a_section() -> None:
    book = default_rulebook()
    for industry_rules in book.rules.values():
        for indicator in industry_rules.indicators:
            for entry in indicator.thresholds:
                for grade in entry.values:
                    source = entry.source_of(grade)
                    assert not (source.provisional and source.section), (industry_rules.industry, indicator.id)
    assert any(
        entry.source_of(grade).provisional and not entry.source_of(grade).document
        for industry_rules in book.rules.values()
        for indicator in industry_rules.indicators
        for entry in indicator.thresholds
        for grade in entry.values
    )
