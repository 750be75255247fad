"""Role × transition × in / out of region, run from the YAML matrix through the real service (REQ LC-2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from workflow_helpers import force_state, make_campaign, ready_declaration

from airgrade.core.types import Role
from airgrade.platform.audit.models import AuditRecord
from airgrade.platform.declarations import services
from airgrade.platform.declarations.models import Declaration, ReviewEvent
from airgrade.platform.errors import AccessDenied, NotFound, ServiceError
from airgrade.platform.grades.models import GradeRecord

MATRIX = yaml.safe_load((Path(__file__).parent / "workflow_matrix.yaml").read_text("utf-8"))
CASES = [
    (action, row["from"], user, user == row["allowed"])
    for action, row in MATRIX.items()
    for user in [row["allowed"], *row["denied"]]
]
GRADE_FOR = {
    "declaration.county_grade": "C",
    "declaration.city_pass_lower": "B-",  # below the declared B (REQ LC-2)
    "declaration.province_adjust": "B-",
}


@pytest.fixture
def cast(users: dict[str, Any]) -> dict[str, Any]:
    from airgrade.platform.accounts.models import User

    far = User(username="hebei", role=Role.PROVINCE.value, region_id="130000")
    far.set_password("x-long-password")
    far.save()
    return {**users, "far_province": far}


def test_matrix_covers_every_transition() -> None:
    from airgrade.core.workflow import TRANSITIONS

    assert set(MATRIX) == {t.action for t in TRANSITIONS}


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "source", "who", "allowed"), CASES, ids=[f"{a}-{w}" for a, _, w, _ in CASES])
def test_transition_matrix(cast: dict[str, Any], action: str, source: str, who: str, allowed: bool) -> None:
    campaign = make_campaign(cast["city"])
    declaration = ready_declaration(cast["enterprise"], campaign)
    declaration = force_state(declaration, source, cast["county"])
    events_before = ReviewEvent.objects.count()
    audits_before = AuditRecord.objects.count()
    kwargs: dict[str, Any] = {"opinion": "审核意见：材料齐全"}
    if action in GRADE_FOR:
        kwargs["grade"] = GRADE_FOR[action]
    if allowed:
        result = services.transition(cast[who], declaration.pk, action, expected_state=source, **kwargs)
        assert result.state != source
        event = ReviewEvent.objects.get(declaration=declaration, action=action)
        assert event.reviewer == cast[who] and event.opinion == "审核意见：材料齐全" and len(event.seal) == 64
    else:
        # Out of scope answers "not found" before any other check (issue 8, defect 6); in scope, the reason.
        with pytest.raises((AccessDenied, NotFound)) as refused:
            services.transition(cast[who], declaration.pk, action, expected_state=source, **kwargs)
        assert refused.value.message
        assert Declaration.objects.get(pk=declaration.pk).state == source
        assert ReviewEvent.objects.count() == events_before
        assert AuditRecord.objects.count() == audits_before


@pytest.mark.django_db
def test_out_of_order_transition_is_refused_and_nothing_changes(users: dict[str, Any]) -> None:
    campaign = make_campaign(users["city"])
    declaration = ready_declaration(users["enterprise"], campaign)
    with pytest.raises(AccessDenied, match="当前状态为“草稿”"):
        services.transition(users["county"], declaration.pk, "declaration.county_pass", expected_state="draft")
    with pytest.raises(AccessDenied, match="当前状态"):
        services.transition(users["province"], declaration.pk, "declaration.province_verify", expected_state="draft")
    assert Declaration.objects.get(pk=declaration.pk).state == "draft"
    assert not GradeRecord.objects.exists()


@pytest.mark.django_db
def test_return_without_opinion_is_refused(users: dict[str, Any]) -> None:
    campaign = make_campaign(users["city"])
    declaration = force_state(ready_declaration(users["enterprise"], campaign), "county_review", users["county"])
    with pytest.raises(AccessDenied, match="须填写审核意见"):
        services.transition(
            users["county"], declaration.pk, "declaration.county_return", expected_state="county_review", opinion="  "
        )


@pytest.mark.django_db
def test_county_cannot_decide_a_top_tier_grade(users: dict[str, Any]) -> None:
    campaign = make_campaign(users["city"])
    declaration = force_state(ready_declaration(users["enterprise"], campaign), "county_review", users["county"])
    with pytest.raises(ServiceError, match="县级只能评定C级及以下"):
        services.transition(
            users["county"],
            declaration.pk,
            "declaration.county_grade",
            expected_state="county_review",
            opinion="评定",
            grade="B",
        )
    assert Declaration.objects.get(pk=declaration.pk).state == "county_review"


@pytest.mark.django_db
def test_unknown_action_is_refused(users: dict[str, Any]) -> None:
    campaign = make_campaign(users["city"])
    declaration = ready_declaration(users["enterprise"], campaign)
    with pytest.raises(ServiceError, match="未定义的流程操作"):
        services.transition(users["province"], declaration.pk, "declaration.approve", expected_state="draft")
