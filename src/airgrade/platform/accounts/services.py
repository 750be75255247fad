"""Account services: sign-in with throttling, and creating users bound to a role and a scope."""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from airgrade.core.types import Role
from airgrade.platform.accounts.captcha import check_captcha
from airgrade.platform.accounts.models import User
from airgrade.platform.audit import services as audit
from airgrade.platform.errors import ServiceError


class LoginThrottled(ServiceError):
    status = 429


class CaptchaRequired(ServiceError):
    """Many failures for this username from anywhere: the next try needs a captcha (never a lock-out)."""


def username_failures(username: str) -> int:
    """Failed logins for this username from every address within the cool-off (django-axes' records)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    total = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return int(total or 0)


def captcha_required(username: str) -> bool:
    return username_failures(username) >= settings.LOGIN_CAPTCHA_AFTER_FAILURES


def throttled_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return f"登录失败次数过多，请 {minutes} 分钟后再试"


def sign_in(request: Any, username: str, password: str, *, captcha_token: str = "", captcha_answer: str = "") -> User:
    """Authenticate with django-axes' throttle: per username + client address a lock-out with a cool-off; per
    username alone (any address) a captcha after more failures, so nobody can lock another user out."""
    username = username.strip()[:150]
    credentials = {"username": username}
    solved = False
    if captcha_required(username):
        if not captcha_token:
            raise CaptchaRequired("该账号近期登录失败较多，请输入验证码", field="captcha")
        check_captcha(captcha_token, captcha_answer)  # commits on its own: a used token stays used
        solved = True
    user = None
    locked = needs_captcha = False
    with transaction.atomic():
        # One check at a time per username: the user's row lock (PostgreSQL; SQLite's IMMEDIATE transactions
        # serialise anyway) makes "count failures, check the password, record the failure" indivisible, so a
        # parallel burst cannot check more passwords than the limit.
        list(User.objects.select_for_update(no_key=True).filter(username=username).values_list("pk"))
        if not AxesProxyHandler.is_allowed(request, credentials):
            locked = True
        elif not solved and captcha_required(username):
            needs_captcha = True
        else:
            user = authenticate(request, username=username, password=password)
    # Refusals are raised after the block: the failure axes recorded inside it must be committed.
    if locked:
        raise LoginThrottled(throttled_message())
    if needs_captcha:
        raise CaptchaRequired("该账号近期登录失败较多，请输入验证码", field="captcha")
    if user is None:
        raise ServiceError("用户名或密码错误")
    return user  # type: ignore[return-value]


@transaction.atomic
def create_user(
    actor: Any,
    *,
    username: str,
    password: str,
    role: Role,
    region_code: str | None = None,
    enterprise_id: int | None = None,
    display_name: str = "",
) -> User:
    """A user bound to exactly one scope: staff to a region, enterprise users to an enterprise."""
    if role in (Role.COUNTY, Role.CITY, Role.PROVINCE) and not region_code:
        raise ServiceError("审核人员必须绑定行政区划", field="region")
    if role is Role.ENTERPRISE and enterprise_id is None:
        raise ServiceError("企业用户必须绑定企业", field="enterprise")
    if User.objects.filter(username=username).exists():
        raise ServiceError(f"用户名 {username} 已存在", field="username")
    user = User(
        username=username,
        role=role.value,
        region_id=region_code,
        enterprise_id=enterprise_id,
        display_name=display_name,
    )
    user.set_password(password)
    user.save()
    audit.record(
        actor=actor,
        action="user.create",
        obj=user,
        region_code=region_code or "",
        after={"username": username, "role": role.value, "region": region_code, "enterprise": enterprise_id},
    )
    return user
