"""API types of the declaration workflow: campaigns, declarations, transitions, the B sample, on-site checks, experts
and the work queue (request bodies and every route's response)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from airgrade.platform.declarations.models import SampleDraw
from airgrade.platform.numbers import column

Seed = column(SampleDraw, "seed", int, label="随机种子")


class CampaignIn(Schema):
    name: str
    region: str
    application_deadline: dt.datetime
    rules_as_of: dt.date | None = None
    kind: str = "annual"
    template_code: str = ""
    b_sample_ratio: str = ""  # empty: the rule book's policy ratio


class MonthlyIn(Schema):
    region: str
    year: int
    month: int


class CampaignOut(Schema):
    id: int
    name: str
    region: str
    kind: str
    application_deadline: dt.datetime
    rules_as_of: dt.date
    b_sample_ratio: str
    cutoff_at: dt.datetime | None
    stages: list[dict[str, Any]]
    milestones: list[dict[str, Any]]
    batches: list[dict[str, Any]]


class ItemIn(Schema):
    industry_code: str
    process: str = ""
    target_grade: str
    facts: dict[str, Any] = {}


class DeclarationIn(Schema):
    campaign_id: int
    site_id: int
    items: list[ItemIn]
    is_guarantee: bool = False


class DeclarationPatch(Schema):
    items: list[ItemIn] | None = None
    is_guarantee: bool | None = None
    expected_version: int | None = None


class TransitionIn(Schema):
    action: str
    expected_state: str
    expected_version: int | None = None
    opinion: str = ""
    grade: str | None = None
    item_grades: dict[str, str] | None = None


class CommitmentIn(Schema):
    signer_name: str


class SampleIn(Schema):
    city: str
    seed: Seed | None = None
    ratio: str | None = None


class FindingIn(Schema):
    industry_code: str
    indicator_id: str
    result: str
    note: str = ""
    section: str = ""


class SignIn(Schema):
    conclusion: str
    summary: str = ""
    signature_name: str


class TieIn(Schema):
    enterprise_id: int
    note: str = ""


class BlacklistIn(Schema):
    reason: str


class ExpertIn(Schema):
    user_id: int
    region: str
    specialties: list[str] = []


# ---------------------------------------------------------------- responses


class DefaultedOut(Schema):
    site_id: int
    enterprise_id: int
    industry_code: str
    grade: str


class CutoffOut(Schema):
    """Sites that did not apply by the deadline, now managed at the lowest grade (REQ LC-6)."""

    defaulted: list[DefaultedOut]


class ApplicationItemOut(Schema):
    industry_code: str
    target_grade: str


class ApplicationOut(Schema):
    """One row of the application list (REQ SJZ-2)."""

    number: str
    enterprise: str
    credit_code: str
    site: str
    region: str
    state: str
    items: list[ApplicationItemOut]


class SampleOut(Schema):
    id: int
    algorithm: str
    ratio: str
    seed: int
    candidates: Any
    drawn: Any


class DeclarationRow(Schema):
    id: int
    number: str
    enterprise: str
    state: str
    state_label: str
    region: str


class ItemOut(Schema):
    industry_code: str
    process: str
    target_grade: str
    recommended_grade: str
    facts: dict[str, Any]


class EvidenceRow(Schema):
    id: int
    name: str
    indicator_id: str
    sha256: str
    size: int


class EvidenceOut(Schema):
    id: int
    name: str
    sha256: str
    content_type: str
    size: int


class EventOut(Schema):
    """One sealed review event; `from` is a Python keyword, so the field is `from_` and the routes answer by alias."""

    action: str
    from_: str = Field(alias="from")
    to: str
    reviewer: str
    role: str
    opinion: str
    grade: str
    at: dt.datetime
    seal: str


class ActionOut(Schema):
    """An action the caller may take now (`allowed_actions`), from the workflow table."""

    action: str
    label: str
    requires_opinion: bool
    sets_grade: bool
    to_state: str


class DeclarationOut(Schema):
    id: int
    number: str
    campaign_id: int
    site_id: int
    enterprise_id: int
    enterprise: str
    region: str
    state: str
    state_label: str
    version: int
    is_guarantee: bool
    items: list[ItemOut]
    commitment_signed_by: str
    commitment_signed_at: dt.datetime | None
    document_kind: str
    document_sha256: str
    evidence: list[EvidenceRow]
    submitted_at: dt.datetime | None
    sampled_for_city: bool | None
    decided_grade: str
    decided_at: dt.datetime | None
    events: list[EventOut]
    allowed_actions: list[ActionOut]
    due: dt.datetime | None


class WorkItemOut(Schema):
    """A declaration or an on-site check waiting on the caller, with its due date."""

    kind: str
    id: int
    declaration_id: int
    title: str
    due: dt.datetime | None
    overdue: bool


class GapOut(Schema):
    grade: str
    indicator: str
    aspect: str
    message: str


class FactSourceOut(Schema):
    """A fact an independent record (the gate ledger) also gives: both values, which one was graded and why."""

    key: str
    declared: Any = None
    other: Any = None
    other_source: str
    used: bool
    graded_source: str
    differs: bool
    note: str


class SelfCheckOut(Schema):
    """The engine's grade and gaps for one declared industry, before submitting."""

    industry_code: str
    process: str
    target_grade: str
    available: bool
    grade: str
    rules_version: str
    gaps: list[GapOut]
    message: str
    fact_sources: list[FactSourceOut] = []


class FindingOut(Schema):
    industry_code: str
    indicator_id: str
    result: str
    note: str


class CheckOut(Schema):
    id: int
    declaration_id: int
    level: str
    checklist: Any
    experts: list[int]
    conclusion: str
    summary: str
    signature_name: str
    signed_at: dt.datetime | None
    findings: list[FindingOut]


class FindingSaved(Schema):
    id: int
    result: str


class PhotoOut(Schema):
    id: int
    sha256: str


class IdOut(Schema):
    id: int


class BlacklistOut(Schema):
    id: int
    blacklisted: bool
