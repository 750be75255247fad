"""The platform side of access control: build the core Actor for a user and enforce core decisions."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from airgrade.core import access
from airgrade.core.access import STAFF_ROLES, Actor, Target, decide
from airgrade.core.regions import scope_range
from airgrade.core.types import Role
from airgrade.platform.errors import AccessDenied, NotFound
from airgrade.platform.hooks import contributions

PUBLIC_ACTOR = Actor(role=Role.PUBLIC)


def actor_of(user: Any) -> Actor:
    """The core Actor of a Django user; anonymous and inactive users are the public.

    Within one web request (`RequestActorMiddleware` marks the request's user) the actor is computed once: an
    expert's assignments come from every app's hook, and a page asks for the actor many times. Outside a request
    (services called directly, tests, the CLI) it is computed on every call, so a changed assignment is seen."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return PUBLIC_ACTOR
    cached = getattr(user, "_request_actor", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    assignments: frozenset[str] = frozenset()
    if user.role == Role.EXPERT.value:
        # Apps that assign work to experts contribute keys through this hook; none are assigned by default.
        assignments = frozenset(contributions("expert_assignments", user))
    actor = Actor(
        role=Role(user.role),
        region_code=user.region_id,
        enterprise_id=user.enterprise_id,
        user_id=user.pk,
        assignments=assignments,
    )
    if getattr(user, "_request_actor_cacheable", False):
        user._request_actor = actor
    return actor


class RequestActorMiddleware:
    """Lets `actor_of` keep the signed-in user's actor for the rest of this request (the user object lives only as
    long as the request)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            user._request_actor_cacheable = True
        return self.get_response(request)


def require(user_or_actor: Any, action: str, target: Target) -> Actor:
    """Raise AccessDenied unless the core allows `action` on `target`; return the actor for the caller's use."""
    actor = user_or_actor if isinstance(user_or_actor, Actor) else actor_of(user_or_actor)
    decision = decide(actor, action, target)
    if not decision:
        raise AccessDenied(decision.reason)
    return actor


def require_found(user_or_actor: Any, action: str, target: Target, *, view: str, missing: str) -> Actor:
    """Out of scope is "not found", always, before any other check: unless the caller may `view` the target it
    looks exactly like a missing object (NotFound with `missing`); only then may `action` be refused with a reason."""
    actor = user_or_actor if isinstance(user_or_actor, Actor) else actor_of(user_or_actor)
    if not decide(actor, view, target):
        raise NotFound(missing)
    return require(actor, action, target)


def require_role(user_or_actor: Any, action: str) -> Actor:
    """Refuse a caller whose role may never do `action` anywhere. The answer is the same for every object, existing
    or not, so it may come before the lookup; scope is still decided per object (with `require_found`)."""
    actor = user_or_actor if isinstance(user_or_actor, Actor) else actor_of(user_or_actor)
    if actor.role not in access.ACTION_ROLES.get(action, frozenset()):
        raise AccessDenied(f"{actor.role.label_zh}角色无权执行此操作")
    return actor


def permissions_for(user_or_actor: Any, target: Target | None = None) -> frozenset[str]:
    """The actions the access table allows this user on `target` (default: the user's own region / enterprise).

    The one way pages decide which buttons and links to show; never compare roles in a view or template::

        allowed = permissions_for(request.user, Target(region_code=obj.region_id, enterprise_id=obj.enterprise_id))
        context["allowed"] = allowed          # template: {% if "grade.downgrade" in allowed %}…{% endif %}

    Every template also has `nav_permissions` (the home-target set) from `accounts.context.current_actor`.
    Services still call `require()`: showing a button is not permission to act.
    """
    actor = user_or_actor if isinstance(user_or_actor, Actor) else actor_of(user_or_actor)
    return access.permissions_for(actor, target)


def within(region_code: str, region_field: str = "region") -> Q:
    """Rows whose region lies inside `region_code` (itself included): the one region filter of every query.

    A code range, not a LIKE prefix: six-digit codes compare the same in every collation, and a range uses an
    ordinary index on the region column (also to sort). `region_field` may be a code column or a foreign key to
    Region (its primary key is the code), e.g. "region", "site__region", "region_code", "city"."""
    low, high = scope_range(region_code)
    return Q(**{f"{region_field}__gte": low, f"{region_field}__lte": high})


def region_filter(actor: Actor, region_field: str = "region", enterprise_field: str = "id") -> Q:
    """A Q that keeps only rows inside the actor's scope; the empty set for anyone without a scope."""
    if actor.role in STAFF_ROLES and actor.region_code:
        return within(actor.region_code, region_field)
    if actor.role is Role.ENTERPRISE and actor.enterprise_id is not None:
        return Q(**{enterprise_field: actor.enterprise_id})
    return Q(pk__in=[])


def scoped(
    queryset: QuerySet[Any], actor: Actor, region_field: str = "region", enterprise_field: str = "id"
) -> QuerySet[Any]:
    return queryset.filter(region_filter(actor, region_field, enterprise_field))
