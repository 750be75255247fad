"""Emergency-list services: saving entries (all or nothing), 保障类, 小微, plans, alert events and tasks."""

from __future__ import annotations

import pytest
from emergency_platform_builders import payload, site_of

from airgrade.platform.audit.models import AuditRecord
from airgrade.platform.emergency import services
from airgrade.platform.emergency.models import AlertChange, ListEntry, ListLine
from airgrade.platform.errors import AccessDenied, NotFound, ServiceError

pytestmark = pytest.mark.django_db


def test_enterprise_saves_its_list_entry_with_lines_and_audit(users):
    site = site_of(users["own_enterprise"])
    entry = services.save_entry(users["enterprise"], site.pk, 2024, payload())
    assert entry.region_id == site.region_id and entry.enterprise_id == users["own_enterprise"].pk
    assert [(line.key, line.status) for line in entry.lines.all()] == [("L1", "running"), ("L2", "backup")]
    assert entry.industries.get().grade_source == ListEntry.GradeSource.DECLARED
    record = AuditRecord.objects.filter(action="emergency.list.create").get()
    assert record.after["lines"][0]["name"] == "1号熟料生产线"
    again = services.save_entry(users["enterprise"], site.pk, 2024, payload(in_industrial_park=False))
    assert again.pk == entry.pk and not again.in_industrial_park
    assert AuditRecord.objects.filter(action="emergency.list.update").count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {
                "lines": [
                    {"key": "L1", "name": "线", "capacity_unit": "t/d", "eia_capacity": 100, "emissions": {"NOx": -1}}
                ]
            },
            "NOx 排放量不能为负数",
        ),
        (
            {
                "lines": [
                    {
                        "key": "L1",
                        "name": "线",
                        "capacity_unit": "t/d",
                        "eia_capacity": 100,
                        "emission_unit": "t/a",
                        "emissions": {"NOx": 1},
                    }
                ]
            },
            "排放量单位“t/a”无效",
        ),
        (
            {
                "lines": [
                    {"key": "L1", "name": "线", "capacity_unit": "t/d", "eia_capacity": 100, "emissions": {"NOx": 500}}
                ]
            },
            "远超产能允许范围",
        ),
        (
            {
                "industries": [{"industry_code": "cement", "grade": "B"}],
                "proposals": {"orange": {"cement": [{"kind": "curtail", "percent": 10}]}},
            },
            "弱于本等级最低要求",
        ),
        (
            {
                "industries": [{"industry_code": "cement", "grade": "C"}],
                "guarantee": {
                    "category": "residential_power_heat",
                    "guaranteed_daily_output": 100,
                    "normal_daily_output": 500,
                    "output_unit": "t",
                },
            },
            "B级及以上或绩效引领性",
        ),
        ({"industries": [{"industry_code": "no_such_industry", "grade": "B"}]}, "未知的重点行业"),
    ],
)
def test_bad_input_is_refused_with_reason_and_nothing_saved(users, change, message):
    site = site_of(users["own_enterprise"])
    services.save_entry(users["enterprise"], site.pk, 2024, payload())
    lines_before = list(ListLine.objects.values_list("key", "nox_t_per_day"))
    with pytest.raises(ServiceError) as caught:
        services.save_entry(users["enterprise"], site.pk, 2024, payload(**change))
    assert message in caught.value.message
    assert list(ListLine.objects.values_list("key", "nox_t_per_day")) == lines_before
    assert AuditRecord.objects.filter(action="emergency.list.update").count() == 0


def test_stricter_proposal_is_accepted(users):
    site = site_of(users["own_enterprise"])
    proposals = {"orange": {"cement": [{"kind": "curtail", "percent": 40}, {"kind": "stop_road_transport"}]}}
    entry = services.save_entry(users["enterprise"], site.pk, 2024, payload(proposals=proposals))
    plans = services.entry_plans(entry)
    from airgrade.core.types import AlertLevel

    assert plans[AlertLevel.ORANGE].lines[0].curtail_percent == 40


def test_out_of_scope_edit_is_refused(users):
    # Out of scope is "not found", before any other check (issue 8 defect 6).
    site = site_of(users["far_enterprise"])
    with pytest.raises(NotFound):
        services.save_entry(users["county"], site.pk, 2024, payload())
    with pytest.raises(NotFound):
        services.save_entry(users["enterprise"], site.pk, 2024, payload())
    with pytest.raises(NotFound):
        services.site_for_list(users["other_enterprise_user"], site_of(users["own_enterprise"]).pk)


def test_guarantee_application_listing_and_removal_on_breach(users):
    site = site_of(users["own_enterprise"])
    guarantee = {
        "category": "residential_power_heat",
        "task_zh": "城区供热",
        "guaranteed_daily_output": 2000,
        "normal_daily_output": 5000,
        "output_unit": "t",
    }
    entry = services.save_entry(users["enterprise"], site.pk, 2024, payload(guarantee=guarantee))
    assert entry.guarantee_status == ListEntry.GuaranteeStatus.APPLIED
    with pytest.raises(AccessDenied):
        services.decide_guarantee(users["enterprise"], entry.pk, True)
    entry = services.decide_guarantee(users["county"], entry.pk, True, "保障城区供热")
    assert entry.guarantee_status == ListEntry.GuaranteeStatus.LISTED
    entry = services.report_guarantee_output(users["county"], entry.pk, 1900)
    assert entry.guarantee_status == ListEntry.GuaranteeStatus.LISTED
    entry = services.report_guarantee_output(users["county"], entry.pk, 2600, "夜间巡查")
    assert entry.guarantee_status == ListEntry.GuaranteeStatus.REMOVED
    assert "超过保障任务允许" in entry.guarantee_note
    assert AuditRecord.objects.filter(action="emergency.guarantee.remove").exists()


def test_small_micro_flagged_by_rule_and_certified_by_county_only(users):
    site = site_of(users["own_enterprise"])
    facts = {
        "burns_coal": False,
        "burns_oil": False,
        "pollutant_kinds": 1,
        "toxic_or_odorous": False,
        "annual_emissions_kg": 50,
    }
    entry = services.save_entry(users["enterprise"], site.pk, 2024, payload(small_micro=facts))
    assert entry.small_micro_status == ListEntry.SmallMicroStatus.FLAGGED
    with pytest.raises(AccessDenied):
        services.certify_small_micro(users["city"], entry.pk, True, "同意")
    with pytest.raises(ServiceError, match="书面认定意见"):
        services.certify_small_micro(users["county"], entry.pk, True, " ")
    entry = services.certify_small_micro(users["county"], entry.pk, True, "经现场排查，符合小微涉气标准")
    assert entry.small_micro_status == ListEntry.SmallMicroStatus.CERTIFIED
    coal = services.save_entry(users["enterprise"], site.pk, 2025, payload(small_micro={**facts, "burns_coal": True}))
    assert coal.small_micro_status == ""
    with pytest.raises(ServiceError, match="燃煤"):
        services.certify_small_micro(users["county"], coal.pk, True, "同意")


def test_alert_event_issue_raise_acknowledge_report_lift(users):
    own = services.save_entry(users["enterprise"], site_of(users["own_enterprise"]).pk, 2024, payload(grade="C"))
    services.save_entry(users["county"], site_of(users["own_enterprise"]).pk, 2023, payload(grade="D"))
    with pytest.raises(AccessDenied):
        services.issue_alert(
            users["county"], {"region_codes": ["410100"], "level": "yellow", "starts_at": "2024-12-01T20:00"}
        )
    with pytest.raises(AccessDenied):
        services.issue_alert(
            users["city"], {"region_codes": ["410300"], "level": "yellow", "starts_at": "2024-12-01T20:00"}
        )
    event = services.issue_alert(
        users["city"],
        {"region_codes": ["410100"], "level": "yellow", "starts_at": "2024-12-01T20:00", "ends_at": "2024-12-03T20:00"},
        "市指挥部会商",
    )
    (task,) = services.event_tasks(users["city"], event)
    assert task.entry_id == own.pk  # the latest year (2024, grade C) of the site, not 2023
    assert task.plan["lines"][0]["action"] == "stop"  # C yellow: ⌈50 % × 1 running line⌉
    assert task.expected_nox == pytest.approx(2.0)
    assert event.expected["total"]["reduction_t_per_day"]["NOx"] == pytest.approx(2.0)
    assert services.event_tasks(users["other_enterprise_user"], event).count() == 0
    with pytest.raises(NotFound):
        services.get_event(users["other_city"], event.pk)

    services.acknowledge_task(users["enterprise"], task.pk)
    with pytest.raises(NotFound):  # out of scope is "not found" (issue 8 defect 6)
        services.acknowledge_task(users["other_enterprise_user"], task.pk)
    event = services.change_alert_level(users["city"], event.pk, "orange", "污染加重")
    task.refresh_from_db()
    assert task.level == "orange" and task.acknowledged_at is None
    assert [c.action for c in event.changes.all()] == [AlertChange.Action.ISSUE, AlertChange.Action.RAISE]
    with pytest.raises(ServiceError, match="当前已是"):
        services.change_alert_level(users["city"], event.pk, "orange")
    services.report_execution(users["enterprise"], task.pk, {"lines_done": ["L1"], "reported_nox": 1.9, "note": "已停"})
    with pytest.raises(ServiceError, match="没有这些生产线"):
        services.report_execution(users["enterprise"], task.pk, {"lines_done": ["X9"]})
    services.record_evidence(
        users["county"],
        task.pk,
        {"electricity_baseline_kwh": 100000, "electricity_alert_kwh": 12000, "online_monitoring": "NOx 小时均值降至 0"},
    )
    task.refresh_from_db()
    summary = services.execution_summary(task)
    assert summary["lines_missing"] == [] and summary["electricity_drop"] == pytest.approx(0.88)
    assert summary["pollutants"]["nox"] == {"expected": pytest.approx(2.0), "reported": 1.9}
    event = services.lift_alert(users["city"], event.pk, "空气质量好转")
    with pytest.raises(ServiceError, match="已解除"):
        services.change_alert_level(users["city"], event.pk, "red")
    assert AuditRecord.objects.filter(action__startswith="alert.").count() == 6


def test_region_report_scoped_and_with_plans(users):
    services.save_entry(users["enterprise"], site_of(users["own_enterprise"]).pk, 2024, payload(grade="B"))
    report = services.region_report(users["city"], "410100", services.AlertLevel.ORANGE)
    assert report["total"]["reduction_t_per_day"]["NOx"] == pytest.approx(2.0 * 0.36)
    assert report["cities"][0]["name"] == "郑州市"
    with pytest.raises(AccessDenied):
        services.region_report(users["city"], "410300", services.AlertLevel.ORANGE)
    with pytest.raises(AccessDenied):
        services.region_report(users["enterprise"], "410181", services.AlertLevel.ORANGE)
    with pytest.raises(AccessDenied):
        services.save_plan(
            users["county"],
            {
                "region": "410100",
                "industry_code": "cement",
                "yellow_percent": 10,
                "orange_percent": 20,
                "red_percent": 30,
            },
        )
    services.save_plan(
        users["city"],
        {"region": "410100", "industry_code": "cement", "yellow_percent": 10, "orange_percent": 20, "red_percent": 30},
    )
    assert services._plans_for("410181")[0].curtail_percent[services.AlertLevel.RED] == 30


@pytest.mark.parametrize("year", [None, 2024, 2025])
def test_region_list_for_simulation_reads_rows_as_the_model_path_does(users, year):
    """The CLI's row-based read (issue 13, benchmarks/alert_simulate_db.py) gives the very entries `to_core` gives
    for each site's latest (or the asked) year: two years, two industries, a listed and an applied 保障类, a
    certified 小微, a proposal, lines with and without an industry, in and out of scope."""
    own, other, far = (site_of(users[key]) for key in ("own_enterprise", "other_enterprise", "far_enterprise"))
    guarantee = {
        "category": "residential_power_heat",
        "task_zh": "城区供热",
        "guaranteed_daily_output": 2000,
        "normal_daily_output": 5000,
        "output_unit": "t",
    }
    facts = {"burns_coal": False, "burns_oil": False, "pollutant_kinds": 1, "toxic_or_odorous": False}
    two = payload(
        industries=[{"industry_code": "cement", "grade": "B"}, {"industry_code": "lime_kiln", "grade": "C"}],
        lines=[
            {**line, "industry_code": code}
            for line, code in zip(payload()["lines"], ["cement", "lime_kiln"], strict=True)
        ],
        proposals={"orange": {"cement": [{"kind": "curtail", "percent": 40}, {"kind": "stop_road_transport"}]}},
    )
    services.save_entry(users["county"], own.pk, 2024, payload(guarantee=guarantee))
    listed = services.save_entry(users["county"], own.pk, 2025, two)
    services.decide_guarantee(users["other_county"], services.save_entry(
        users["other_county"], other.pk, 2024, payload(guarantee=guarantee)
    ).pk, True)  # fmt: skip
    small = services.save_entry(
        users["other_county"], other.pk, 2025, payload(small_micro={**facts, "annual_emissions_kg": 50})
    )
    services.certify_small_micro(users["other_county"], small.pk, True, "经现场排查，符合小微涉气标准")
    services.save_entry(users["province"], far.pk, 2025, payload(grade="C"))
    assert listed.pk
    for region in ("410000", users["city"].region_id, users["county"].region_id):
        queryset = services._entry_queryset().filter(services.within(region))
        expected = [services.to_core(entry) for entry in services._latest_entries(queryset, year)]
        entries, _ = services.region_list_for_simulation(region, year)
        assert entries == expected
        assert [entry.key for entry in entries] == [entry.key for entry in expected]
    assert len(services.region_list_for_simulation("410000", year)[0]) >= 2


def test_gc_paused_turns_collection_back_on_even_after_an_error():
    import gc

    assert gc.isenabled()
    with pytest.raises(ServiceError), services.gc_paused():
        assert not gc.isenabled()
        raise ServiceError("x")
    assert gc.isenabled()
