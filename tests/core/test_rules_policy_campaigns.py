"""Campaign calendars and the B-sample default ratio are dated, cited policy data read through RuleBook.policy(as_of)
(REQ G-7, LC-2, H21-4, H23-7, LC-8, SJZ-12; issue 9)."""

from __future__ import annotations

import copy
import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from airgrade.core.rules.loader import DEFAULT_ROOT, load_rulebook
from airgrade.core.rules.rulebook import RuleLookupError, default_rulebook
from airgrade.core.workflow.campaigns import campaign_templates, template_by_code

SEEDED = {"henan-2021", "henan-2023", "liaocheng-2020", "shijiazhuang-2020"}


def test_the_seed_calendars_are_policy_data_with_their_documents() -> None:
    policy = default_rulebook().policy(dt.date(2021, 6, 1))
    assert {template.code for template in policy.campaign_templates} == SEEDED
    for template in policy.campaign_templates:
        assert template.source.document and template.source.section, template.code
        assert not template.source.provisional, template.code
    assert policy.b_sample_ratio.ratio == "1/5" and policy.b_sample_ratio.source.note


def test_the_workflow_reads_the_calendars_through_the_rule_book() -> None:
    on = dt.date(2021, 6, 1)
    assert campaign_templates(on) == tuple(default_rulebook().policy(on).campaign_templates)
    henan = template_by_code("henan-2021", on)
    assert henan is not None and henan.application_deadline is None  # the seed sets none (its `gaps` say so)
    with pytest.raises(RuleLookupError, match="尚无生效的评级程序规则"):
        campaign_templates(dt.date(2019, 1, 1))


def test_a_later_policy_entry_changes_the_ratio_and_the_calendars_from_its_date(tmp_path: Path) -> None:
    root = tmp_path / "rules"
    shutil.copytree(DEFAULT_ROOT, root)
    path = root / "common" / "policy.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    current = data["policy"][0]
    later = copy.deepcopy(current)
    current["until"] = dt.date(2027, 1, 1)
    later["effective"] = dt.date(2027, 1, 1)
    later["b_sample_ratio"] = {
        "source": {"provenance": "provisional", "note": "a test: a province raises the sample from 2027"},
        "ratio": "1/4",
    }
    henan = next(t for t in later["campaign_templates"] if t["code"] == "henan-2021")
    henan["application_deadline"] = "2027-05-15T17:00"
    data["policy"].append(later)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    book = load_rulebook(root)

    before, after = dt.date(2026, 12, 31), dt.date(2027, 1, 1)
    assert book.policy(before).b_sample_ratio.ratio == "1/5"
    assert book.policy(after).b_sample_ratio.ratio == "1/4"
    old, new = template_by_code("henan-2021", before, book), template_by_code("henan-2021", after, book)
    assert old is not None and old.application_deadline is None
    assert new is not None and new.application_deadline == dt.datetime(2027, 5, 15, 17, 0)
