"""Who may do what where: one deny-by-default decision used by every platform service (role + region scope)."""

from __future__ import annotations

from dataclasses import dataclass, field

from airgrade.core.regions import contains
from airgrade.core.types import Role

STAFF_ROLES = frozenset({Role.COUNTY, Role.CITY, Role.PROVINCE})

# The action table: which roles may attempt an action at all. Scope (region, own enterprise, assignment) is
# checked afterwards for every role. An action missing here is denied to everyone.
ACTION_ROLES: dict[str, frozenset[Role]] = {
    "region.view": frozenset({*STAFF_ROLES, Role.ENTERPRISE, Role.EXPERT}),
    "enterprise.view": frozenset({*STAFF_ROLES, Role.ENTERPRISE, Role.EXPERT}),
    "enterprise.create": frozenset({Role.COUNTY, Role.CITY, Role.PROVINCE}),
    # The enterprise keeps its own record; county bureaus maintain their county's registry, and the city and
    # province may correct it inside their region (list consolidation, REQ LC-10, LC-12).
    "enterprise.edit": frozenset({Role.ENTERPRISE, Role.COUNTY, Role.CITY, Role.PROVINCE}),
    "enterprise.set_status": frozenset({Role.COUNTY, Role.CITY}),
    # A site lies in its enterprise's region, whose county reviews its declarations; placing it in another county
    # chooses the reviewer, so only a city or province bureau may, inside its jurisdiction (issue 8).
    "site.place_elsewhere": frozenset({Role.CITY, Role.PROVINCE}),
    "audit.view": frozenset({Role.COUNTY, Role.CITY, Role.PROVINCE}),
    # Region-wide figures (grade mix, industry counts, the reduction dashboard): staff of that region only.
    "region.overview": frozenset(STAFF_ROLES),
    # A/B share attainment against the province's targets (REQ H21-1): the province, a city, a county of its own.
    "targets.view": frozenset(STAFF_ROLES),
    "public.view": frozenset(Role),
    # Declaration workflow (issue 4). The transition rows must match airgrade.core.workflow.TRANSITIONS
    # (a test checks it); the rest are the reads and writes around the workflow.
    "declaration.submit": frozenset({Role.ENTERPRISE}),
    "declaration.resubmit": frozenset({Role.ENTERPRISE}),
    "declaration.withdraw": frozenset({Role.ENTERPRISE}),
    "declaration.county_accept": frozenset({Role.COUNTY}),
    "declaration.county_return": frozenset({Role.COUNTY}),
    "declaration.county_pass": frozenset({Role.COUNTY}),
    "declaration.county_grade": frozenset({Role.COUNTY}),
    "declaration.city_accept": frozenset({Role.CITY}),
    "declaration.city_return": frozenset({Role.CITY}),
    "declaration.city_pass": frozenset({Role.CITY}),
    "declaration.city_pass_lower": frozenset({Role.CITY}),
    "declaration.report_to_province": frozenset({Role.CITY}),
    "declaration.province_verify": frozenset({Role.PROVINCE}),
    "declaration.province_adjust": frozenset({Role.PROVINCE}),
    "declaration.view": frozenset({*STAFF_ROLES, Role.ENTERPRISE, Role.EXPERT}),
    "declaration.create": frozenset({Role.ENTERPRISE}),
    "declaration.edit": frozenset({Role.ENTERPRISE}),
    "campaign.manage": frozenset({Role.CITY, Role.PROVINCE}),
    "campaign.cutoff": frozenset({Role.CITY, Role.PROVINCE}),
    "sample.draw": frozenset({Role.CITY}),
    "onsite.assign": frozenset({Role.COUNTY, Role.CITY}),
    "onsite.record": frozenset({Role.COUNTY, Role.CITY, Role.EXPERT}),
    "onsite.view": frozenset({*STAFF_ROLES, Role.EXPERT}),
    "expert.manage": frozenset({Role.CITY, Role.PROVINCE}),
    "expert.blacklist": frozenset({Role.CITY, Role.PROVINCE}),
    "expert.declare_tie": frozenset({Role.EXPERT}),
    "grade.view": frozenset({*STAFF_ROLES, Role.ENTERPRISE}),
    "grade.downgrade": frozenset({Role.COUNTY, Role.CITY}),
    "grade.adjustment_window": frozenset({Role.CITY, Role.PROVINCE}),
    # A+ (REQ G-8): the province enters the ministry's decision on an A enterprise it proposed.
    "grade.designate": frozenset({Role.PROVINCE}),
    # Grades published in earlier years (REQ H21-7, LC-12) entered from the public lists, with the document: staff
    # of the region, by workbook import; they fill gaps in a site's history and never change a recorded grade.
    "grade.history.record": frozenset({Role.COUNTY, Role.CITY, Role.PROVINCE}),
    "rectification.order": frozenset({Role.COUNTY, Role.CITY}),
    "rectification.report": frozenset({Role.ENTERPRISE}),
    "rectification.close": frozenset({Role.COUNTY, Role.CITY}),
    "lookback.manage": frozenset({Role.CITY}),
    "lookback.view": frozenset({Role.CITY, Role.PROVINCE}),
    "objection.handle": frozenset({Role.CITY}),
    "objection.view": frozenset({Role.CITY, Role.PROVINCE}),
    "report.monthly": frozenset({Role.CITY, Role.PROVINCE}),
    "integrity.view": frozenset(STAFF_ROLES),
    "public.objection.file": frozenset(Role),
    # Emergency lists and alerts (issue 5). Enterprises keep their own list entry; the county revises and the city
    # consolidates its lists (REQ LC-10, H23-4); the county certifies small/micro enterprises (SJZ-11); county and
    # city decide 保障类 (LC-9, H23-5); the city approves plans for non-interruptible processes (SJZ-10) and, with
    # the province, issues alerts; enterprises acknowledge and report, the county records independent evidence.
    "emergency.list.view": frozenset({*STAFF_ROLES, Role.ENTERPRISE}),
    "emergency.list.edit": frozenset({Role.ENTERPRISE, Role.COUNTY, Role.CITY, Role.PROVINCE}),
    # Lists are reviewed and every air-emitting enterprise belongs on them (应纳尽纳, REQ SJZ-9, H23-4): an
    # enterprise corrects its entry but never removes it; only the bureau revising the list does, with a reason.
    "emergency.list.delete": frozenset({Role.COUNTY, Role.CITY, Role.PROVINCE}),
    "emergency.guarantee.decide": frozenset({Role.COUNTY, Role.CITY}),
    "emergency.small_micro.certify": frozenset({Role.COUNTY}),
    "emergency.plan.approve": frozenset({Role.CITY, Role.PROVINCE}),
    "alert.view": frozenset({*STAFF_ROLES, Role.ENTERPRISE}),
    "alert.issue": frozenset({Role.CITY, Role.PROVINCE}),
    "alert.acknowledge": frozenset({Role.ENTERPRISE}),
    "alert.report": frozenset({Role.ENTERPRISE}),
    "alert.evidence": frozenset({Role.COUNTY, Role.CITY}),
    # Workbooks and background jobs (issue 10). Staff import their region's registry, lists and grade history (a
    # county only its county); everyone who starts a job sees and cancels their own, staff also their region's.
    # A reviewer accepts or rejects the quantified reading of an imported free-text measure (REQ G-5, H23-4).
    "workbook.import": frozenset({Role.COUNTY, Role.CITY, Role.PROVINCE}),
    "workbook.export": frozenset({*STAFF_ROLES, Role.ENTERPRISE}),
    # The official tables a bureau reports upwards (H21-4 附件4, SJZ-2, H23-1 附件1–3, H23-5 附件4, the registry).
    "workbook.official_export": frozenset(STAFF_ROLES),
    "job.start": frozenset({*STAFF_ROLES, Role.ENTERPRISE}),
    "job.view": frozenset(STAFF_ROLES),
    "job.cancel": frozenset(STAFF_ROLES),
    "emergency.measure_text.decide": frozenset({Role.COUNTY, Role.CITY}),
    # Gate ledger and mobile-source supervision (issue 11; REQ SJZ-5, SJZ-6, H23-6). The enterprise keeps its
    # vehicle registers and gate devices and uploads gate files; nobody edits or deletes ledger records (corrections
    # are new records). County and city watch their sites' ledgers, verify the chains and sample records.
    "gates.view": frozenset({*STAFF_ROLES, Role.ENTERPRISE}),
    "gates.register.edit": frozenset({Role.ENTERPRISE, Role.COUNTY}),
    "gates.device.manage": frozenset({Role.ENTERPRISE, Role.COUNTY}),
    "gates.ingest": frozenset({Role.ENTERPRISE, Role.COUNTY}),
    "gates.verify": frozenset({Role.COUNTY, Role.CITY, Role.PROVINCE}),
    "gates.inspect": frozenset({Role.COUNTY, Role.CITY}),
    # A failed verification is a finding; the county or city confirms it (→ the grade registry's downgrade path:
    # lowest grade and the one-year ban, SJZ-5) or dismisses it, with a reason: never automatic.
    "gates.finding.decide": frozenset({Role.COUNTY, Role.CITY}),
    # Logistics parks and freight hubs run the same gates (SJZ-6): the county or city registers them.
    "gates.park.register": frozenset({Role.COUNTY, Role.CITY}),
    # Alert execution verified against independent data (issue 12; REQ H23-6, H21-6, LC-12). Bureaus load online
    # monitoring and electricity data (independent of the enterprise) and run the verdicts; the enterprise sees its
    # own; the county, which keeps its enterprises' records, confirms or dismisses a suspected failure.
    "verification.view": frozenset({*STAFF_ROLES, Role.ENTERPRISE}),
    "verification.import": frozenset({Role.COUNTY, Role.CITY, Role.PROVINCE}),
    "verification.run": frozenset({Role.COUNTY, Role.CITY, Role.PROVINCE}),
    "verification.case.decide": frozenset({Role.COUNTY}),
    # The meter register (meters → production lines, monitors → outlets): kept by the enterprise and its county.
    "verification.meter.edit": frozenset({Role.ENTERPRISE, Role.COUNTY}),
    # Zhengzhou green-performance evaluation (issue 14, REQ ZZ-1 … ZZ-7): the enterprise declares its own scorecard;
    # county and city bureaus bring in department data, flag red lines and assign experts; the assigned expert (or a
    # bureau) records the on-site check; the city opens and publishes a round and alone decides a published change.
    "scorecard.view": frozenset({*STAFF_ROLES, Role.ENTERPRISE, Role.EXPERT}),
    "scorecard.declare": frozenset({Role.ENTERPRISE}),
    "scorecard.import": frozenset({Role.COUNTY, Role.CITY}),
    "scorecard.assign_expert": frozenset({Role.COUNTY, Role.CITY}),
    "scorecard.onsite": frozenset({Role.COUNTY, Role.CITY, Role.EXPERT}),
    "scorecard.red_line": frozenset({Role.COUNTY, Role.CITY}),
    "scorecard.rank": frozenset(STAFF_ROLES),
    "scorecard.manage": frozenset({Role.CITY}),
    # Password reset without a mail server (issue 8): a user's superior resets the password of an account below it
    # in its region — the county (and the city) for enterprise users of enterprises there, the city for its counties'
    # officials, the province for its cities' officials. Nobody resets a peer; administrators reset anyone.
    # The action for a target account is `password_reset_action(role of the account)`.
    "user.list": frozenset(STAFF_ROLES),
    "user.reset_password.enterprise": frozenset({Role.COUNTY, Role.CITY}),
    "user.reset_password.county": frozenset({Role.CITY}),
    "user.reset_password.city": frozenset({Role.PROVINCE}),
}


def password_reset_action(account_role: Role) -> str:
    """The action of the table that resetting an account of `account_role` needs (denied when the table has none)."""
    return f"user.reset_password.{account_role.value}"


@dataclass(frozen=True)
class Actor:
    """The caller as the core sees it: a role bound to one region, one enterprise, or a set of assignments."""

    role: Role
    region_code: str | None = None
    enterprise_id: int | None = None
    user_id: int | None = None
    # Keys of the work an expert is assigned to (e.g. "review:12"); experts see nothing else (REQ SJZ-7).
    assignments: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Target:
    """What an action touches: its region, and where relevant its enterprise and assignment key."""

    region_code: str | None = None
    enterprise_id: int | None = None
    assignment_key: str | None = None


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True, "")


def decide(actor: Actor, action: str, target: Target) -> Decision:
    """Decide one action on one target. Deny by default; the reason is shown to the user in Chinese."""
    roles = ACTION_ROLES.get(action)
    if roles is None:
        return Decision(False, f"未定义的操作: {action}")
    if actor.role not in roles:
        return Decision(False, f"{actor.role.label_zh}角色无权执行此操作")
    if action.startswith("public."):
        return ALLOW
    if actor.role is Role.ENTERPRISE:
        if actor.enterprise_id is None or target.enterprise_id != actor.enterprise_id:
            return Decision(False, "企业用户只能访问本企业的数据")
        return ALLOW
    if actor.role is Role.EXPERT:
        if target.assignment_key is None or target.assignment_key not in actor.assignments:
            return Decision(False, "专家只能访问分配给本人的评审任务")
        return ALLOW
    if actor.role in STAFF_ROLES:
        if actor.region_code is None or target.region_code is None:
            return Decision(False, "缺少行政区划，无法判断管辖范围")
        if not contains(actor.region_code, target.region_code):
            return Decision(False, "超出本账号的管辖区域")
        return ALLOW
    return Decision(False, "无权执行此操作")


def home_target(actor: Actor) -> Target:
    """The actor's own ground: its region and enterprise (no assignment), for "may this user do X at all here"."""
    return Target(region_code=actor.region_code, enterprise_id=actor.enterprise_id)


def permissions_for(actor: Actor, target: Target | None = None) -> frozenset[str]:
    """Every action of the table that `decide()` allows `actor` on `target` (default: the actor's home target).

    Pages ask this instead of keeping role lists of their own::

        allowed = permissions_for(actor, Target(region_code=d.region_id, enterprise_id=d.enterprise_id))
        if "declaration.submit" in allowed: ...
        # template: {% if "declaration.submit" in allowed %}<button>…{% endif %}

    The platform wrapper `airgrade.platform.permissions.permissions_for(user_or_actor, target)` accepts a
    Django user too, and every page gets `nav_permissions` (the home-target set) from the context processor.
    """
    where = home_target(actor) if target is None else target
    return frozenset(action for action in ACTION_ROLES if decide(actor, action, where))
