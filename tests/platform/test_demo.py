"""`airgrade demo` data: a small run through the real services fills the workflow, the grade registry and the
emergency lists, gives every demo role work, keeps the audit chain and review seals intact, and is idempotent."""

from __future__ import annotations

from typing import Any

import pytest

from airgrade.core.types import Grade, Role
from airgrade.core.workflow import State


@pytest.fixture
def demo(db: Any) -> dict[str, Any]:
    from airgrade.platform.demo import load_demo

    return load_demo(enterprise_count=40, seed=7)


def _demo_user(role: Role) -> Any:
    from airgrade.platform.accounts.models import User

    return User.objects.get(username=role.value)


def test_declarations_in_every_stage_of_the_workflow(demo: dict[str, Any]) -> None:
    from airgrade.platform.declarations.models import Declaration, SampleDraw
    from airgrade.platform.declarations.services import verify_seals

    assert demo["declarations_created"] == Declaration.objects.count() > 10
    states = set(Declaration.objects.values_list("state", flat=True))
    expected = {
        State.DRAFT,
        State.SUBMITTED,
        State.COUNTY_REVIEW,
        State.RETURNED,
        State.COUNTY_PASSED,
        State.CITY_REVIEW,
        State.PROVINCE_VERIFICATION,
        State.VERIFIED,
        State.COUNTY_GRADED,
    }
    assert expected <= states, expected - states
    # The demo county and the city's other counties both take part (REQ LC-2: county first review per county).
    regions = set(Declaration.objects.values_list("region_id", flat=True))
    assert "410181" in regions and len(regions) > 1
    assert all(code.startswith("4101") for code in regions)
    # The B sample was drawn with a recorded seed, and every sealed review history is intact.
    draw = SampleDraw.objects.get()
    assert draw.drawn and set(draw.drawn) <= set(draw.candidates)
    assert all(verify_seals(declaration) for declaration in Declaration.objects.all())


def test_decided_grades_follow_the_engine_and_fill_the_registry(demo: dict[str, Any]) -> None:
    from airgrade.core.grading import grade as engine_grade
    from airgrade.platform.declarations.models import CutoffRecord, Declaration
    from airgrade.platform.grades.models import Downgrade, GradeRecord, RectificationOrder
    from airgrade.platform.grades.services import current_records

    decided = Declaration.objects.filter(state__in=[State.VERIFIED, State.COUNTY_GRADED, State.ADJUSTED])
    assert decided.exists()
    for declaration in decided.prefetch_related("items"):
        for item in declaration.items.all():
            record = GradeRecord.objects.filter(declaration=declaration, industry_code=item.industry_code).first()
            assert record is not None
            engine = engine_grade(
                item.facts, item.industry_code, declaration.campaign.rules_as_of, region_code=item.declaration.region_id
            )
            if declaration.state == State.VERIFIED:
                # The province verifies what the enterprise declared; the demo only lets honest ones through.
                assert record.grade == item.target_grade == engine.grade.value
            else:
                assert record.grade == engine.grade.value
    in_force = set(current_records().values_list("grade", flat=True))
    assert len(in_force) > 2, in_force
    assert CutoffRecord.objects.exists(), "the earlier campaign's non-applicants are at the lowest grade (LC-6)"
    downgrade = Downgrade.objects.get()
    assert Grade(downgrade.to_grade).rank > Grade(downgrade.from_grade).rank
    assert RectificationOrder.objects.filter(site=downgrade.site).exists()


def test_every_demo_role_has_work(demo: dict[str, Any]) -> None:
    from airgrade.platform.home.services import work_queue

    for role in (Role.ENTERPRISE, Role.COUNTY, Role.CITY, Role.PROVINCE, Role.EXPERT):
        tasks = work_queue(_demo_user(role))
        assert tasks, f"{role} has an empty work queue"
    city_kinds = {task["kind"] for task in work_queue(_demo_user(Role.CITY))}
    assert {"declaration", "objection"} <= city_kinds


def test_public_pages_and_lists_show_registry_grades(demo: dict[str, Any], client: Any) -> None:
    from airgrade.platform.emergency.models import ListEntry, ListIndustry
    from airgrade.platform.emergency.services import registry_grade
    from airgrade.platform.grades.services import current_records

    page = client.get("/public/grades/").content.decode()
    shown = [r.enterprise.name for r in current_records().select_related("enterprise") if r.enterprise.name in page]
    assert len(shown) >= 5
    assert ListEntry.objects.count() == demo["list_entries"] > 0
    # Lists are built after the grades, so every graded site's list takes the registry's grade (REQ H21-7).
    rows = list(ListIndustry.objects.select_related("entry", "entry__site"))
    from_registry = [row for row in rows if row.grade_source == ListEntry.GradeSource.REGISTRY]
    assert len(from_registry) >= 5
    for row in rows:
        official = registry_grade(row.entry.site, row.industry_code)
        assert (row.grade_source == ListEntry.GradeSource.REGISTRY) == (official is not None)
        if official is not None:
            assert row.grade == official.value


def test_audit_chain_verifies_and_a_second_run_adds_nothing(demo: dict[str, Any]) -> None:
    from airgrade.platform.audit.models import AuditRecord
    from airgrade.platform.audit.services import verify
    from airgrade.platform.declarations.models import Declaration
    from airgrade.platform.demo import load_demo
    from airgrade.platform.emergency.models import ListEntry
    from airgrade.platform.enterprises.models import Enterprise
    from airgrade.platform.grades.models import GradeRecord

    assert verify().ok
    counts = [m.objects.count() for m in (AuditRecord, Declaration, GradeRecord, ListEntry, Enterprise)]
    again = load_demo(enterprise_count=40, seed=7)
    assert again["created"] == again["declarations_created"] == again["list_entries_created"] == 0
    assert [m.objects.count() for m in (AuditRecord, Declaration, GradeRecord, ListEntry, Enterprise)] == counts
    assert verify().ok


def test_zhengzhou_scorecards_have_three_sources_red_lines_and_recommendations(demo: dict[str, Any]) -> None:
    """Issue 14 demo: a handful of Zhengzhou enterprises with declared, department and on-site values, two red-line
    enterprises, a recommendation list and control ratios (REQ ZZ-2, ZZ-3, ZZ-5)."""
    from airgrade.platform.scorecards import services
    from airgrade.platform.scorecards.models import ScoreRound, ScoreValue

    assert demo["scorecards"] >= 4
    round_ = ScoreRound.objects.get(region_id="410100")
    sources = set(ScoreValue.objects.filter(scorecard__round=round_).values_list("source", flat=True))
    assert sources == {"declared", "department", "onsite"}
    _, _, rows = services.ranked(_demo_user(Role.CITY), round_.pk)
    # two marked by the demo (a department's list, a monitoring finding); registry downgrades for violations add more
    marked = [row for row in rows if any(not r.startswith("registry_downgrade") for r in row.sheet.red_lines)]
    assert len(marked) == 2
    assert all(row.recommendation == "not_eligible" for row in rows if row.sheet.red_lines)
    assert any(row.recommendation == "recommended" for row in rows)
    assert any(row.control for row in rows)
    # the demo expert sees the on-site checks assigned to them, and nothing else
    expert_cards = services.visible_scorecards(_demo_user(Role.EXPERT), round_)
    assert expert_cards.exists() and all(card.onsite_expert == _demo_user(Role.EXPERT) for card in expert_cards)


def test_demo_alert_verification_shows_who_cut_and_fills_the_case_queue(demo: dict[str, Any]) -> None:
    """Issue 12: the demo's lifted alert has simulated monitoring and electricity; two enterprises did not cut."""
    from airgrade.platform.verification import services as verification
    from airgrade.platform.verification.models import Case, TaskVerdict

    counts = demo["verification"]
    assert counts["suspected"] == 2 and counts["done"] >= 1 and counts["insufficient"] >= 1
    assert TaskVerdict.objects.filter(verdict="suspected").count() == Case.objects.filter(status="open").count() == 2
    assert verification.case_work_items(_demo_user(Role.COUNTY))


def test_demo_cross_checks_fill_the_county_queue_with_each_kind(demo: dict[str, Any]) -> None:
    """Issue 12 items 2 and 4: above the grade's limit, a silent monitor, an idle line declared running and the 巩义
    cement site's ledger gap are all waiting for the county; confirming one downgrades through the grade registry."""
    from airgrade.platform.grades.models import Downgrade
    from airgrade.platform.verification import crosscheck
    from airgrade.platform.verification.models import Finding

    county = _demo_user(Role.COUNTY)
    counts = demo["crosschecks"]
    assert all(counts[kind] >= 1 for kind in ("exceedance", "silence", "idle_line", "ledger")), counts
    # Concentrations elsewhere stay inside the limits: only the one enterprise made to exceed is found.
    assert counts["exceedance"] == 1
    kinds = {item["kind"] for item in crosscheck.finding_work_items(county)}
    assert kinds == {"verification_finding", "gate_ledger_finding"}
    finding = Finding.objects.get(kind="exceedance")
    before = Downgrade.objects.count()
    crosscheck.decide_finding(county, finding.pk, confirm=True, reason="演示：核实超标属实")
    assert Downgrade.objects.count() == before + 1 and Downgrade.objects.latest("recorded_at").reason_code == (
        "excess_emission"
    )
