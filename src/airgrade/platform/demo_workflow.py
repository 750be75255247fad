"""Demo grading workflow for Zhengzhou: two campaigns, declarations in every state, grades, a downgrade, a
rectification order and a public objection, all written through the services (audit and seals are real).

Facts come from the rule book (`airgrade.core.grading.synthetic`), so the engine's grade of every item is what the
reviewers decide; a few enterprises over-declare and are returned, graded down by the county or adjusted by the
province. Called by `airgrade.platform.demo.load_demo` after the enterprises and before the emergency lists (the
lists read the grade registry, REQ H21-7). Idempotent: nothing is written when a Zhengzhou campaign exists.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from airgrade.core.grading.synthetic import facts_for_grade, grade_of, spoil_one
from airgrade.core.rules.rulebook import default_rulebook
from airgrade.core.types import Grade, Role
from airgrade.core.workflow import State
from airgrade.platform.accounts import services as accounts
from airgrade.platform.accounts.models import User
from airgrade.platform.declarations import rulebook as workflow_rules
from airgrade.platform.declarations import services
from airgrade.platform.declarations.models import Campaign, Declaration, OnsiteCheck
from airgrade.platform.disclosure import services as disclosure
from airgrade.platform.enterprises.models import Site
from airgrade.platform.grades import services as grades
from airgrade.platform.grades.models import GradeRecord
from airgrade.platform.permissions import within

CITY = "410100"
TEMPLATE = "henan-2021"
# The template's 对标提升 stage ends on 30 July; the seed fixes no enterprise deadline (the city sets it), so the
# demo closes applications then.
DEADLINE_MONTH_DAY = (7, 30)

# How often each grade is aimed at (then noise and the engine decide): many C, some D, fewer A / B / 引领性.
GRADE_WEIGHTS = {
    Grade.LEADING: 0.3,
    Grade.NON_LEADING: 0.7,
    Grade.A: 0.10,
    Grade.B: 0.22,
    Grade.B_MINUS: 0.08,
    Grade.C: 0.50,
    Grade.D: 0.10,
}
NOISE = 0.15
NON_APPLICANT_SHARE = 0.08

# Final states for declarations without a forced one, by whether an item targets A / B(B-) / 引领性.
TOP_TIER_STATES = {
    State.DRAFT: 3,
    State.SUBMITTED: 3,
    State.COUNTY_REVIEW: 4,
    State.RETURNED: 2,
    State.COUNTY_PASSED: 2,
    State.CITY_REVIEW: 4,
    State.CITY_PASSED: 2,
    State.PROVINCE_VERIFICATION: 4,
    State.VERIFIED: 75,
    State.WITHDRAWN: 1,
}
LOWER_STATES = {
    State.DRAFT: 3,
    State.SUBMITTED: 3,
    State.COUNTY_REVIEW: 4,
    State.RETURNED: 2,
    State.COUNTY_GRADED: 88,
    State.WITHDRAWN: 1,
}
# The first applicants of the demo county and of the other counties get these states, so that every demo role
# has work in its queue whatever the enterprise count (the first is the demo enterprise: returned for changes).
FORCED_HOME = [
    State.RETURNED,
    State.SUBMITTED,
    State.COUNTY_REVIEW,
    State.CITY_REVIEW,
    State.PROVINCE_VERIFICATION,
    State.VERIFIED,
    State.COUNTY_GRADED,
    State.DRAFT,
    State.COUNTY_PASSED,
    State.VERIFIED,
    State.CITY_REVIEW,
    State.ADJUSTED,
]
FORCED_OTHER = [State.CITY_REVIEW, State.PROVINCE_VERIFICATION, State.VERIFIED, State.COUNTY_GRADED, State.SUBMITTED]
TOP_TIER_FINALS = {
    State.COUNTY_PASSED,
    State.CITY_REVIEW,
    State.CITY_PASSED,
    State.PROVINCE_VERIFICATION,
    State.VERIFIED,
    State.ADJUSTED,
}
ORDER = list(State)


@dataclass
class Item:
    industry_code: str
    target: Grade  # what the enterprise declares
    engine: Grade  # what the rules give for its facts
    facts: dict[str, Any]


@dataclass
class Plan:
    site: Site
    final: State
    items: list[Item] = field(default_factory=list)
    declaration: Declaration | None = None

    @property
    def top_tier(self) -> bool:
        return any(item.target.is_top_tier for item in self.items)

    @property
    def over_declared(self) -> bool:
        return any(item.engine.rank > item.target.rank for item in self.items)

    def reaches(self, state: State) -> bool:
        """Whether the declaration passes through `state` on its way to its final state."""
        if self.final in (State.DRAFT, State.WITHDRAWN):
            return state is State.DRAFT or (self.final is State.WITHDRAWN and state is State.SUBMITTED)
        if self.final is State.RETURNED:
            return state in (State.DRAFT, State.SUBMITTED, State.COUNTY_REVIEW, State.RETURNED)
        if self.final is State.COUNTY_GRADED:
            return state in (State.DRAFT, State.SUBMITTED, State.COUNTY_REVIEW, State.COUNTY_GRADED)
        if self.final is State.ADJUSTED:
            return ORDER.index(state) <= ORDER.index(State.PROVINCE_VERIFICATION) and state not in (
                State.RETURNED,
                State.COUNTY_GRADED,
            )
        return ORDER.index(state) <= ORDER.index(self.final) and state not in (State.RETURNED, State.COUNTY_GRADED)


def _deadline(year: int) -> dt.datetime:
    month, day = DEADLINE_MONTH_DAY
    return timezone.make_aware(dt.datetime(year, month, day, 23, 59), timezone.get_current_timezone())


def _choose_grade(rng: random.Random, scale: tuple[Grade, ...], top_tier: bool | None) -> Grade:
    options = [g for g in scale if top_tier is None or g.is_top_tier == top_tier] or list(scale)
    return rng.choices(options, [GRADE_WEIGHTS[g] for g in options])[0]


class Demo:
    """One run of the workflow demo: the actors, the rules and the plans."""

    def __init__(self, users: dict[Role, User], seed: int) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.users = users
        self.province, self.city = users[Role.PROVINCE], users[Role.CITY]
        self.home_county = users[Role.COUNTY]
        self.today = timezone.localdate()
        self.book = default_rulebook()
        self.county_users: dict[str, User] = {self.home_county.region_id or "": self.home_county}
        self.enterprise_users: dict[int, User] = {}
        demo_enterprise = users[Role.ENTERPRISE]
        if demo_enterprise.enterprise_id is not None:
            self.enterprise_users[demo_enterprise.enterprise_id] = demo_enterprise
        self.expert = services.register_expert(
            self.city,
            expert_user_id=users[Role.EXPERT].pk,
            region_code=CITY,
            specialties=["cement", "glass", "coking", "industrial_coating", "packaging_printing"],
        )
        self.created = 0

    # ------------------------------------------------------------ actors

    def county_for(self, region_code: str) -> User:
        """The county reviewer of a site's county (one per Zhengzhou county; only `county` signs in)."""
        user = self.county_users.get(region_code)
        if user is None:
            user = User.objects.filter(username=f"county-{region_code}").first() or accounts.create_user(
                self.province,
                username=f"county-{region_code}",
                # No password: these reviewers exist to act in the demo; an administrator can set one.
                password=None,  # type: ignore[arg-type]
                role=Role.COUNTY,
                region_code=region_code,
                display_name=f"演示县级审核员（{region_code}）",
            )
            self.county_users[region_code] = user
        return user

    def enterprise_user(self, site: Site) -> User:
        user = self.enterprise_users.get(site.enterprise_id)
        if user is None:
            user = accounts.create_user(
                self.province,
                username=f"e-{site.enterprise.credit_code}",
                password=None,  # type: ignore[arg-type]
                role=Role.ENTERPRISE,
                enterprise_id=site.enterprise_id,
                display_name=site.enterprise.contact_name or site.enterprise.name,
            )
            self.enterprise_users[site.enterprise_id] = user
        return user

    # ------------------------------------------------------------ planning

    def plan(self, site: Site, final: State | None) -> Plan:
        codes = list(site.industries.values_list("industry_code", flat=True))
        force_top = final in TOP_TIER_FINALS if final is not None else None
        items = []
        for position, code in enumerate(codes):
            rules = self.book.rules_for(code, self.today, site.region_id)
            want_top = force_top if position == 0 else None
            if force_top is False:
                want_top = False
            target = _choose_grade(self.rng, rules.grades, want_top)
            facts = facts_for_grade(rules, target, self.rng, self.book)
            engine = target
            spoil = final is State.RETURNED or final is State.ADJUSTED or self.rng.random() < NOISE
            if spoil and target is not rules.floor:
                for _ in range(6):
                    spoiled = spoil_one(rules, facts, self.rng)
                    engine = grade_of(spoiled, rules, self.book)
                    if engine is not target:
                        facts = spoiled
                        break
                else:
                    engine = target
            items.append(Item(code, target, engine, facts))
        if final is None:
            top = any(item.target.is_top_tier for item in items)
            weights = TOP_TIER_STATES if top else LOWER_STATES
            final = self.rng.choices(list(weights), list(weights.values()))[0]
        if final is State.VERIFIED and any(item.engine.rank > item.target.rank for item in items):
            final = State.ADJUSTED
        return Plan(site, final, items)

    # ------------------------------------------------------------ acting

    def act(self, user: User, plan: Plan, action: str, **kwargs: Any) -> None:
        assert plan.declaration is not None
        plan.declaration = services.transition(
            user, plan.declaration.pk, action, expected_state=plan.declaration.state, **kwargs
        )

    def gaps_text(self, plan: Plan) -> str:
        assert plan.declaration is not None
        texts = []
        for item in plan.items:
            result = workflow_rules.self_check(item.industry_code, item.facts, self.today, plan.site.region_id)
            for gap in result.gaps:
                if gap["grade"] == item.target.value:
                    texts.append(gap["message"])
        return "；".join(texts[:3])

    def onsite(self, plan: Plan, level: str, *, sign: bool = True, expert: bool = False) -> OnsiteCheck:
        assert plan.declaration is not None
        official = self.county_for(plan.site.region_id) if level == OnsiteCheck.Level.COUNTY else self.city
        check = services.open_onsite_check(official, plan.declaration.pk)
        if expert:
            services.assign_expert(official, check.pk, self.expert.pk)
            for section in check.checklist[:1]:
                for entry in section["items"][:2]:
                    services.record_finding(
                        self.users[Role.EXPERT],
                        check.pk,
                        industry_code=entry["industry_code"],
                        indicator_id=entry["indicator_id"],
                        result="met",
                        section=section["section"],
                    )
        if sign:
            # The county misses what the province's spot check later finds (adjusted); returns and county
            # gradings of an over-declared site record the mismatch.
            consistent = not (plan.over_declared and plan.final in (State.RETURNED, State.COUNTY_GRADED))
            services.sign_check(
                official,
                check.pk,
                conclusion=OnsiteCheck.Conclusion.CONSISTENT if consistent else OnsiteCheck.Conclusion.INCONSISTENT,
                summary="现场生产设施、治理设施、监测监控与申报材料一致。"
                if consistent
                else f"现场情况与申报不符：{self.gaps_text(plan) or '部分指标未达到申报等级要求'}",
                signature_name=official.display_name or official.get_username(),
            )
        return check

    def start(self, campaign: Campaign, plan: Plan) -> None:
        """Create the declaration and take it to its first stop (draft, submitted, county review, …)."""
        enterprise = self.enterprise_user(plan.site)
        plan.declaration = services.create_declaration(
            enterprise,
            campaign_id=campaign.pk,
            site_id=plan.site.pk,
            items=[
                {"industry_code": i.industry_code, "target_grade": i.target.value, "facts": i.facts} for i in plan.items
            ],
        )
        self.created += 1
        if not plan.reaches(State.SUBMITTED):
            return
        services.sign_commitment(
            enterprise, plan.declaration.pk, signer_name=plan.site.enterprise.contact_name or "法定代表人"
        )
        services.generate_document(enterprise, plan.declaration.pk)
        plan.declaration.refresh_from_db()
        self.act(enterprise, plan, "declaration.submit")
        if plan.final is State.WITHDRAWN:
            self.act(enterprise, plan, "declaration.withdraw")
            return
        if not plan.reaches(State.COUNTY_REVIEW):
            return
        county = self.county_for(plan.site.region_id)
        self.act(county, plan, "declaration.county_accept", opinion="申报材料齐全，予以受理。")
        if plan.final is State.COUNTY_REVIEW:
            # Half the county reviews have an on-site check under way, some with the expert's findings so far.
            if self.rng.random() < 0.6 or not OnsiteCheck.objects.filter(experts=self.expert).exists():
                self.onsite(plan, OnsiteCheck.Level.COUNTY, sign=False, expert=True)
            return
        if plan.final is State.RETURNED:
            gaps = self.gaps_text(plan) or "证明材料不完整"
            self.act(county, plan, "declaration.county_return", opinion=f"请补充整改后重新提交：{gaps}。")
            return
        lowest = services.declares_lowest(plan.declaration)
        if not lowest:
            self.onsite(plan, OnsiteCheck.Level.COUNTY, expert=self.rng.random() < 0.3)
        if plan.final is State.COUNTY_GRADED:
            grade = max((item.engine for item in plan.items), key=lambda g: g.rank)
            if grade.is_top_tier:  # cannot happen for lower targets; guard the county's rule (REQ LC-2)
                grade = Grade.C
            opinion = (
                f"经资料审查和现场核查，评定为{grade}级。"
                if not plan.over_declared
                else f"申报等级与现场不符：{self.gaps_text(plan)}；评定为{grade}级。"
            )
            self.act(
                county,
                plan,
                "declaration.county_grade",
                opinion=opinion,
                item_grades={item.industry_code: item.engine.value for item in plan.items},
                grade=grade.value,
            )
            return
        self.act(
            county, plan, "declaration.county_pass", opinion="资料审查和现场核查与申报一致，初审通过，报市级审核。"
        )
        if plan.reaches(State.CITY_REVIEW):
            self.act(self.city, plan, "declaration.city_accept", opinion="予以受理。")

    def finish(self, plan: Plan) -> None:
        """After the B sample: the city's check and pass, the report to the province and its decision."""
        assert plan.declaration is not None
        plan.declaration.refresh_from_db()
        if plan.final is State.CITY_REVIEW:
            if services.city_check_required(plan.declaration):
                self.onsite(plan, OnsiteCheck.Level.CITY, sign=False, expert=True)
            return
        if not plan.reaches(State.CITY_PASSED):
            return
        if services.city_check_required(plan.declaration):
            self.onsite(plan, OnsiteCheck.Level.CITY, expert=self.rng.random() < 0.5)
        self.act(self.city, plan, "declaration.city_pass", opinion="市级审核通过，报省级核定。")
        if not plan.reaches(State.PROVINCE_VERIFICATION):
            return
        self.act(self.city, plan, "declaration.report_to_province", opinion="报省生态环境厅核定。")
        if plan.final is State.VERIFIED:
            self.act(self.province, plan, "declaration.province_verify", opinion="核定通过。")
        elif plan.final is State.ADJUSTED:
            self.act(
                self.province,
                plan,
                "declaration.province_adjust",
                opinion=f"抽查发现：{self.gaps_text(plan) or '部分指标不达标'}，核定调整等级。",
                item_grades={item.industry_code: item.engine.value for item in plan.items},
            )


def _campaign_year(today: dt.date) -> int:
    month, day = DEADLINE_MONTH_DAY
    return today.year if today < dt.date(today.year, month, day) else today.year + 1


@transaction.atomic
def load_demo_workflow(users: dict[Role, User], seed: int = 2026) -> dict[str, int]:
    """Campaigns, declarations, checks, the B sample, grades and their follow-up for Zhengzhou; counts."""
    if Campaign.objects.filter(region_id=CITY).exists():
        return {"created": 0, "declarations": Declaration.objects.count(), "grades": GradeRecord.objects.count()}
    demo = Demo(users, seed)
    year = _campaign_year(demo.today)

    # The earlier campaign closed last year: every Zhengzhou site is put at its industry's lowest grade (LC-6).
    earlier = services.create_campaign(
        demo.city,
        name=f"郑州市{year - 1}年重点行业绩效分级",
        region_code=CITY,
        application_deadline=_deadline(year - 1),
        template_code=TEMPLATE,
    )
    services.run_cutoff(demo.city, earlier.pk)
    disclosure.publish_notice(demo.city, earlier.pk)

    campaign = services.create_campaign(
        demo.city,
        name=f"郑州市{year}年重点行业绩效分级",
        region_code=CITY,
        application_deadline=_deadline(year),
        rules_as_of=demo.today,
        template_code=TEMPLATE,
        b_sample_ratio="1/3",
    )
    home = demo.home_county.region_id or ""
    sites = list(
        Site.objects.filter(within(CITY)).select_related("enterprise", "region").order_by("enterprise_id", "pk")
    )
    demo_enterprise_id = users[Role.ENTERPRISE].enterprise_id
    sites.sort(key=lambda s: (s.enterprise_id != demo_enterprise_id, s.region_id != home, s.enterprise_id))
    forced = {True: list(FORCED_HOME), False: list(FORCED_OTHER)}
    plans: list[Plan] = []
    for site in sites:
        queue = forced[site.region_id == home]
        if not queue and demo.rng.random() < NON_APPLICANT_SHARE:
            continue
        plans.append(demo.plan(site, queue.pop(0) if queue else None))
    for plan in plans:
        demo.start(campaign, plan)
    if services.sample_candidates(campaign, CITY).exists():
        services.draw_b_sample(demo.city, campaign.pk, city_code=CITY, seed=seed)
    for plan in plans:
        demo.finish(plan)
    _follow_up(demo, plans)
    return {
        "created": demo.created,
        "declarations": Declaration.objects.count(),
        "grades": GradeRecord.objects.count(),
    }


def _follow_up(demo: Demo, plans: list[Plan]) -> None:
    """A downgrade with a rectification order, a reported rectification and an objection on the public page."""
    verified = [p for p in plans if p.final is State.VERIFIED and p.declaration is not None]
    home = demo.home_county.region_id
    b_grade = [
        p for p in verified if p.site.region_id == home and any(i.target in (Grade.A, Grade.B) for i in p.items)
    ] or verified
    if b_grade:
        plan = b_grade[-1]
        item = next((i for i in plan.items if i.target in (Grade.A, Grade.B)), plan.items[0])
        county = demo.county_for(plan.site.region_id)
        lower = (
            Grade.C
            if Grade.C in demo.book.rules_for(item.industry_code, demo.today, plan.site.region_id).grades
            else None
        )
        if lower is not None:
            grades.downgrade(
                county,
                site_id=plan.site.pk,
                industry_code=item.industry_code,
                reason_code="excess_emission",
                description="在线监测数据显示颗粒物小时浓度连续超过绩效等级限值，执法检查属实。",
                to_grade=lower.value,
            )
        grades.order_rectification(
            county,
            site_id=plan.site.pk,
            problem="颗粒物超标排放：检修除尘设施，提交整改报告和第三方监测报告。",
            deadline=demo.today + dt.timedelta(days=30),
        )
    reported = [p for p in verified if p is not (b_grade[-1] if b_grade else None)]
    if reported:
        plan = reported[0]
        order = grades.order_rectification(
            demo.county_for(plan.site.region_id),
            site_id=plan.site.pk,
            problem="厂区道路积尘，物料堆场苫盖不全。",
            deadline=demo.today + dt.timedelta(days=15),
        )
        grades.report_rectification(
            demo.enterprise_user(plan.site), order.pk, "已完成道路清扫和堆场全封闭改造，附整改前后照片。"
        )
    graded = [p for p in plans if p.final in (State.VERIFIED, State.ADJUSTED) and p.declaration is not None]
    if graded:
        question, token = disclosure.new_captcha()
        left, right = question.split("=")[0].split("+")
        disclosure.file_objection(
            enterprise_id=graded[0].site.enterprise_id,
            content="该企业夜间经常有黑烟排放，重污染天气预警期间运输车辆照常进出，与公示等级不符，请核查。",
            captcha_token=token,
            captcha_answer=str(int(left) + int(right)),
            client_address="203.0.113.7",
            reporter_name="周先生",
        )
