"""PostgreSQL: rows locked only to serialise writers are locked FOR NO KEY UPDATE (issue 8, load benchmark).

Django's foreign keys are checked at commit (DEFERRABLE INITIALLY DEFERRED), and the check takes a FOR KEY SHARE lock
on the referenced row. A plain FOR UPDATE held by another writer blocks that commit; under load
(`benchmarks/load_mixed.py`, 16 clients) the cycle "site insert holds the audit chain head, waits at commit for its
region; the recount holds the region, waits for the chain head" deadlocked (15 errors in 60 s). Here one transaction
holds the registry's serialising lock while another commits a site that references the locked row: the commit must
not wait. Runs on PostgreSQL only (`make test-postgres`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction

from airgrade.platform.enterprises import services
from airgrade.platform.enterprises.models import Enterprise, Site

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-lock modes exist on PostgreSQL only"),
]


def _commits_beside(enterprise: Enterprise, lock_holder: Callable[[], Any]) -> bool:
    """Run `lock_holder` in a transaction kept open, and meanwhile commit a new site of `enterprise` (its foreign
    keys take key-share locks on the enterprise and its region at commit): True when that commit did not wait."""
    locked, released = threading.Event(), threading.Event()
    outcome: dict[str, bool] = {}

    def hold() -> None:
        try:
            with transaction.atomic():
                lock_holder()
                locked.set()
                time.sleep(3)  # long enough for a waiting commit to show
                released.set()
        finally:
            connection.close()

    def commit_site() -> None:
        locked.wait(10)
        try:
            with transaction.atomic():
                Site.objects.create(enterprise=enterprise, name="并发厂区", region_id=enterprise.region_id)
            outcome["before_release"] = not released.is_set()
        finally:
            connection.close()

    threads = [threading.Thread(target=hold), threading.Thread(target=commit_site)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcome.get("before_release", False)


def test_recounting_a_county_does_not_block_a_site_committed_there(users: dict[str, Any]) -> None:
    enterprise = users["own_enterprise"]
    assert _commits_beside(enterprise, lambda: services.retally({enterprise.region_id}))


def test_editing_an_enterprise_does_not_block_a_site_committed_for_it(users: dict[str, Any]) -> None:
    enterprise = users["own_enterprise"]
    edit = lambda: services.update_enterprise(  # noqa: E731
        users["county"], enterprise.pk, {"name": "并发改名企业"}, reason="并发测试"
    )
    assert _commits_beside(enterprise, edit)
    assert Enterprise.objects.get(pk=enterprise.pk).name == "并发改名企业"
