"""Deny-by-default access decisions by role and region scope."""

from __future__ import annotations

import pytest

from airgrade.core.access import Actor, Target, decide
from airgrade.core.regions import RegionLevel, contains, level_of, scope_prefix
from airgrade.core.types import Role

COUNTY = Actor(Role.COUNTY, region_code="410181")
CITY = Actor(Role.CITY, region_code="410100")
JIYUAN = Actor(Role.CITY, region_code="419001")
PROVINCE = Actor(Role.PROVINCE, region_code="410000")
ENTERPRISE = Actor(Role.ENTERPRISE, enterprise_id=7)
EXPERT = Actor(Role.EXPERT, assignments=frozenset({"review:3"}))


def test_region_levels_and_scopes() -> None:
    assert level_of("410000") is RegionLevel.PROVINCE
    assert level_of("410100") is RegionLevel.CITY
    assert level_of("419001") is RegionLevel.CITY  # 济源: province-administered city
    assert level_of("410181") is RegionLevel.COUNTY
    assert scope_prefix("410100") == "4101"
    assert contains("410100", "410181") and not contains("410100", "410381")
    with pytest.raises(ValueError):
        level_of("41")


@pytest.mark.parametrize(
    ("actor", "action", "target", "allowed"),
    [
        (COUNTY, "enterprise.edit", Target("410181", 1), True),
        (COUNTY, "enterprise.edit", Target("410182", 1), False),
        (CITY, "enterprise.view", Target("410182", 1), True),
        (CITY, "enterprise.view", Target("410381", 1), False),
        (JIYUAN, "enterprise.view", Target("419001", 1), True),
        (JIYUAN, "enterprise.view", Target("410100", 1), False),
        (PROVINCE, "enterprise.view", Target("410381", 1), True),
        (PROVINCE, "enterprise.view", Target("130100", 1), False),
        (ENTERPRISE, "enterprise.edit", Target("410181", 7), True),
        (ENTERPRISE, "enterprise.view", Target("410181", 8), False),
        (ENTERPRISE, "enterprise.create", Target("410181", None), False),
        (EXPERT, "enterprise.view", Target("410181", 1, "review:3"), True),
        (EXPERT, "enterprise.view", Target("410181", 1, "review:4"), False),
        (Actor(Role.PUBLIC), "enterprise.view", Target("410181", 1), False),
        (Actor(Role.PUBLIC), "public.view", Target(), True),
        (PROVINCE, "no.such.action", Target("410181", 1), False),
        (Actor(Role.COUNTY, region_code=None), "enterprise.view", Target("410181", 1), False),
    ],
)
def test_decisions(actor: Actor, action: str, target: Target, allowed: bool) -> None:
    decision = decide(actor, action, target)
    assert decision.allowed is allowed
    assert decision.reason == "" if allowed else decision.reason


def test_scope_ranges_cover_exactly_the_contained_codes() -> None:
    from airgrade.core.regions import scope_range

    assert scope_range("410000") == ("410000", "419999")
    assert scope_range("410100") == ("410100", "410199")
    assert scope_range("419001") == ("419001", "419001")
    assert scope_range("410181") == ("410181", "410181")
    for scope in ("410000", "410100", "419001", "410181"):
        low, high = scope_range(scope)
        for code in ("410000", "410100", "410181", "410182", "410381", "419001", "130100"):
            assert (low <= code <= high) == contains(scope, code), (scope, code)


def test_permissions_for_lists_exactly_what_decide_allows() -> None:
    from airgrade.core.access import ACTION_ROLES, permissions_for

    target = Target("410181", 7)
    for actor in (COUNTY, CITY, PROVINCE, ENTERPRISE, EXPERT, Actor(Role.PUBLIC)):
        allowed = permissions_for(actor, target)
        assert allowed == {action for action in ACTION_ROLES if decide(actor, action, target)}
    assert "enterprise.edit" in permissions_for(COUNTY, target)
    assert "enterprise.edit" not in permissions_for(COUNTY, Target("410182", 7))  # out of scope
    assert "enterprise.create" not in permissions_for(ENTERPRISE, target)  # not the role's action


def test_permissions_for_defaults_to_the_actors_own_ground() -> None:
    from airgrade.core.access import permissions_for

    assert "audit.view" in permissions_for(COUNTY)
    assert "region.overview" in permissions_for(CITY)
    assert "region.overview" not in permissions_for(ENTERPRISE)
    assert "declaration.create" in permissions_for(ENTERPRISE)
    # An expert's own ground carries no assignment: nothing but public actions.
    assert {a for a in permissions_for(EXPERT) if not a.startswith("public.")} == set()
