"""Declaration services, one module per aggregate; the only place that writes declarations and their campaigns,
samples and on-site checks.

- common: the clock, lookups, a declaration's access target, grade parsing
- campaigns: campaigns and the cut-off (non-applicants at the lowest grade)
- declarations: declarations, evidence, commitment, application document, self-check
- transitions: the workflow context the core transition table reads, allowed actions, sealed review events
- sampling: the city's B sample
- onsite: experts and on-site checks
- queue: due dates and the declarations' share of the work queue

Every write runs in transaction.atomic(), checks role + region scope (`platform.permissions.require` or the core
workflow table) and writes an audit record. Grades are written through the grade ledger hook
(`platform.hooks.grade_ledger`), never by importing the grades app. This package re-exports the public functions so
callers keep writing `services.transition(...)`.
"""

from __future__ import annotations

from airgrade.platform.declarations.services.campaigns import (
    application_list,
    campaign_cutoffs,
    campaign_draws,
    campaigns_for_region,
    campaigns_for_user,
    create_campaign,
    create_monthly_campaign,
    run_cutoff,
    visible_campaign,
)
from airgrade.platform.declarations.services.common import (
    application_open,
    declaration_target,
    get_campaign,
    load_declaration,
    now,
    parse_grade,
    visible_declarations,
)
from airgrade.platform.declarations.services.declarations import (
    best_target,
    create_declaration,
    declares_lowest,
    generate_document,
    get_declaration,
    seal_self_check,
    self_check,
    sign_commitment,
    update_declaration,
    upload_evidence,
)
from airgrade.platform.declarations.services.onsite import (
    LEVEL_FOR_ROLE,
    STATE_FOR_LEVEL,
    add_photo,
    assign_expert,
    blacklist_expert,
    checklist_for,
    declare_tie,
    expert_queryset,
    expert_sign,
    open_onsite_check,
    record_finding,
    register_expert,
    sign_check,
    unregistered_experts,
    visible_expert,
    visible_experts,
)
from airgrade.platform.declarations.services.queue import (
    NEXT_ROLE,
    declarations_in_scope,
    due_for,
    work_items,
)
from airgrade.platform.declarations.services.sampling import (
    SampleResult,
    draw_b_sample,
    sample_candidates,
)
from airgrade.platform.declarations.services.transitions import (
    SEAL_GENESIS,
    actions_for,
    city_check_required,
    transition,
    verify_seals,
    workflow_context,
)

__all__ = [
    "LEVEL_FOR_ROLE",
    "NEXT_ROLE",
    "SEAL_GENESIS",
    "STATE_FOR_LEVEL",
    "SampleResult",
    "actions_for",
    "add_photo",
    "application_list",
    "application_open",
    "assign_expert",
    "best_target",
    "blacklist_expert",
    "campaign_cutoffs",
    "campaign_draws",
    "campaigns_for_region",
    "campaigns_for_user",
    "checklist_for",
    "city_check_required",
    "create_campaign",
    "create_declaration",
    "create_monthly_campaign",
    "declaration_target",
    "declarations_in_scope",
    "declare_tie",
    "declares_lowest",
    "draw_b_sample",
    "due_for",
    "expert_queryset",
    "expert_sign",
    "generate_document",
    "get_campaign",
    "get_declaration",
    "load_declaration",
    "now",
    "open_onsite_check",
    "parse_grade",
    "record_finding",
    "register_expert",
    "run_cutoff",
    "sample_candidates",
    "seal_self_check",
    "self_check",
    "sign_check",
    "sign_commitment",
    "transition",
    "unregistered_experts",
    "update_declaration",
    "upload_evidence",
    "verify_seals",
    "visible_campaign",
    "visible_declarations",
    "visible_expert",
    "visible_experts",
    "work_items",
    "workflow_context",
]
