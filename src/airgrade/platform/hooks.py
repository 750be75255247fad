"""Registration hooks: how an app reaches work done by an app above it without importing it (kernel).

Apps are layered (docs/architecture.md): an app imports only the kernel, the core and apps below it. Where a lower
app needs something an upper app owns, the lower app calls a hook here and the upper app fills it:

- contributions: an AppConfig method of a known name (`expert_assignments(user)`, `work_items(user)`); every
  installed app that defines it contributes. `contributions("work_items", user)` gathers them.
- ports: one implementation of a typed interface, provided in the owning app's `AppConfig.ready()`. The
  declarations workflow writes grades and reads application bans through `grade_ledger()`, which the grades app
  provides; declarations never imports grades.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from airgrade.core.types import Grade


def contributions(hook: str, *args: Any) -> list[Any]:
    """Call `hook(*args)` on every installed app that defines it, in INSTALLED_APPS order; concatenate the lists."""
    gathered: list[Any] = []
    for config in apps.get_app_configs():
        provider = getattr(config, hook, None)
        if provider is not None:
            gathered.extend(provider(*args))
    return gathered


class GradeLedger(Protocol):
    """What the declaration workflow needs from the grade registry (provided by the grades app)."""

    def record_grade(
        self,
        *,
        actor: Any,
        site: Any,
        industry_code: str,
        grade: Grade,
        valid_from: dt.date,
        source: str,
        declaration: Any = None,
        campaign: Any = None,
        rules_version: str = "",
        reason: str = "",
    ) -> Any: ...

    def active_ban(self, enterprise: Any, on: dt.date | None = None) -> Any: ...

    def dynamic_upgrade_refusal(
        self, site: Any, industry_code: str, grade: Grade, campaign: Any, on: dt.date
    ) -> str: ...


_grade_ledger: GradeLedger | None = None


def provide_grade_ledger(ledger: GradeLedger) -> None:
    global _grade_ledger
    _grade_ledger = ledger


def grade_ledger() -> GradeLedger:
    """The grade registry's ledger; fails loudly when the grades app is not installed (no silent skip)."""
    if _grade_ledger is None:
        raise ImproperlyConfigured("绩效等级应用未安装：申报流程无法写入等级台账")
    return _grade_ledger
