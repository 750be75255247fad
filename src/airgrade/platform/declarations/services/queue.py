"""Due dates and the declarations' share of the work queue (declarations waiting on the caller, on-site checks
assigned to an expert); the home app gathers every app's share.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from airgrade.core.types import Role
from airgrade.core.workflow import (
    State,
)
from airgrade.core.workflow.campaigns import batch_for_industry
from airgrade.platform.declarations.models import (
    Campaign,
    Declaration,
    OnsiteCheck,
)
from airgrade.platform.declarations.services.common import (
    now,
    visible_declarations,
)
from airgrade.platform.permissions import actor_of

# ================================================================ due dates and work queues

# Which role acts next in each state.
NEXT_ROLE = {
    State.DRAFT: Role.ENTERPRISE,
    State.RETURNED: Role.ENTERPRISE,
    State.SUBMITTED: Role.COUNTY,
    State.COUNTY_REVIEW: Role.COUNTY,
    State.COUNTY_PASSED: Role.CITY,
    State.CITY_REVIEW: Role.CITY,
    State.CITY_PASSED: Role.CITY,
    State.PROVINCE_VERIFICATION: Role.PROVINCE,
}


# What `due_for` reads besides the declaration: prefetch these on a list of declarations (one query each, not one
# per declaration).
DUE_PREFETCH = ("items", "campaign__batches", "campaign__milestones")


def due_for(declaration: Declaration) -> dt.datetime | None:
    """The due date of the next step: the industry batch (H21-4) if the campaign has batches; else the
    milestone of the acting level (LC-8 county 8/18, city 8/20); else the campaign's deadline (monthly: month end).
    For drafts, the application deadline."""
    campaign = declaration.campaign
    state = State(declaration.state)
    if state is State.DRAFT:
        return campaign.application_deadline
    role = NEXT_ROLE.get(state)
    if role is None:
        return None
    batches = tuple(campaign.batches.all())
    if batches:
        from airgrade.core.workflow.campaigns import IndustryBatch

        core_batches = tuple(
            IndustryBatch(
                order=b.order,
                code=b.code,
                name_zh=b.name,
                families=tuple(b.families),
                includes_guarantee=b.includes_guarantee,
                due=b.due.replace(tzinfo=None),
            )
            for b in batches
        )
        dues = []
        for item in declaration.items.all():
            batch = batch_for_industry(core_batches, item.industry_code, guarantee=declaration.is_guarantee)
            if batch is not None:
                dues.append(next(b.due for b in batches if b.code == batch.code))
        if dues:
            return min(dues)
    # From the campaign's (prefetchable) milestones rather than one query per declaration of a work queue.
    dues = sorted(m.due for m in campaign.milestones.all() if m.by == role.value)
    if dues and role in (Role.COUNTY, Role.CITY):
        return dues[0]
    return campaign.application_deadline if campaign.kind == Campaign.Kind.MONTHLY else None


def work_items(user: Any) -> list[dict[str, Any]]:
    """The declarations' share of the caller's work queue: declarations waiting on the caller's role, or the on-site
    checks assigned to an expert; with due dates, overdue ones flagged and first. The home app adds the other apps'
    shares (`airgrade.platform.home.services.work_queue`)."""
    actor = actor_of(user)
    moment = now()
    tasks: list[dict[str, Any]] = []
    states = [s.value for s, role in NEXT_ROLE.items() if role is actor.role]
    if actor.role is Role.EXPERT:
        for row in (
            OnsiteCheck.objects.filter(experts__user=user, signed_at__isnull=True)
            .select_related("declaration", "declaration__enterprise", "declaration__campaign")
            .prefetch_related(*(f"declaration__{name}" for name in DUE_PREFETCH))
        ):
            due = due_for(row.declaration)
            tasks.append(
                {
                    "kind": "onsite",
                    "id": row.pk,
                    "declaration_id": row.declaration_id,
                    "title": f"{row.get_level_display()}：{row.declaration.enterprise.name}",
                    "due": due,
                    "overdue": bool(due and due < moment),
                }
            )
        return _by_due(tasks, moment)
    for declaration in (
        visible_declarations(user)
        .filter(state__in=states)
        .select_related("enterprise", "campaign")
        .prefetch_related(*DUE_PREFETCH)
    ):
        due = due_for(declaration)
        tasks.append(
            {
                "kind": "declaration",
                "id": declaration.pk,
                "declaration_id": declaration.pk,
                "title": f"{declaration.number} {declaration.enterprise.name}（{State(declaration.state).label_zh}）",
                "due": due,
                "overdue": bool(due and due < moment),
            }
        )
    return _by_due(tasks, moment)


def _by_due(tasks: list[dict[str, Any]], moment: dt.datetime) -> list[dict[str, Any]]:
    """Overdue first, then by due date; undated last."""
    return sorted(tasks, key=lambda t: (not t["overdue"], t["due"] or moment + dt.timedelta(days=3650)))


def declarations_in_scope(user: Any, q: Q | None = None) -> QuerySet[Declaration]:
    queryset = visible_declarations(user)
    return queryset.filter(q) if q is not None else queryset
