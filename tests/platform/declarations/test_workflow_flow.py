"""The declaration workflow end to end through the services, and each refusal the issue names."""

from __future__ import annotations

import datetime as dt
import io
import threading
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from docx import Document
from workflow_helpers import JPG, PDF, PNG, act, force_state, make_campaign, ready_declaration

from airgrade.platform.audit.models import AuditRecord
from airgrade.platform.audit.services import verify
from airgrade.platform.declarations import services
from airgrade.platform.declarations.models import (
    Campaign,
    CutoffRecord,
    Declaration,
    EvidenceFile,
    ExpertProfile,
    ReviewEvent,
    SampleDraw,
)
from airgrade.platform.errors import AccessDenied, Conflict, NotFound, ServiceError
from airgrade.platform.grades import services as grades
from airgrade.platform.grades.models import GradeRecord
from airgrade.platform.home.services import work_queue

pytestmark = pytest.mark.django_db


def _county_check(users: dict[str, Any], declaration: Declaration) -> None:
    check = services.open_onsite_check(users["county"], declaration.pk)
    services.sign_check(users["county"], check.pk, conclusion="consistent", summary="", signature_name="李县")


def test_full_walk_from_application_to_province_verification(users: dict[str, Any]) -> None:
    campaign = make_campaign(users["city"], template_code="henan-2021")
    declaration = ready_declaration(users["enterprise"], campaign, grade="B")
    assert declaration.document_kind == "report" and len(declaration.document_sha256) == 64
    act(users["enterprise"], declaration, "declaration.submit")
    act(users["county"], declaration, "declaration.county_accept")
    # County on-site check is required before passing an A / B / 引领性 applicant (LC-2).
    with pytest.raises(AccessDenied, match="县级尚未完成现场核查"):
        act(users["county"], declaration, "declaration.county_pass")
    _county_check(users, declaration)
    act(users["county"], declaration, "declaration.county_pass", opinion="初审通过")
    act(users["city"], declaration, "declaration.city_accept")
    # A B applicant cannot pass the city before the sample is drawn.
    with pytest.raises(AccessDenied, match="市级尚未完成现场核查"):
        act(users["city"], declaration, "declaration.city_pass")
    result = services.draw_b_sample(users["city"], campaign.pk, city_code="410100", seed=11, ratio="1")
    assert [d.pk for d in result.sampled] == [declaration.pk]
    with pytest.raises(AccessDenied, match="市级尚未完成现场核查"):
        act(users["city"], declaration, "declaration.city_pass")
    city_check = services.open_onsite_check(users["city"], declaration.pk)
    assert [s["section"] for s in city_check.checklist][:8] == [
        "equipment",
        "treatment",
        "emission_limits",
        "fugitive",
        "monitoring",
        "management",
        "transport_mode",
        "transport_supervision",
    ]
    services.sign_check(users["city"], city_check.pk, conclusion="consistent", summary="", signature_name="王市")
    act(users["city"], declaration, "declaration.city_pass")
    act(users["city"], declaration, "declaration.report_to_province")
    assert GradeRecord.objects.count() == 0
    final = act(users["province"], declaration, "declaration.province_verify")
    assert final.state == "verified" and final.decided_grade == "B"
    record = GradeRecord.objects.get(declaration=declaration)
    assert (record.grade, record.source, record.industry_code) == ("B", "campaign", "cement")
    # The submitted facts were graded by the engine at submission; the record names the rules version used.
    # (Facts with unknown keys are refused at submission: see test_unknown_facts_cannot_be_submitted.)
    item = final.items.get()
    assert len(record.rules_version) == 16 and record.rules_version == item.rules_version
    assert item.self_check["rules_version"] == item.rules_version and item.self_check["grade"]
    # Seven sealed events, every one naming its reviewer; the seal chain verifies, and so does the audit chain.
    events = list(ReviewEvent.objects.filter(declaration=declaration).order_by("id"))
    assert [e.reviewer.username for e in events] == ["ent", "county", "county", "city", "city", "city", "province"]
    assert services.verify_seals(final)
    ReviewEvent.objects.filter(pk=events[2].pk).update(opinion="改过的意见")
    assert not services.verify_seals(final)
    assert verify().ok


def test_allowed_actions_follow_the_caller(users: dict[str, Any]) -> None:
    campaign = make_campaign(users["city"])
    declaration = ready_declaration(users["enterprise"], campaign)
    names = {a["action"] for a in services.actions_for(users["enterprise"], declaration)}
    assert names == {"declaration.submit", "declaration.withdraw"}
    assert services.actions_for(users["county"], declaration) == []
    act(users["enterprise"], declaration, "declaration.submit")
    declaration.refresh_from_db()
    assert [a["action"] for a in services.actions_for(users["county"], declaration)] == ["declaration.county_accept"]
    assert services.actions_for(users["other_county"], declaration) == []


def test_lowest_grade_declaration_gets_the_form_and_no_county_check(users: dict[str, Any]) -> None:
    campaign = make_campaign(users["city"])
    declaration = ready_declaration(users["enterprise"], campaign, grade="D")
    assert declaration.document_kind == "form"
    text = "\n".join(p.text for p in Document(io.BytesIO(declaration.document.read())).paragraphs)
    assert "重点行业企业绩效分级申请表" in text and "张伟" in text
    act(users["enterprise"], declaration, "declaration.submit")
    act(users["county"], declaration, "declaration.county_accept")
    graded = act(users["county"], declaration, "declaration.county_grade", grade="D", opinion="按申报评定D级")
    assert graded.state == "county_graded"
    assert GradeRecord.objects.get(declaration=declaration).grade == "D"


def test_edit_after_submission_is_refused(users: dict[str, Any]) -> None:
    campaign = make_campaign(users["city"])
    declaration = ready_declaration(users["enterprise"], campaign)
    act(users["enterprise"], declaration, "declaration.submit")
    items = [{"industry_code": "cement", "target_grade": "A"}]
    with pytest.raises(ServiceError, match="申报已提交"):
        services.update_declaration(users["enterprise"], declaration.pk, items=items)
    with pytest.raises(ServiceError, match="申报已提交"):
        services.upload_evidence(users["enterprise"], declaration.pk, filename="x.pdf", content=PDF)
    with pytest.raises(ServiceError, match="申报已提交"):
        services.sign_commitment(users["enterprise"], declaration.pk, signer_name="李四")
    assert declaration.items.get().target_grade == "B"
    assert EvidenceFile.objects.filter(declaration=declaration).count() == 1


def test_returned_declaration_can_be_edited_and_resubmitted(users: dict[str, Any]) -> None:
    campaign = make_campaign(users["city"])
    declaration = ready_declaration(users["enterprise"], campaign)
    act(users["enterprise"], declaration, "declaration.submit")
    act(users["county"], declaration, "declaration.county_accept")
    act(users["county"], declaration, "declaration.county_return", opinion="缺少在线监测数据")
    services.update_declaration(
        users["enterprise"],
        declaration.pk,
        items=[{"industry_code": "cement", "target_grade": "B", "facts": {"pm_concentration": 8}}],
    )
    # The document is stale after an edit: resubmitting needs a fresh one.
    with pytest.raises(AccessDenied, match="申请报告"):
        act(users["enterprise"], declaration, "declaration.resubmit")
    services.generate_document(users["enterprise"], declaration.pk)
    assert act(users["enterprise"], declaration, "declaration.resubmit").state == "submitted"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("监测报告.pdf", PNG, "内容是 PNG"),
        ("照片.jpg", PDF, "内容是 PDF"),
        ("照片.png", b"GIF89a....", "无法识别的格式"),
        ("报告.exe", PDF, "只接受"),
        ("空文件.pdf", b"", "为空"),
    ],
)
def test_file_that_is_not_what_its_extension_says_is_refused(
    users: dict[str, Any], name: str, content: bytes, message: str
) -> None:
    campaign = make_campaign(users["city"])
    declaration = ready_declaration(users["enterprise"], campaign)
    with pytest.raises(ServiceError, match=message) as refused:
        services.upload_evidence(users["enterprise"], declaration.pk, filename=name, content=content)
    assert name in refused.value.message or message in refused.value.message
    assert EvidenceFile.objects.filter(declaration=declaration).count() == 1


def test_oversized_file_is_refused(users: dict[str, Any], settings: Any) -> None:
    settings.AIRGRADE_UPLOAD_MAX_BYTES = 1024
    campaign = make_campaign(users["city"])
    declaration = ready_declaration(users["enterprise"], campaign)
    with pytest.raises(ServiceError, match="超过大小上限"):
        services.upload_evidence(users["enterprise"], declaration.pk, filename="big.pdf", content=PDF + b"0" * 2048)


def test_evidence_is_stored_with_its_hash(users: dict[str, Any]) -> None:
    import hashlib

    campaign = make_campaign(users["city"])
    declaration = ready_declaration(users["enterprise"], campaign)
    evidence = services.upload_evidence(users["enterprise"], declaration.pk, filename="门禁.JPG", content=JPG)
    assert evidence.sha256 == hashlib.sha256(JPG).hexdigest()
    assert evidence.content_type == "image/jpeg"
    assert hashlib.sha256(evidence.file.read()).hexdigest() == evidence.sha256


def test_stale_expected_state_is_a_conflict(users: dict[str, Any]) -> None:
    campaign = make_campaign(users["city"])
    declaration = force_state(
        ready_declaration(users["enterprise"], campaign), "province_verification", users["county"]
    )
    services.transition(
        users["province"], declaration.pk, "declaration.province_verify", expected_state="province_verification"
    )
    with pytest.raises(Conflict, match="申报状态已变化"):
        services.transition(
            users["province"],
            declaration.pk,
            "declaration.province_adjust",
            expected_state="province_verification",
            opinion="调整",
            grade="C",
        )
    assert GradeRecord.objects.filter(declaration=declaration).count() == 1


@pytest.mark.django_db(transaction=True)
def test_racing_approvals_only_one_wins(users: dict[str, Any]) -> None:
    campaign = make_campaign(users["city"])
    declaration = force_state(
        ready_declaration(users["enterprise"], campaign), "province_verification", users["county"]
    )
    outcomes: list[str] = []
    barrier = threading.Barrier(2)
    # PostgreSQL: both start together and the row lock decides. SQLite's in-memory test database cannot hold
    # two writers at once (it serialises them anyway), so there the two approvals take turns.
    turn = threading.Lock() if connection.vendor == "sqlite" else None

    def approve(action: str, **kwargs: Any) -> None:
        try:
            barrier.wait()
            if turn is not None:
                turn.acquire()
            services.transition(
                users["province"], declaration.pk, action, expected_state="province_verification", **kwargs
            )
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        finally:
            if turn is not None:
                turn.release()
            connection.close()

    threads = [
        threading.Thread(target=approve, args=("declaration.province_verify",)),
        threading.Thread(
            target=approve, args=("declaration.province_adjust",), kwargs={"opinion": "调整为C", "grade": "C"}
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert ReviewEvent.objects.filter(declaration=declaration).count() == 1
    assert GradeRecord.objects.filter(declaration=declaration).count() == 1


def test_cutoff_puts_non_applicants_at_the_lowest_grade(users: dict[str, Any], make_enterprise: Any) -> None:
    campaign = make_campaign(users["city"])
    applicant = ready_declaration(users["enterprise"], campaign)
    act(users["enterprise"], applicant, "declaration.submit")
    # A draft that never got submitted does not count as applying.
    drafter_user = users["other_enterprise_user"]
    ready_declaration(drafter_user, campaign)
    with pytest.raises(ServiceError, match="尚未到"):
        services.run_cutoff(users["city"], campaign.pk)
    # Move the clock past the deadline: the applicant submitted an hour before it.
    Declaration.objects.filter(pk=applicant.pk).update(submitted_at=timezone.now() - dt.timedelta(hours=1))
    Campaign.objects.filter(pk=campaign.pk).update(application_deadline=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(AccessDenied):
        services.run_cutoff(users["county"], campaign.pk)
    with pytest.raises(NotFound):  # another city's campaign: out of scope is "not found" (issue 8 defect 6)
        services.run_cutoff(users["other_city"], campaign.pk)
    records = services.run_cutoff(users["city"], campaign.pk)
    defaulted = {r.enterprise_id for r in records}
    assert users["other_enterprise"].pk in defaulted  # drafted but never submitted
    assert users["own_enterprise"].pk not in defaulted  # applied in time
    assert users["far_enterprise"].pk not in defaulted  # another city's enterprise
    record = GradeRecord.objects.get(enterprise=users["other_enterprise"])
    assert record.grade == "D" and record.source == "default_lowest" and "按最低等级管理" in record.reason
    assert AuditRecord.objects.filter(action="campaign.cutoff.default_lowest").count() == len(records)
    assert services.run_cutoff(users["city"], campaign.pk) == []  # idempotent
    assert CutoffRecord.objects.count() == len(records)
    # After the deadline nobody can start or submit a declaration in the campaign.
    with pytest.raises(ServiceError, match="已截止"):
        ready_declaration(users["other_enterprise_user"], campaign)


def test_b_sample_is_reproducible_from_its_record(users: dict[str, Any], make_enterprise: Any) -> None:
    from airgrade.core.workflow.sampling import draw_sample

    campaign = make_campaign(users["city"], b_sample_ratio="1/3")
    created = []
    for n in range(6):
        enterprise = make_enterprise("410181", f"抽样企业{n}")
        created.append(
            Declaration.objects.create(
                number=f"SBX-{n:03d}",
                campaign=campaign,
                site=enterprise.sites.first(),
                enterprise=enterprise,
                region_id="410181",
                state="county_passed",
            )
        )
        created[-1].items.create(industry_code="cement", target_grade="B")
    a_applicant = created[0]
    a_applicant.items.update(target_grade="A")
    result = services.draw_b_sample(users["city"], campaign.pk, city_code="410100", seed=987654321)
    draw = SampleDraw.objects.get(pk=result.draw.pk)
    assert len(draw.candidates) == 5 and len(draw.drawn) == 2  # ceil(5 / 3); the A applicant is not a candidate
    assert list(draw_sample(draw.candidates, draw.ratio, draw.seed).drawn) == draw.drawn
    flags = dict(Declaration.objects.filter(campaign=campaign).values_list("number", "sampled_for_city"))
    assert {n for n, f in flags.items() if f} == set(draw.drawn)
    assert flags[a_applicant.number] is None
    with pytest.raises(ServiceError, match="没有待抽查"):
        services.draw_b_sample(users["city"], campaign.pk, city_code="410100", seed=1)
    with pytest.raises(AccessDenied):
        services.draw_b_sample(users["county"], campaign.pk, city_code="410100", seed=1)


def test_experts_see_only_assigned_reviews_and_respect_ties_and_blacklist(users: dict[str, Any]) -> None:
    from airgrade.platform.permissions import actor_of

    campaign = make_campaign(users["city"])
    declaration = force_state(
        ready_declaration(users["enterprise"], campaign), "county_review", users["county"], checks=False
    )
    expert = users["expert"]
    profile = services.register_expert(users["city"], expert_user_id=expert.pk, region_code="410100")
    with pytest.raises(NotFound):
        services.get_declaration(expert, declaration.pk)
    check = services.open_onsite_check(users["county"], declaration.pk)
    with pytest.raises(NotFound):  # not assigned: the check is out of the expert's scope (issue 8 defect 6)
        services.record_finding(expert, check.pk, industry_code="cement", indicator_id="x", result="met")
    services.assign_expert(users["county"], check.pk, profile.pk)
    assert f"onsite:{check.pk}" in actor_of(expert).assignments
    assert services.get_declaration(expert, declaration.pk) == declaration
    services.record_finding(expert, check.pk, industry_code="cement", indicator_id="kiln_nox", result="met")
    # Experts record findings but the official signs.
    with pytest.raises(AccessDenied):
        services.sign_check(expert, check.pk, conclusion="consistent", summary="", signature_name="专家")
    other_campaign = make_campaign(users["city"], name="另一批次")
    other = force_state(
        ready_declaration(users["other_enterprise_user"], other_campaign),
        "county_review",
        users["county"],
        checks=False,
    )
    services.declare_tie(expert, enterprise_id=users["other_enterprise"].pk, note="曾任该企业顾问")
    other_county_user = users["other_county"]
    other_check = services.open_onsite_check(other_county_user, other.pk)
    with pytest.raises(ServiceError, match="利益关联"):
        services.assign_expert(other_county_user, other_check.pk, profile.pk)
    with pytest.raises(AccessDenied):
        services.blacklist_expert(users["county"], profile.pk, reason="收受礼品")
    services.blacklist_expert(users["city"], profile.pk, reason="收受企业礼品")
    assert actor_of(expert).assignments == frozenset()
    with pytest.raises(NotFound):
        services.get_declaration(expert, declaration.pk)
    with pytest.raises(ServiceError, match="黑名单"):
        services.assign_expert(users["county"], check.pk, ExpertProfile.objects.get(pk=profile.pk).pk)


def test_onsite_photo_accepts_only_images(users: dict[str, Any]) -> None:
    campaign = make_campaign(users["city"])
    declaration = force_state(
        ready_declaration(users["enterprise"], campaign), "county_review", users["county"], checks=False
    )
    check = services.open_onsite_check(users["county"], declaration.pk)
    photo = services.add_photo(users["county"], check.pk, filename="现场.png", content=PNG)
    assert len(photo.sha256) == 64
    with pytest.raises(ServiceError, match="只接受"):
        services.add_photo(users["county"], check.pk, filename="现场.pdf", content=PDF)


def test_banned_enterprise_cannot_apply(users: dict[str, Any]) -> None:
    campaign = make_campaign(users["city"])
    declaration = force_state(
        ready_declaration(users["enterprise"], campaign), "province_verification", users["county"]
    )
    act(users["province"], declaration, "declaration.province_verify")
    site = users["own_enterprise"].sites.first()
    grades.downgrade(
        users["county"],
        site_id=site.pk,
        industry_code="cement",
        reason_code="false_material",
        description="监测报告系伪造",
    )
    next_campaign = make_campaign(users["city"], name="下一批次")
    with pytest.raises(ServiceError, match="不得申报"):
        ready_declaration(users["enterprise"], next_campaign)


def test_work_queue_flags_overdue(users: dict[str, Any]) -> None:
    campaign = make_campaign(users["city"], template_code="liaocheng-2020")
    declaration = ready_declaration(users["enterprise"], campaign)
    act(users["enterprise"], declaration, "declaration.submit")
    queue = work_queue(users["county"])
    assert [t["declaration_id"] for t in queue] == [declaration.pk]
    # The Liaocheng template shifted to this year: the county's 8/18 milestone.
    assert queue[0]["due"].month == 8 and queue[0]["due"].day == 18
    assert queue[0]["overdue"] is (queue[0]["due"] < timezone.now())
    assert work_queue(users["other_county"]) == []
    assert work_queue(users["city"]) == []


def test_unknown_facts_cannot_be_submitted(users: dict[str, Any]) -> None:
    campaign = make_campaign(users["city"])
    declaration = ready_declaration(users["enterprise"], campaign)
    declaration.items.update(facts={"kiln_nox": 45})
    with pytest.raises(ServiceError, match="kiln_nox") as caught:
        act(users["enterprise"], declaration, "declaration.submit")
    assert caught.value.field == "facts"
    declaration.refresh_from_db()
    assert declaration.state == "draft" and declaration.items.get().rules_version == ""
