"""Workflow transitions: the facts the core transition table reads, the allowed actions, the sealed review events
and the one transition function (REQ LC-2, LC-7, H23-3).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from airgrade.core.hashchain import GENESIS, check_link, link_hash
from airgrade.core.types import Grade, worst_grade
from airgrade.core.workflow import (
    GradeRule,
    State,
    WorkflowContext,
    allowed_actions,
    check,
    check_decided_grade,
    city_onsite_required,
    guarantee_grades_ok,
    transition_for,
)
from airgrade.platform.audit import services as audit
from airgrade.platform.declarations.models import (
    Declaration,
    DeclarationItem,
    OnsiteCheck,
    ReviewEvent,
)
from airgrade.platform.declarations.services.common import (
    application_open,
    declaration_target,
    load_declaration,
    now,
    parse_grade,
)
from airgrade.platform.declarations.services.declarations import best_target, declares_lowest, seal_self_check
from airgrade.platform.errors import AccessDenied, Conflict, ServiceError
from airgrade.platform.hooks import grade_ledger
from airgrade.platform.permissions import actor_of


def _signed_check(declaration: Declaration, level: str) -> bool:
    return declaration.onsite_checks.filter(level=level, signed_at__isnull=False).exists()


# Each declaration's review events form their own chain on the shared implementation (core.hashchain).
SEAL_GENESIS = GENESIS


def city_check_required(declaration: Declaration) -> bool:
    """The core's rule (`core.workflow.city_onsite_required`) over every item: any A / 引领性, or a B (B-) drawn in
    the sample or not yet drawn."""
    return any(
        city_onsite_required(Grade(item.target_grade), declaration.sampled_for_city) for item in declaration.items.all()
    )


def _grade_the_province_would_verify(item: DeclarationItem) -> Grade:
    """Verifying accepts the city's lower recommendation if it made one, else the declared grade (REQ LC-2)."""
    return Grade(item.recommended_grade or item.target_grade)


def _upgrade_refusals(declaration: Declaration, item_grades: dict[int, Grade]) -> list[str]:
    """Dynamic-management upgrades outside the region's adjustment window (REQ LC-12, LC-8, H23-7)."""
    on = timezone.localdate()
    refusals = []
    for item in declaration.items.all():
        refusal = grade_ledger().dynamic_upgrade_refusal(
            declaration.site, item.industry_code, item_grades[item.pk], declaration.campaign, on
        )
        if refusal:
            refusals.append(refusal)
    return refusals


def workflow_context(declaration: Declaration) -> WorkflowContext:
    items = list(declaration.items.all())
    # Only province verification reads this; elsewhere it stays False (deny by default) and costs no queries.
    upgrade_window_ok = declaration.state == State.PROVINCE_VERIFICATION and not _upgrade_refusals(
        declaration, {item.pk: _grade_the_province_would_verify(item) for item in items}
    )
    return WorkflowContext(
        guarantee_grade_ok=guarantee_grades_ok(declaration.is_guarantee, [Grade(i.target_grade) for i in items]),
        upgrade_window_ok=upgrade_window_ok,
        commitment_signed=declaration.commitment_signed_at is not None,
        application_document_ready=bool(declaration.document_sha256),
        banned=grade_ledger().active_ban(declaration.enterprise) is not None,
        target_top_tier=best_target(declaration).is_top_tier if declaration.items.exists() else False,
        declared_lowest=declares_lowest(declaration) if declaration.items.exists() else False,
        county_onsite_done=_signed_check(declaration, OnsiteCheck.Level.COUNTY),
        city_onsite_required=city_check_required(declaration),
        city_onsite_done=_signed_check(declaration, OnsiteCheck.Level.CITY),
        application_open=application_open(declaration.campaign),
    )


def actions_for(user: Any, declaration: Declaration, context: WorkflowContext | None = None) -> list[dict[str, Any]]:
    """What the caller may do now, for buttons and the API's `allowed_actions`."""
    actor = actor_of(user)
    return [
        {
            "action": t.action,
            "label": t.label_zh,
            "requires_opinion": t.requires_opinion,
            "sets_grade": t.grade_rule.asks_grade,
            "to_state": t.target.value,
        }
        for t in allowed_actions(
            State(declaration.state), actor, declaration_target(declaration), context or workflow_context(declaration)
        )
    ]


def _event_payload(event: ReviewEvent) -> dict[str, Any]:
    return {
        "declaration": event.declaration_id,
        "action": event.action,
        "from": event.from_state,
        "to": event.to_state,
        "reviewer": event.reviewer_id,
        "name": event.reviewer_name,
        "role": event.reviewer_role,
        "region": event.reviewer_region,
        "opinion": event.opinion,
        "grade": event.grade,
        "at": event.at.isoformat(),
    }


def verify_seals(declaration: Declaration) -> bool:
    """Recompute the seal chain of a declaration's review events; False if any was altered or removed."""
    previous = SEAL_GENESIS
    for event in declaration.events.order_by("id"):
        if check_link(previous, event.previous_seal, _event_payload(event), event.seal) is not None:
            return False
        previous = event.seal
    return True


@transaction.atomic
def transition(
    user: Any,
    declaration_id: int,
    action: str,
    *,
    expected_state: str,
    expected_version: int | None = None,
    opinion: str = "",
    grade: str | None = None,
    item_grades: dict[str, str] | None = None,
) -> Declaration:
    """Move a declaration. The caller names the state (and version) it saw: the row is locked, and a second
    approval racing the first finds the state changed and is refused with nothing written."""
    declaration = load_declaration(declaration_id, for_update=True)
    actor = actor_of(user)
    transition_row = transition_for(action)
    if transition_row is None:
        raise ServiceError(f"未定义的流程操作: {action}", field="action")
    if declaration.state != expected_state or (
        expected_version is not None and declaration.version != expected_version
    ):
        raise Conflict(f"申报状态已变化（现为“{State(declaration.state).label_zh}”），可能已由他人处理，请刷新后重试")
    decision = check(
        action,
        State(declaration.state),
        actor,
        declaration_target(declaration),
        workflow_context(declaration),
        opinion=opinion,
    )
    if not decision:
        raise AccessDenied(decision.reason)
    items = list(declaration.items.all())
    decided: dict[int, Grade] = {}
    recommended: dict[int, Grade] = {}
    if transition_row.grade_rule.decides and transition_row.grade_rule.asks_grade:
        for item in items:
            value = (item_grades or {}).get(item.industry_code, grade)
            item_grade = parse_grade(value) if value else None
            verdict = check_decided_grade(transition_row, item_grade)
            if not verdict or item_grade is None:
                raise ServiceError(verdict.reason or "须给出评定等级", field="grade")
            decided[item.pk] = item_grade
    elif transition_row.grade_rule is GradeRule.LOWER_THAN_DECLARED:
        recommended = _city_recommendation(transition_row, items, grade, item_grades)
    elif grade or item_grades:
        raise ServiceError(f"“{transition_row.label_zh}”不设定等级", field="grade")
    if transition_row.grade_rule is GradeRule.CONFIRMS_RECOMMENDATION:
        decided = {item.pk: _grade_the_province_would_verify(item) for item in items}
    if transition_row.upgrade_window_on_decided_grade:
        refusals = _upgrade_refusals(declaration, decided)
        if refusals:
            raise ServiceError("；".join(refusals), field="grade")
    # 保障类 in key industries need B or better or 引领性 (REQ H23-5, LC-9): a final grade below that ends the
    # 保障类 status, said in the sealed record and the grade record rather than silently.
    guarantee_note = ""
    if decided and declaration.is_guarantee and not guarantee_grades_ok(True, decided.values()):
        guarantee_note = (
            f"最终等级 {worst_grade(list(decided.values())).value} 低于B级，不再符合重点行业保障类企业须达到"
            "B级及以上或绩效引领性的要求，已取消保障类企业标记（REQ H23-5, LC-9）"
        )
        declaration.is_guarantee = False
    if transition_row.submits:
        seal_self_check(declaration, items)

    before = {"state": declaration.state, "version": declaration.version}
    declaration.state = transition_row.target.value
    declaration.version += 1
    if transition_row.submits:
        declaration.submitted_at = now()
    if decided:
        declaration.decided_grade = worst_grade(list(decided.values())).value
        declaration.decided_at = now()
    declaration.save()
    for item in items:
        if item.pk in recommended:
            item.recommended_grade = recommended[item.pk].value
            item.save(update_fields=["recommended_grade"])
    sealed_opinion = "\n".join(part for part in (opinion.strip(), guarantee_note) if part)
    if decided:
        event_grade = declaration.decided_grade
    elif recommended:
        event_grade = worst_grade([recommended.get(i.pk, Grade(i.target_grade)) for i in items]).value
    else:
        event_grade = ""

    last = declaration.events.order_by("-id").first()
    event = ReviewEvent(
        declaration=declaration,
        action=action,
        from_state=before["state"],
        to_state=declaration.state,
        reviewer=user,
        reviewer_name=getattr(user, "display_name", "") or user.get_username(),
        reviewer_role=actor.role.value,
        reviewer_region=actor.region_code or "",
        opinion=sealed_opinion,
        grade=event_grade,
        at=now().replace(microsecond=0),
        previous_seal=last.seal if last else SEAL_GENESIS,
    )
    event.seal = link_hash(event.previous_seal, _event_payload(event))
    event.save()
    audit.record(
        actor=user,
        action=action,
        obj=declaration,
        region_code=declaration.region_id,
        before=before,
        after={
            "state": declaration.state,
            "version": declaration.version,
            "grade": event.grade,
            "seal": event.seal,
            **(
                {"recommended": {i.industry_code: recommended[i.pk].value for i in items if i.pk in recommended}}
                if recommended
                else {}
            ),
            **({"is_guarantee": False} if guarantee_note else {}),
        },
        reason=sealed_opinion,
    )

    if decided:
        # The registry's source: the province's own grade is a review adjustment, every other decision the
        # campaign's review (grades.models.GradeRecord.Source values).
        source = "review" if transition_row.grade_rule is GradeRule.ANY else "campaign"
        for item in items:
            grade_ledger().record_grade(
                actor=user,
                site=declaration.site,
                industry_code=item.industry_code,
                grade=decided[item.pk],
                valid_from=timezone.localdate(),
                source=source,
                declaration=declaration,
                campaign=declaration.campaign,
                rules_version=item.rules_version,
                reason=f"{declaration.number} {transition_row.label_zh}"
                + (f"：{sealed_opinion}" if sealed_opinion else ""),
            )
    return declaration


def _city_recommendation(
    transition_row: Any, items: list[DeclarationItem], grade: str | None, item_grades: dict[str, str] | None
) -> dict[int, Grade]:
    """The city's lower grade per item (REQ LC-2): `item_grades` by industry, else `grade` for every item. An item
    without a grade keeps its declared one; at least one item must be lowered, each strictly below its declared."""
    unknown = set(item_grades or {}) - {item.industry_code for item in items}
    if unknown:
        raise ServiceError(f"申报中没有行业 {'、'.join(sorted(unknown))}", field="item_grades")
    recommended: dict[int, Grade] = {}
    for item in items:
        value = (item_grades or {}).get(item.industry_code, grade)
        if not value:
            continue
        item_grade = parse_grade(value)
        verdict = check_decided_grade(transition_row, item_grade, Grade(item.target_grade))
        if not verdict:
            raise ServiceError(f"{item.industry_code}：{verdict.reason}", field="grade")
        recommended[item.pk] = item_grade
    if not recommended:
        raise ServiceError("“市级审核通过（建议降低等级）”须给出低于申报等级的建议等级", field="grade")
    return recommended
