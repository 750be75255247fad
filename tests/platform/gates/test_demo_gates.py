"""The demo's gate ledger (issue 11, done-when): the 巩义 cement site's declaration is graded on the ledger's clean share,
shown next to the declared one with its source; the demo logistics park has a gate, records and its label."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_the_demo_declaration_is_graded_on_the_ledger_and_the_park_runs_a_ledger(db: Any) -> None:
    from airgrade.platform.declarations import review
    from airgrade.platform.declarations.models import Declaration
    from airgrade.platform.demo import load_demo
    from airgrade.platform.gates import services
    from airgrade.platform.gates.demo import demo_site
    from airgrade.platform.gates.models import LedgerHead, LogisticsPark

    load_demo(enterprise_count=40, seed=7)
    site = demo_site()
    declaration = Declaration.objects.filter(site=site).exclude(state="withdrawn").first()
    assert declaration is not None
    shares = [
        source
        for item in review.review_items(declaration)
        for source in item.fact_sources
        if source.label.startswith("公路运输中国五")
    ]
    assert shares and all(s.used and s.graded_source.startswith("门禁台账 ") for s in shares)
    assert any(s.differs for s in shares)  # the declared share and the ledger's differ, both shown
    park = LogisticsPark.objects.get()
    assert park.get_kind_display() == "物流园区" and not park.site.industries.exists()
    assert LedgerHead.objects.get(site=park.site).count > 0 and services.verify(park.site).ok
