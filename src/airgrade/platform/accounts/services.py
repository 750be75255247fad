"""Account services: sign-in with throttling, creating users bound to a role and a scope, and password resets by
an administrator or the account's superior (no mail server)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from airgrade.core.access import Target, decide, home_target, password_reset_action
from airgrade.core.types import Role
from airgrade.platform.accounts.captcha import check_captcha
from airgrade.platform.accounts.models import PasswordResetLink, User
from airgrade.platform.audit import services as audit
from airgrade.platform.errors import NotFound, ServiceError
from airgrade.platform.permissions import actor_of, permissions_for, within


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


# ---------------------------------------------------------------- password reset without a mail server (issue 8)

RESET_LINK_VALID = dt.timedelta(hours=24)
MISSING_ACCOUNT = "用户不存在或不在您的管辖范围内"
INVALID_LINK = "重置链接无效、已使用或已过期，请联系管理员或上级重新签发"
# django-axes' bucket for reset-link tries: per client address, like the sign-in form's username + address pair.
RESET_THROTTLE_CREDENTIALS = {"username": "«password-reset-link»"}


def is_administrator(user: Any) -> bool:
    """Administrators (Django staff, the people who run the platform) reset any account; no platform role does."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_staff)


def account_target(account: User) -> Target:
    """Where an account sits: a staff account at its region, an enterprise user at its enterprise's region."""
    if account.enterprise_id is not None:
        return Target(region_code=account.enterprise.region_id, enterprise_id=account.enterprise_id)
    return Target(region_code=account.region_id)


def may_reset(user: Any, account: User) -> bool:
    """The access table decides (`password_reset_action`): a superior resets an account below it, never a peer;
    an administrator any account. Nobody resets an administrator's password but another administrator."""
    if is_administrator(user):
        return account.pk != user.pk
    if account.is_staff or account.is_superuser or not account.role:
        return False
    action = password_reset_action(Role(account.role))
    return action in permissions_for(user, account_target(account))


def resettable_accounts(user: Any) -> QuerySet[User]:
    """The accounts whose password the caller may reset, for the account list (the table decides each row too)."""
    accounts = User.objects.select_related("region", "enterprise", "enterprise__region").order_by("username")
    if is_administrator(user):
        return accounts.exclude(pk=user.pk)
    actor = actor_of(user)
    if actor.region_code is None:
        return accounts.none()
    home = home_target(actor)
    query = Q(pk__in=[])
    for role in Role:
        if role is Role.PUBLIC or not decide(actor, password_reset_action(role), home):
            continue
        field = "enterprise__region" if role is Role.ENTERPRISE else "region"
        query |= Q(role=role.value) & within(actor.region_code, field)
    return accounts.filter(query).exclude(is_staff=True).exclude(is_superuser=True)


def _account_for_reset(user: Any, account_id: int) -> User:
    """The locked account, if the caller may reset it; anything else looks missing (404), existing or not."""
    account = (
        User.objects.select_for_update(of=("self",), no_key=True)
        .select_related("enterprise")
        .filter(pk=account_id)
        .first()
    )
    if account is None or not may_reset(user, account):
        raise NotFound(MISSING_ACCOUNT)
    return account


def get_account_for_reset(user: Any, account_id: int) -> User:
    account = User.objects.select_related("region", "enterprise").filter(pk=account_id).first()
    if account is None or not may_reset(user, account):
        raise NotFound(MISSING_ACCOUNT)
    return account


def _validated(account: User, password: str, repeated: str) -> str:
    """Django's password validators (messages in the active language, Chinese by default) plus the repetition."""
    if password != repeated:
        raise ServiceError("两次输入的新密码不一致", field="password2")
    try:
        validate_password(password, user=account)
    except DjangoValidationError as exc:
        raise ServiceError("；".join(_password_message(e) for e in exc.error_list), field="password1") from None
    return password


# Django 5.2's Chinese catalogue lacks some validator messages (e.g. the "too short" wording changed): say them here.
PASSWORD_MESSAGES = {
    "password_too_short": "密码长度太短，至少需要 {min_length} 个字符",
    "password_too_common": "这个密码太常见，请换一个不易猜到的密码",
    "password_too_similar": "密码与账号的其他信息太相似",
    "password_entirely_numeric": "密码不能全部是数字",
}


def _password_message(error: DjangoValidationError) -> str:
    template = PASSWORD_MESSAGES.get(error.code or "")
    if template is None:
        return " ".join(error.messages)
    return template.format(**(error.params or {}))


def _close_open_links(account: User, moment: dt.datetime) -> None:
    PasswordResetLink.objects.filter(user=account, used_at__isnull=True, expires_at__gt=moment).update(
        expires_at=moment
    )


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def issue_reset_link(user: Any, account_id: int) -> tuple[str, PasswordResetLink]:
    """A one-time link for the account (24 h, one use). Returns the token, shown once to the issuer to pass on;
    only its hash is stored and the audit record names neither. Earlier open links of the account stop working."""
    account = _account_for_reset(user, account_id)
    moment = timezone.now()
    _close_open_links(account, moment)
    token = secrets.token_urlsafe(32)
    link = PasswordResetLink.objects.create(
        user=account, token_hash=_hash_token(token), issued_by=user, expires_at=moment + RESET_LINK_VALID
    )
    audit.record(
        actor=user,
        action="user.reset_link",
        obj=account,
        region_code=account_target(account).region_code or "",
        after={"user": account.username, "link": link.pk, "expires_at": link.expires_at.isoformat()},
    )
    return token, link


@transaction.atomic
def set_temporary_password(user: Any, account_id: int, password: str, repeated: str) -> User:
    """The superior gives the account a temporary password; the account must change it at its next sign-in."""
    account = _account_for_reset(user, account_id)
    account.set_password(_validated(account, password, repeated))
    account.must_change_password = True
    account.save(update_fields=["password", "must_change_password"])
    _close_open_links(account, timezone.now())
    audit.record(
        actor=user,
        action="user.temporary_password",
        obj=account,
        region_code=account_target(account).region_code or "",
        after={"user": account.username, "must_change_password": True},
    )
    return account


def reset_link_account(token: str) -> User | None:
    """The account an unused, unexpired link belongs to, or None."""
    link = (
        PasswordResetLink.objects.select_related("user")
        .filter(token_hash=_hash_token(token), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    return link.user if link is not None and link.user.is_active else None


@transaction.atomic
def redeem_reset_link(token: str, password: str, repeated: str) -> User:
    """Set a new password through a link: once, before it expires; the link is spent in the same transaction."""
    link = (
        PasswordResetLink.objects.select_for_update(of=("self",), no_key=True)
        .select_related("user")
        .filter(token_hash=_hash_token(token))
        .first()
    )
    moment = timezone.now()
    if link is None or link.used_at is not None or link.expires_at <= moment or not link.user.is_active:
        raise NotFound(INVALID_LINK)
    account = link.user
    account.set_password(_validated(account, password, repeated))
    account.must_change_password = False
    account.save(update_fields=["password", "must_change_password"])
    link.used_at = moment
    link.save(update_fields=["used_at"])
    audit.record(
        actor=account,
        action="user.password_reset",
        obj=account,
        region_code=account_target(account).region_code or "",
        after={"user": account.username, "link": link.pk},
    )
    return account


def record_reset_link_failure(request: Any) -> None:
    """A wrong or spent link counts against the client address in django-axes, like a failed sign-in."""
    user_login_failed.send(sender=__name__, credentials=RESET_THROTTLE_CREDENTIALS, request=request)


def reset_link_allowed(request: Any) -> bool:
    return bool(AxesProxyHandler.is_allowed(request, RESET_THROTTLE_CREDENTIALS))


@transaction.atomic
def change_own_password(user: Any, current: str, password: str, repeated: str) -> User:
    """The signed-in user changes its own password (required after a temporary one)."""
    account = User.objects.select_for_update(no_key=True).get(pk=user.pk)
    if not account.check_password(current):
        raise ServiceError("当前密码不正确", field="current")
    if current == password:
        raise ServiceError("新密码不能与当前密码相同", field="password1")
    account.set_password(_validated(account, password, repeated))
    account.must_change_password = False
    account.save(update_fields=["password", "must_change_password"])
    audit.record(
        actor=account,
        action="user.password_change",
        obj=account,
        region_code=account_target(account).region_code or "",
        after={"user": account.username},
    )
    return account
