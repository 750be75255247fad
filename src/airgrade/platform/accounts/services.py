"""Account services: sign-in with throttling, and creating users bound to a role and a scope."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from airgrade.core.types import Role
from airgrade.platform.accounts.models import LoginAttempt, User
from airgrade.platform.audit import services as audit
from airgrade.platform.errors import ServiceError


class LoginThrottled(ServiceError):
    status = 429


def _recent_failures(username: str, address: str) -> int:
    since = timezone.now() - timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW_SECONDS)
    return LoginAttempt.objects.filter(username=username, address=address, at__gte=since).count()


def sign_in(request: Any, username: str, password: str) -> User:
    """Authenticate, refusing after too many recent failures for this username from this address."""
    address = (request.META.get("REMOTE_ADDR") or "")[:64]
    username = username.strip()[:150]
    if _recent_failures(username, address) >= settings.LOGIN_THROTTLE_ATTEMPTS:
        minutes = settings.LOGIN_THROTTLE_WINDOW_SECONDS // 60
        raise LoginThrottled(f"登录失败次数过多，请 {minutes} 分钟后再试")
    user = authenticate(request, username=username, password=password)
    # Each write commits on its own: the failed attempt must outlive the refusal raised right after it.
    if user is None:
        with transaction.atomic():
            LoginAttempt.objects.create(username=username, address=address)
        raise ServiceError("用户名或密码错误")
    with transaction.atomic():
        LoginAttempt.objects.filter(username=username, address=address).delete()
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
