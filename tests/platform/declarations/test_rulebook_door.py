"""No silent default grade: the platform's door to the rule book fails loudly, in Chinese, naming industry and date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from workflow_helpers import make_campaign

from airgrade.core.rules.export import today
from airgrade.core.rules.rulebook import default_rulebook
from airgrade.platform.declarations import rulebook, services
from airgrade.platform.declarations.models import Campaign, CutoffRecord
from airgrade.platform.errors import ServiceError
from airgrade.platform.grades.models import GradeRecord


def test_the_floor_comes_from_the_industrys_own_scale() -> None:
    assert rulebook.industry_floor("cement", dt.date(2024, 1, 1), "410100").grade == "D"
    assert rulebook.industry_floor("footwear", dt.date(2024, 1, 1), "410100").grade == "非引领性"


@pytest.mark.parametrize(
    ("industry", "as_of", "expected"),
    [
        ("no_such_industry", dt.date(2024, 1, 1), "未知的行业代码 'no_such_industry'"),
        ("cement", dt.date(2010, 1, 1), "尚无生效的规则"),
        ("stone_processing", dt.date(2024, 1, 1), "是 130000 的地方行业，不适用于 410100"),
    ],
)
def test_unknown_industry_or_date_before_any_rule_is_a_service_error(
    industry: str, as_of: dt.date, expected: str
) -> None:
    for call in (rulebook.industry_floor, rulebook.indicators):
        with pytest.raises(ServiceError, match=expected) as caught:
            call(industry, as_of, "410100")
        assert caught.value.field == "industry_code" and str(as_of) in caught.value.message


@pytest.mark.django_db(transaction=True)
def test_cutoff_before_any_rule_refuses_and_writes_nothing(users: dict[str, Any]) -> None:
    # A ratio of its own, so the campaign needs no policy in force; the cut-off still needs the industry rules.
    campaign = make_campaign(users["city"], rules_as_of=dt.date(2010, 1, 1), b_sample_ratio="1/5")
    Campaign.objects.filter(pk=campaign.pk).update(application_deadline=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(ServiceError, match="尚无生效的规则"):
        services.run_cutoff(users["city"], campaign.pk)
    assert not GradeRecord.objects.exists() and not CutoffRecord.objects.exists()


def test_a_campaign_without_a_ratio_of_its_own_takes_the_policy_ratio() -> None:
    """The model's default is the rule book's policy in force today, not a copy of the number (REQ LC-2)."""
    assert Campaign().b_sample_ratio == default_rulebook().policy(today()).b_sample_ratio.ratio
