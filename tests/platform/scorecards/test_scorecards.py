"""Green-performance evaluation on the platform (issue 14, REQ ZZ-1 … ZZ-7): round, declaration, department import
(dry run, errors by row and column, all or nothing), expert on-site check, red lines, publication and decisions —
with real transactions, as a request does it; scope (out of scope is 404) and bad input (400, nothing written)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from tests.platform.page_client import client_for, visible

from airgrade.core.credit_code import make as make_credit_code
from airgrade.platform.audit.models import AuditRecord
from airgrade.platform.errors import AccessDenied, NotFound, ServiceError
from airgrade.platform.jobs import services as jobs
from airgrade.platform.jobs.models import Job
from airgrade.platform.scorecards import department_import, services
from airgrade.platform.scorecards.models import Scorecard, ScoreRound, ScoreValue
from airgrade.platform.workbooks import services as workbooks

pytestmark = pytest.mark.django_db(transaction=True)
HEADERS = ["评价年度", "统一社会信用代码", "企业名称", "评价指标", "数值", "提供部门"]


def _book(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "部门数据"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def round_(users: dict[str, Any]) -> ScoreRound:
    return services.open_round(users["city"], "410100", 2025, dt.date.today() + dt.timedelta(days=30))


def _card(users: dict[str, Any], round_: ScoreRound, who: str = "own_enterprise") -> Scorecard:
    return Scorecard.objects.get(round=round_, enterprise=users[who])


def _run(job: Job) -> Job:
    return jobs.execute(job.pk)


def test_open_round_enrols_the_citys_enterprises_only_for_the_city(users: dict[str, Any], round_: ScoreRound) -> None:
    enrolled = set(Scorecard.objects.filter(round=round_).values_list("enterprise__name", flat=True))
    assert enrolled == {"本县企业", "邻县企业"}  # 外市企业 is in 洛阳
    assert _card(users, round_).industry_code == "cement"
    with pytest.raises(AccessDenied):
        services.open_round(users["county"], "410100", 2026, dt.date.today())
    with pytest.raises(ServiceError, match="已存在"):
        services.open_round(users["city"], "410100", 2025, dt.date.today())
    with pytest.raises(AccessDenied):
        services.open_round(users["other_city"], "410100", 2027, dt.date.today())
    assert AuditRecord.objects.filter(action="scorecard.round.open").count() == 1


def test_declaration_values_are_checked_and_nothing_is_half_written(users: dict[str, Any], round_: ScoreRound) -> None:
    card = _card(users, round_)
    with pytest.raises(ServiceError) as caught:
        services.declare(users["enterprise"], card.pk, {"env_permit": "是", "env_monitoring": "4"})
    assert "企业环境监测" in caught.value.message and "0–3" in caught.value.message
    assert not ScoreValue.objects.exists()
    services.declare(
        users["enterprise"], card.pk, {"env_permit": "是", "env_monitoring": "2.5"}, {"env_permit": "许可证号X"}
    )
    assert ScoreValue.objects.filter(source="declared").count() == 2
    assert ScoreValue.objects.get(indicator="env_permit").evidence == "许可证号X"
    # another enterprise's user and another city: not found
    with pytest.raises(NotFound):
        services.declare(users["other_enterprise_user"], card.pk, {"env_permit": "是"})
    with pytest.raises(NotFound):
        services.get_scorecard(users["other_city"], card.pk)
    with pytest.raises(AccessDenied):
        services.declare(users["county"], card.pk, {"env_permit": "是"})


def test_department_import_dry_run_names_rows_and_commits_all_or_nothing(
    users: dict[str, Any], round_: ScoreRound
) -> None:
    own, neighbour = users["own_enterprise"], users["other_enterprise"]
    unknown = make_credit_code("91410181555555555")
    rows = [
        [2025, own.credit_code, own.name, "获得有效期内的排污许可证", "否", "市生态环境局"],
        [2025, own.credit_code, own.name, "亩均税收排名", 35.5, "市税务局"],
        [2025, unknown, "不存在的企业", "环保信息管理系统", "是", "市大数据局"],
        [2025, own.credit_code, own.name, "企业环境监测", 9, "市生态环境局"],
        [2025, own.credit_code, own.name, "不存在的指标", 1, "市生态环境局"],
    ]
    dry = _run(department_import.start(users["county"], round_.pk, "部门数据.xlsx", _book(rows), enqueue=False))
    errors = dry.report["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(4, "统一社会信用代码"), (5, "数值"), (6, "评价指标")]
    assert "不在本年度评价名单" in errors[0]["reason"] and "0–3" in errors[1]["reason"]
    assert dry.result_data  # the error workbook
    with pytest.raises(ServiceError):
        workbooks.commit_import(users["county"], dry.pk, enqueue=False)
    assert not ScoreValue.objects.exists()
    # a county imports only its county: the neighbour's enterprise is refused like an unknown one
    outside = _run(
        department_import.start(
            users["county"],
            round_.pk,
            "b.xlsx",
            _book([[2025, neighbour.credit_code, "", "环保信息管理系统", "是", "局"]]),
            enqueue=False,
        )
    )
    assert outside.report["error_total"] == 1
    good = _run(department_import.start(users["county"], round_.pk, "部门数据.xlsx", _book(rows[:2]), enqueue=False))
    assert good.report["error_total"] == 0 and good.report["counts"]["new"] == 2
    committed = _run(workbooks.commit_import(users["county"], good.pk, enqueue=False))
    assert committed.state == Job.State.SUCCEEDED, committed.message
    values = {v.indicator: (v.value, v.department) for v in ScoreValue.objects.filter(source="department")}
    assert values == {"env_permit": (False, "市生态环境局"), "eco_tax_per_mu": (35.5, "市税务局")}
    again = _run(department_import.start(users["county"], round_.pk, "部门数据.xlsx", _book(rows[:2]), enqueue=False))
    assert again.report["counts"]["unchanged"] == 2


def test_precedence_disagreement_onsite_expert_and_recommendation(users: dict[str, Any], round_: ScoreRound) -> None:
    card = _card(users, round_)
    services.declare(users["enterprise"], card.pk, {"env_permit": "是", "env_fugitive": "10"})
    services.record_department_values(users["county"], card, {"env_permit": False}, "市生态环境局", "测试")
    with pytest.raises(NotFound):  # not assigned yet
        services.record_onsite(users["expert"], card.pk, {"env_fugitive": "6"})
    services.assign_expert(users["city"], card.pk, users["expert"].pk)
    services.record_onsite(users["expert"], card.pk, {"env_fugitive": "6"}, {"env_fugitive": "东侧料场未封闭"})
    _, _, row = services.sheet_of(users["city"], card.pk)
    points = {i.indicator: i for i in row.sheet.indicators}
    assert points["env_permit"].points == 0 and points["env_permit"].chosen.source.value == "department"
    assert [d.value for d in points["env_permit"].disagreements] == [True]
    assert points["env_fugitive"].points == 6 and points["env_fugitive"].chosen.source.value == "onsite"
    page = client_for(users["city"]).get(f"/scorecards/{card.pk}/")
    assert page.status_code == 200 and "企业申报：是" in visible(page) and "现场核查" in visible(page)
    assert "无国家绩效等级" in visible(page)  # the city's control ratio serves enterprises without a national grade
    assert client_for(users["expert"]).get(f"/scorecards/{card.pk}/").status_code == 200
    other = _card(users, round_, "other_enterprise")
    assert client_for(users["expert"]).get(f"/scorecards/{other.pk}/").status_code == 404


def test_red_lines_non_reporters_publication_and_decisions(users: dict[str, Any]) -> None:
    # the deadline has passed: whoever has not declared is a non-reporter (ZZ-7)
    round_ = services.open_round(users["city"], "410100", 2024, dt.date.today() - dt.timedelta(days=1))
    card = _card(users, round_)
    services.declare(users["enterprise"], card.pk, {"env_permit": "是"})
    services.mark_red_line(users["county"], card.pk, "department_list", "偷排废气被立案查处")
    with pytest.raises(ServiceError):
        services.mark_red_line(users["county"], card.pk, "department_list", " ")
    _, _, rows = services.ranked(users["city"], round_.pk)
    by_name = {r.scorecard.enterprise.name: r for r in rows}
    assert by_name["本县企业"].zz_class == "C2" and by_name["本县企业"].recommendation == "not_eligible"
    # the neighbour never declared: lowest class (ZZ-7)
    assert by_name["邻县企业"].zz_class == "C2" and "未按期上报" in by_name["邻县企业"].sheet.class_reasons[0]
    # a county sees only its county's rows, with the city's ranks
    _, _, county_rows = services.ranked(users["county"], round_.pk)
    assert [r.scorecard.enterprise.name for r in county_rows] == ["本县企业"]
    with pytest.raises(AccessDenied):
        services.publish(users["county"], round_.pk)
    services.publish(users["city"], round_.pk)
    with pytest.raises(ServiceError, match="已发布"):
        services.declare(users["enterprise"], card.pk, {"env_iso14001": "是"})
    with pytest.raises(ServiceError, match="理由和决定文号"):
        services.decide_change(users["city"], card.pk, "C1", "", "")
    services.decide_change(users["city"], card.pk, "C1", "复核后撤销立案", "郑环〔2026〕1号")
    _, _, rows = services.ranked(users["city"], round_.pk)
    decided = next(r for r in rows if r.scorecard.pk == card.pk)
    assert decided.zz_class == "C1" and decided.decided
    assert AuditRecord.objects.filter(action="scorecard.decide").count() == 1
    late = Scorecard.objects.get(pk=_card(users, round_, "other_enterprise").pk)
    assert late.published["class"] == "C2"


def test_a_declaration_after_the_deadline_is_a_non_reporter(users: dict[str, Any]) -> None:
    round_ = services.open_round(users["city"], "410100", 2024, dt.date.today() - dt.timedelta(days=3))
    card = _card(users, round_)
    services.declare(users["enterprise"], card.pk, {"env_permit": "是"})
    card.refresh_from_db()
    assert card.declared_at is not None and card.declared_at <= timezone.now()
    assert not services.reported(card) and not services.counts_as_reported(card)
    open_card = _card(users, services.open_round(users["city"], "410100", 2023, dt.date.today() + dt.timedelta(days=1)))
    assert not services.reported(open_card) and services.counts_as_reported(open_card)  # not late yet


def test_round_page_filters_export_and_scope(users: dict[str, Any], round_: ScoreRound) -> None:
    city = client_for(users["city"])
    page = city.get(f"/scorecards/rounds/{round_.pk}/")
    assert page.status_code == 200 and "本县企业" in visible(page) and "黄色预警" in visible(page)
    filtered = city.get(f"/scorecards/rounds/{round_.pk}/?county=410182")
    assert "本县企业" not in visible(filtered) and "邻县企业" in visible(filtered)
    assert city.get(f"/scorecards/rounds/{round_.pk}/?zz_class=X").status_code == 400
    export = city.get(f"/scorecards/rounds/{round_.pk}/?format=xlsx")
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert [c.value for c in sheet[1]][:3] == ["名次", "企业名称", "统一社会信用代码"] and sheet.max_row == 3
    assert client_for(users["other_city"]).get(f"/scorecards/rounds/{round_.pk}/").status_code == 404
    bad = city.post(f"/scorecards/{_card(users, round_).pk}/act/", {"op": "assign", "expert": "x"})
    assert bad.status_code == 400 and "专家" in visible(bad)
    declare = client_for(users["enterprise"]).post(
        f"/scorecards/{_card(users, round_).pk}/act/", {"op": "declare", "v_env_monitoring": "7"}
    )
    assert declare.status_code == 400 and "0–3" in visible(declare)
    assert not ScoreValue.objects.exists()


def test_operator_ranking_for_the_command_line(users: dict[str, Any], round_: ScoreRound) -> None:
    from typer.testing import CliRunner

    from airgrade.cli import app

    rows = services.ranking_for_operator("410100")
    assert [row.position for row in rows] == [1, 2]
    assert {row.scorecard.enterprise.name for row in rows} == {"本县企业", "邻县企业"}
    result = CliRunner().invoke(app, ["zz", "rank", "--region", "410100"])
    assert result.exit_code == 0 and "本县企业" in result.output
    missing = CliRunner().invoke(app, ["zz", "rank", "--region", "410300"])
    assert missing.exit_code == 2 and "没有" in missing.output


def test_score_sheet_as_docx_lists_every_indicator_with_its_source(users: dict[str, Any], round_: ScoreRound) -> None:
    from docx import Document

    card = _card(users, round_)
    services.declare(users["enterprise"], card.pk, {"env_permit": "是", "env_monitoring": "2"})
    response = client_for(users["enterprise"]).get(f"/scorecards/{card.pk}/sheet.docx")
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "获得有效期内的排污许可证" in cells and "企业申报" in cells and "本县企业" in cells
    indicator_rows = len(document.tables[2].rows) - 1
    assert indicator_rows == len(services.indicators_of(services.card_of(round_)))
    assert client_for(users["other_enterprise_user"]).get(f"/scorecards/{card.pk}/sheet.docx").status_code == 404
    assert client_for(users["enterprise"]).get(f"/scorecards/{card.pk}/sheet.txt").status_code == 404


def test_api_values_sheet_ranking_and_pre_assessment(users: dict[str, Any], round_: ScoreRound) -> None:
    card = _card(users, round_)
    enterprise = client_for(users["enterprise"])
    bad = enterprise.post(
        f"/api/scorecards/sheets/{card.pk}/values",
        {"source": "declared", "values": {"env_monitoring": 9}},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "0–3" in bad.json()["error"]
    ok = enterprise.post(
        f"/api/scorecards/sheets/{card.pk}/values",
        {"source": "declared", "values": {"env_permit": True, "env_monitoring": 3}, "evidence": {"env_permit": "证"}},
        content_type="application/json",
    )
    assert ok.status_code == 200, ok.content
    permit = next(i for i in ok.json()["indicators"] if i["indicator"] == "env_permit")
    assert permit["points"] == 2 and permit["counted"]["source"] == "declared"
    onsite = enterprise.post(
        f"/api/scorecards/sheets/{card.pk}/values",
        {"source": "onsite", "values": {"env_permit": False}},
        content_type="application/json",
    )
    assert onsite.status_code == 403
    ranking = client_for(users["county"]).get(f"/api/scorecards/rounds/{round_.pk}/ranking").json()
    assert [row["enterprise"] for row in ranking["rows"]] == ["本县企业"]
    assert client_for(users["other_city"]).get(f"/api/scorecards/rounds/{round_.pk}/ranking").status_code == 404
    city = client_for(users["city"])
    assessed = city.post(
        "/api/scorecards/pre-assess",
        {"industry": "cement", "stated": {"env_permit": True}},
        content_type="application/json",
    ).json()
    assert assessed["admitted"] is False and "不予引进" in assessed["reason"]
    refused = city.post(
        "/api/scorecards/pre-assess",
        {"industry": "cement", "stated": {"env_fugitive": 11}},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert (
        client_for(users["enterprise"])
        .post("/api/scorecards/pre-assess", {"stated": {"env_permit": True}}, content_type="application/json")
        .status_code
        == 403
    )


def test_assess_page_and_industry_summary(users: dict[str, Any], round_: ScoreRound) -> None:
    city = client_for(users["city"])
    page = city.post(
        "/scorecards/assess/", {"industry": "cement", "v_env_permit": "是", "v_env_outside_built_up": "是"}
    )
    assert page.status_code == 200 and "不予引进" in visible(page)
    bad = city.post("/scorecards/assess/", {"industry": "cement", "v_env_fugitive": "12"})
    assert bad.status_code == 400 and "0–10" in visible(bad)
    assert client_for(users["enterprise"]).get("/scorecards/assess/").status_code == 403
    summary = city.get(f"/scorecards/rounds/{round_.pk}/?county=410181")
    assert "行业汇总" in visible(summary) and "水泥" in visible(summary)


def test_home_queue_has_the_declaration_and_the_onsite_check(users: dict[str, Any], round_: ScoreRound) -> None:
    card = _card(users, round_)
    home = client_for(users["enterprise"]).get("/")
    assert "绿色绩效评价申报：本县企业" in visible(home)
    services.assign_expert(users["city"], card.pk, users["expert"].pk)
    assert "绿色绩效现场核查：本县企业" in visible(client_for(users["expert"]).get("/"))
    services.declare(users["enterprise"], card.pk, {"env_permit": "是"})
    assert "绿色绩效评价申报" not in visible(client_for(users["enterprise"]).get("/"))


def test_emergency_entry_shows_the_city_class_and_control_ratio(users: dict[str, Any], round_: ScoreRound) -> None:
    from tests.platform.emergency.emergency_platform_builders import payload

    from airgrade.platform.emergency import services as emergency

    site = users["own_enterprise"].sites.get()
    entry = emergency.save_entry(users["enterprise"], site.pk, 2024, payload())
    page = client_for(users["county"]).get(f"/emergency/entries/{entry.pk}/")
    text = visible(page)
    assert page.status_code == 200 and "年度绿色绩效评价：C″档" in text and "红色预警" in text
