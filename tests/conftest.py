"""Shared fixtures: regions, one user per role in and out of scope, and a small registry to act on."""

from __future__ import annotations

from typing import Any

import pytest

from airgrade.core.credit_code import make as make_credit_code
from airgrade.core.types import Role

# Scope layout used across the tests: Zhengzhou (410100) with 巩义 (410181) and 荥阳 (410182); Luoyang (410300).
HOME_COUNTY = "410181"
OTHER_COUNTY = "410182"
HOME_CITY = "410100"
OTHER_CITY = "410300"
OTHER_CITY_COUNTY = "410381"
PROVINCE = "410000"
PASSWORD = "test-password-123"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Load the bundled regions once per test database."""
    from airgrade.platform.regions.services import load_regions

    with django_db_blocker.unblock():
        load_regions()


@pytest.fixture(autouse=True)
def _fast_password_hashing(request: pytest.FixtureRequest) -> None:
    # The production hasher is deliberately slow; tests create many users. test_passwords_are_hashed checks the real one.
    # Pure tests run without Django (`make test-core` disables pytest-django), so ask for its settings only when the
    # plugin is active: nothing in tests/core depends on Django.
    if request.config.pluginmanager.has_plugin("django"):
        request.getfixturevalue("settings").PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _user(username: str, role: Role, region: str | None = None, enterprise: Any = None) -> Any:
    from airgrade.platform.accounts.models import User

    user = User(username=username, role=role.value, region_id=region, enterprise=enterprise)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def regions(db: Any) -> None:
    """Regions present even after a transactional (live-server) test has flushed the tables."""
    from airgrade.platform.regions.models import Region
    from airgrade.platform.regions.services import load_regions

    if not Region.objects.filter(code=HOME_COUNTY).exists():
        load_regions()


@pytest.fixture
def make_enterprise(regions: None) -> Any:
    """Create an enterprise with one site, an industry and one line, through the services (audited)."""
    from airgrade.platform.enterprises import services

    counter = {"n": 0}
    system = _user("registry-clerk", Role.PROVINCE, PROVINCE)

    def factory(region: str = HOME_COUNTY, name: str | None = None, industry: str = "cement") -> Any:
        counter["n"] += 1
        code = make_credit_code(f"91{region}{counter['n']:09d}")
        enterprise = services.create_enterprise(
            system, {"credit_code": code, "name": name or f"测试企业{counter['n']}", "region": region}
        )
        site = services.add_site(system, enterprise.pk, {"name": "主厂区"})
        services.set_site_industries(system, site.pk, [{"industry_code": industry}])
        services.add_line(
            system,
            site.pk,
            {"name": "1#熟料线", "capacity": 4000, "capacity_unit": "t/d", "industry_code": industry},
        )
        return enterprise

    return factory


@pytest.fixture
def users(db: Any, make_enterprise: Any) -> dict[str, Any]:
    """Users in scope (home county / city / province, own enterprise) and out of scope (other county, city, enterprise)."""
    own = make_enterprise(HOME_COUNTY, "本县企业")
    other = make_enterprise(OTHER_COUNTY, "邻县企业")
    far = make_enterprise(OTHER_CITY_COUNTY, "外市企业")
    return {
        "own_enterprise": own,
        "other_enterprise": other,
        "far_enterprise": far,
        "enterprise": _user("ent", Role.ENTERPRISE, enterprise=own),
        "other_enterprise_user": _user("ent2", Role.ENTERPRISE, enterprise=other),
        "county": _user("county", Role.COUNTY, HOME_COUNTY),
        "other_county": _user("county2", Role.COUNTY, OTHER_COUNTY),
        "city": _user("city", Role.CITY, HOME_CITY),
        "other_city": _user("city2", Role.CITY, OTHER_CITY),
        "province": _user("province", Role.PROVINCE, PROVINCE),
        "expert": _user("expert", Role.EXPERT),
    }
