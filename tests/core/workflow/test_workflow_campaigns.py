"""Campaign templates: the seeds' stages, deadlines and batches as data (REQ H21-4, H23-7, LC-8, SJZ-12)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from airgrade.core.workflow.campaigns import (
    HENAN_BATCH_FAMILY_ORDER,
    batch_for_industry,
    campaign_templates,
    monthly_cycle,
    template_by_code,
)


def _template(code: str):  # type: ignore[no-untyped-def]
    template = template_by_code(code)
    assert template is not None
    return template


def test_all_four_seed_calendars_load() -> None:
    assert {t.code for t in campaign_templates()} == {
        "henan-2021",
        "henan-2023",
        "liaocheng-2020",
        "shijiazhuang-2020",
    }


def test_henan_2021_stages_and_batches_follow_h21_4() -> None:
    henan = _template("henan-2021")
    assert [(s.code, s.start, s.end) for s in henan.stages] == [
        ("mobilisation", date(2021, 5, 20), date(2021, 5, 31)),
        ("benchmarking", date(2021, 6, 1), date(2021, 7, 30)),
        ("review", date(2021, 8, 1), date(2021, 9, 30)),
        ("disclosure", date(2021, 11, 1), date(2021, 11, 15)),
    ]
    assert [b.families[0] for b in henan.batches] == list(HENAN_BATCH_FAMILY_ORDER)
    assert [b.due.date() for b in henan.batches] == [
        date(2021, 8, 15),
        date(2021, 8, 30),
        date(2021, 9, 15),
        date(2021, 9, 30),
    ]
    assert henan.batches[-1].includes_guarantee


@pytest.mark.parametrize(
    ("industry", "guarantee", "batch"),
    [
        ("packaging_printing", False, "vocs"),
        ("frp", False, "vocs"),
        ("steel_integrated", False, "metal"),
        ("cement", False, "building_materials"),
        ("machining", False, "local_and_guarantee"),
        ("steel_integrated", True, "local_and_guarantee"),
    ],
)
def test_industry_batches(industry: str, guarantee: bool, batch: str) -> None:
    found = batch_for_industry(_template("henan-2021").batches, industry, guarantee=guarantee)
    assert found is not None and found.code == batch


def test_unknown_industry_has_no_batch() -> None:
    assert batch_for_industry(_template("henan-2021").batches, "no_such_industry") is None


def test_deadlines_of_the_other_seeds() -> None:
    assert _template("henan-2023").dynamic_adjustment_due == datetime(2023, 10, 31, 23, 59)
    liaocheng = {m.code: m.due for m in _template("liaocheng-2020").milestones}
    assert liaocheng["county_review"] == datetime(2020, 8, 18, 23, 59)
    assert liaocheng["city_review"] == datetime(2020, 8, 20, 23, 59)
    assert _template("liaocheng-2020").dynamic_adjustment_due == datetime(2020, 12, 10, 23, 59)
    sjz = _template("shijiazhuang-2020")
    assert sjz.application_deadline == datetime(2020, 7, 17, 12, 0)
    assert {m.code: m.due for m in sjz.milestones}["materials_to_city"] == datetime(2020, 8, 7, 23, 59)


def test_templates_without_a_source_date_say_so() -> None:
    assert _template("henan-2021").application_deadline is None
    assert _template("henan-2021").gaps


def test_shifting_a_template_to_another_year_keeps_month_and_day() -> None:
    shifted = _template("henan-2021").shifted_to(2025)
    assert shifted.stages[0].start == date(2025, 5, 20)
    assert shifted.batches[0].due == datetime(2025, 8, 15, 23, 59)
    assert _template("henan-2021").stages[0].start == date(2021, 5, 20)


def test_monthly_cycle_reports_before_month_end() -> None:
    cycle = monthly_cycle(2024, 2)
    assert cycle.opens == date(2024, 2, 1)
    assert cycle.report_due == datetime(2024, 2, 29, 23, 59)
