"""2021 grades stay reproducible beside the 2026 layer (REQ G-7, G-8), end to end through the platform: a campaign
under the 2021 rules is graded under the 2020 guide's framework, the registry keeps the rule version, re-grading the
stored facts at the campaign's date gives the recorded grade and the same trace with or without the 2026 layer, the
public page shows it, and its emergency measures are the 2021 ones; the same facts in a 2026 campaign use the 2026
layer (A+ is designated, never computed: tests/platform/grades/test_a_plus_designation.py)."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.test import Client

from airgrade.core.grading import grade as grade_facts
from airgrade.core.grading.serialise import industry_dict
from airgrade.core.rules.loader import DEFAULT_ROOT, load_rulebook
from airgrade.core.rules.render import measure_zh
from airgrade.core.rules.rulebook import RuleBook, default_rulebook
from airgrade.core.types import AlertLevel, Grade
from airgrade.platform.declarations import services
from airgrade.platform.emergency import services as emergency
from airgrade.platform.grades.models import GradeRecord

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "declarations"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "emergency"))
from emergency_platform_builders import payload
from workflow_helpers import PDF, act, force_state, make_campaign

RULES_2021 = dt.date(2021, 6, 1)
RULES_2026 = dt.date(2026, 3, 1)
CEMENT_A = {
    "road_truck_clean_share": 100, "road_truck_worst_stage": "国五", "inplant_vehicle_worst_stage": "国五",
    "nonroad_worst_stage": "国三", "gate_system": True, "ammonia_slip": 5, "pm_concentration": 10,
    "so2_concentration": 35, "nox_concentration": 100, "materials_closed_storage": True, "dust_points_captured": True,
    "cems_online": True,
}  # fmt: skip


def _without_2026(tmp_path: Path) -> RuleBook:
    """A copy of the rule book with the 2026 framework layer taken out (the book as it was before 2026)."""
    root = tmp_path / "data"
    shutil.copytree(DEFAULT_ROOT, root)
    framework_file = root / "common" / "framework.yaml"
    data = yaml.safe_load(framework_file.read_text("utf-8"))
    data["frameworks"] = [f for f in data["frameworks"] if f["code"] != "opinion_2026"]
    data["frameworks"][0].pop("until", None)
    framework_file.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return load_rulebook(root)


def _declared(users: dict[str, Any], rules_as_of: dt.date) -> Any:
    campaign = make_campaign(users["city"], rules_as_of=rules_as_of, name=f"{rules_as_of.year}年绩效分级")
    site = users["own_enterprise"].sites.get()
    declaration = services.create_declaration(
        users["enterprise"],
        campaign_id=campaign.pk,
        site_id=site.pk,
        items=[{"industry_code": "cement", "target_grade": "A", "facts": CEMENT_A}],
    )
    services.upload_evidence(users["enterprise"], declaration.pk, filename="监测报告.pdf", content=PDF)
    services.sign_commitment(users["enterprise"], declaration.pk, signer_name="张伟")
    return services.generate_document(users["enterprise"], declaration.pk)


def _plain(result: Any) -> dict[str, Any]:
    as_dict = industry_dict(result)
    as_dict.pop("rules_version", None)
    return as_dict


@pytest.mark.django_db(transaction=True)
def test_a_2021_campaign_grade_reproduces_through_the_platform(users: dict[str, Any], tmp_path: Path) -> None:
    book, before_2026 = default_rulebook(), _without_2026(tmp_path)
    declaration = _declared(users, RULES_2021)
    (check,) = services.self_check(users["enterprise"], declaration.pk)
    assert (check["available"], check["grade"]) == (True, "A")
    declaration = act(users["enterprise"], declaration, "declaration.submit")  # seals the self-check and rule version
    declaration = force_state(declaration, "province_verification", users["county"])
    act(users["province"], declaration, "declaration.province_verify")
    record = GradeRecord.objects.get(declaration=declaration, industry_code="cement")
    assert record.grade == "A" and record.rules_version == str(book.version)

    # Re-grading the stored facts at the campaign's rule date gives the recorded grade, under the 2020 guide, with
    # the same trace as the rule book without the 2026 layer.
    item = declaration.items.get()
    region = declaration.region_id
    again = grade_facts(item.facts, "cement", declaration.campaign.rules_as_of, region_code=region, book=book)
    then = grade_facts(item.facts, "cement", declaration.campaign.rules_as_of, region_code=region, book=before_2026)
    assert again.grade.value == record.grade and again.framework == then.framework == "guide_2020"
    assert _plain(again) == _plain(then)

    # The public page shows the 2021 grade; its emergency measures are the 2021 rules' for A, unchanged by 2026.
    page = Client().get("/public/grades/", {"grade": "A"}).content.decode()
    assert users["own_enterprise"].name in page
    site = users["own_enterprise"].sites.get()
    entry = emergency.save_entry(users["enterprise"], site.pk, 2021, payload(grade="A"))
    on = dt.date(2021, 12, 1)
    plans = emergency.entry_plans(entry, as_of=on)
    for level in AlertLevel:
        (industry,) = plans[level].industries
        assert industry.grade is Grade.A
        in_2021 = before_2026.measures("cement", Grade.A, level, on, site.region_id)
        assert book.measures("cement", Grade.A, level, on, site.region_id) == in_2021
        assert industry.minimum_zh == [measure_zh(m) for m in in_2021]


@pytest.mark.django_db(transaction=True)
def test_the_same_facts_in_a_2026_campaign_use_the_2026_layer(users: dict[str, Any]) -> None:
    declaration = _declared(users, RULES_2026)
    (check,) = services.self_check(users["enterprise"], declaration.pk)
    assert (check["available"], check["grade"]) == (True, "A")  # A+ is designated by the ministry, never computed
    item = declaration.items.get()
    result = grade_facts(item.facts, "cement", declaration.campaign.rules_as_of, region_code=declaration.region_id)
    assert result.framework == "opinion_2026" and result.grade is Grade.A
