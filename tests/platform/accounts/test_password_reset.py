"""Password reset without a mail server (issue 8, defect 13): an administrator or the account's own superior issues a
one-time link (24 h, one use, stored hashed) or sets a temporary password that must be changed at the next sign-in.
Who may reset whom comes from the access table; anything else is "not found". The link page is throttled like the
sign-in form. Service-level tests run with real transactions, as a request would."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from airgrade.core.access import password_reset_action
from airgrade.core.types import Role
from airgrade.platform.accounts import services
from airgrade.platform.accounts.models import PasswordResetLink, User
from airgrade.platform.audit.models import AuditRecord
from airgrade.platform.errors import NotFound, ServiceError
from airgrade.platform.permissions import permissions_for

NEW_PASSWORD = "Huanbao-2026-reset"
TEMPORARY = "Linshi-2026-mima"
LOGIN = "/accounts/login/"

service_db = pytest.mark.django_db(transaction=True)


def _admin() -> User:
    return User.objects.create_superuser(
        "root-admin", password="admin-password-123", role="province", region_id="410000"
    )


def _audit_text() -> str:
    return json.dumps(
        [[r.action, r.before, r.after, r.reason] for r in AuditRecord.objects.order_by("pk")], ensure_ascii=False
    )


@service_db
def test_an_administrator_issues_a_one_time_link_stored_hashed_and_audited(users: dict[str, Any]) -> None:
    admin, account = _admin(), users["enterprise"]
    token, link = services.issue_reset_link(admin, account.pk)
    assert len(token) >= 40 and link.expires_at - timezone.now() > dt.timedelta(hours=23)
    stored = PasswordResetLink.objects.get(pk=link.pk)
    assert token not in stored.token_hash and stored.token_hash == services._hash_token(token)
    assert services.reset_link_account(token) == account
    services.redeem_reset_link(token, NEW_PASSWORD, NEW_PASSWORD)
    account.refresh_from_db()
    assert account.check_password(NEW_PASSWORD) and not account.must_change_password
    with pytest.raises(NotFound):  # one use
        services.redeem_reset_link(token, "Another-pass-2026", "Another-pass-2026")
    assert services.reset_link_account(token) is None
    actions = list(AuditRecord.objects.filter(action__startswith="user.").values_list("action", flat=True))
    assert actions == ["user.reset_link", "user.password_reset"]
    text = _audit_text()
    assert token not in text and NEW_PASSWORD not in text and stored.token_hash not in text


@service_db
def test_a_link_expires_and_a_new_one_closes_the_old(users: dict[str, Any]) -> None:
    admin, account = _admin(), users["county"]
    first, _ = services.issue_reset_link(admin, account.pk)
    second, link = services.issue_reset_link(admin, account.pk)
    assert services.reset_link_account(first) is None and services.reset_link_account(second) == account
    PasswordResetLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(NotFound):
        services.redeem_reset_link(second, NEW_PASSWORD, NEW_PASSWORD)
    account.refresh_from_db()
    assert not account.check_password(NEW_PASSWORD)


@service_db
def test_password_rules_are_checked_with_chinese_messages(users: dict[str, Any]) -> None:
    token, _ = services.issue_reset_link(_admin(), users["enterprise"].pk)
    with pytest.raises(ServiceError, match="两次输入的新密码不一致"):
        services.redeem_reset_link(token, NEW_PASSWORD, NEW_PASSWORD + "x")
    with pytest.raises(ServiceError, match="密码长度太短"):
        services.redeem_reset_link(token, "a1b2", "a1b2")
    with pytest.raises(ServiceError, match="密码"):
        services.redeem_reset_link(token, "password", "password")  # a common password
    assert services.reset_link_account(token) == users["enterprise"]  # refusals do not spend the link


@service_db
def test_the_superior_resets_accounts_below_it_and_nobody_else(users: dict[str, Any]) -> None:
    u = users
    allowed = [
        ("county", "enterprise"),  # the county: enterprise users of its county
        ("city", "enterprise"),
        ("city", "county"),  # the city: its counties' officials
        ("city", "other_county"),
        ("province", "city"),  # the province: its cities' officials
        ("province", "other_city"),
    ]
    refused = [
        ("county", "other_enterprise_user"),  # another county's enterprise
        ("other_county", "enterprise"),
        ("county", "county"),  # nobody resets itself or a peer
        ("county", "other_county"),
        ("city", "other_city"),
        ("city", "province"),
        ("other_city", "county"),  # another city's county
        ("province", "county"),  # not the county's own superior
        ("enterprise", "other_enterprise_user"),
        ("enterprise", "enterprise"),
        ("expert", "enterprise"),
        ("county", "expert"),
    ]
    for who, whom in allowed:
        assert services.may_reset(u[who], u[whom]), (who, whom)
        assert password_reset_action(Role(u[whom].role)) in permissions_for(u[who], services.account_target(u[whom]))
        assert u[whom] in services.resettable_accounts(u[who]), (who, whom)
    for who, whom in refused:
        assert not services.may_reset(u[who], u[whom]), (who, whom)
        assert u[whom] not in services.resettable_accounts(u[who]), (who, whom)
        before = AuditRecord.objects.count()
        with pytest.raises(NotFound):  # out of reach is "not found", like a missing account
            services.set_temporary_password(u[who], u[whom].pk, TEMPORARY, TEMPORARY)
        with pytest.raises(NotFound):
            services.issue_reset_link(u[who], u[whom].pk)
        assert AuditRecord.objects.count() == before
    with pytest.raises(NotFound):
        services.issue_reset_link(u["county"], 987654321)
    admin = _admin()
    assert not services.may_reset(u["province"], admin)  # an administrator is reset by another administrator
    assert services.may_reset(admin, u["province"]) and not services.may_reset(admin, admin)


@service_db
def test_a_temporary_password_must_be_changed_at_the_next_sign_in(users: dict[str, Any]) -> None:
    account = users["enterprise"]
    services.set_temporary_password(users["county"], account.pk, TEMPORARY, TEMPORARY)
    account.refresh_from_db()
    assert account.must_change_password and account.check_password(TEMPORARY)
    record = AuditRecord.objects.filter(action="user.temporary_password").get()
    assert record.actor_id == users["county"].pk and TEMPORARY not in _audit_text()

    client = Client()
    assert client.post(LOGIN, {"username": account.username, "password": TEMPORARY}).status_code == 302
    home = client.get("/")
    assert home.status_code == 302 and home["Location"] == "/accounts/password/"
    assert client.get("/api/enterprises/").status_code == 403
    page = client.get("/accounts/password/")
    assert "临时密码" in page.content.decode()
    wrong = client.post(
        "/accounts/password/", {"current": "nope", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert "当前密码不正确" in wrong.content.decode()
    short = client.post("/accounts/password/", {"current": TEMPORARY, "password1": "ab1", "password2": "ab1"})
    assert "密码长度太短" in short.content.decode()
    done = client.post(
        "/accounts/password/", {"current": TEMPORARY, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert done.status_code == 200 and "密码已修改" in done.content.decode()
    assert client.get("/").status_code == 200  # still signed in, free to work
    account.refresh_from_db()
    assert not account.must_change_password and account.check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_the_superior_sees_the_button_and_the_link_is_shown_once(users: dict[str, Any]) -> None:
    county = Client()
    county.force_login(users["county"])
    listing = county.get("/accounts/users/").content.decode()
    assert users["enterprise"].username in listing and "重置密码" in listing
    assert users["other_enterprise_user"].username not in listing
    url = f"/accounts/users/{users['enterprise'].pk}/reset/"
    issued = county.post(url, {"op": "link"})
    text = issued.content.decode()
    assert issued.status_code == 200 and "/accounts/reset/" in text
    link = text.split('id="reset-link" readonly value="')[1].split('"')[0]
    assert link.startswith("http://testserver/accounts/reset/")
    # The one who receives it sets a new password on the page the link opens.
    page = Client().get(link)
    assert page.status_code == 200 and "设置新密码" in page.content.decode()
    mismatch = Client().post(link, {"password1": NEW_PASSWORD, "password2": "other"})
    assert "两次输入的新密码不一致" in mismatch.content.decode()
    done = Client().post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert "密码已重置" in done.content.decode()
    assert Client().get(link).status_code == 404  # used
    assert Client().post(LOGIN, {"username": "ent", "password": NEW_PASSWORD}).status_code == 302
    # Out of reach: the neighbouring county, the enterprise itself, another city — 404, like a missing account.
    for who in ("other_county", "other_city", "enterprise", "expert"):
        client = Client()
        client.force_login(User.objects.get(pk=users[who].pk))  # the enterprise user's password just changed
        assert client.get(url).status_code == 404, who
        assert client.post(url, {"op": "link"}).status_code == 404, who
    assert county.get("/accounts/users/987654321/reset/").status_code == 404


@pytest.mark.django_db
def test_the_link_page_is_throttled_like_the_sign_in_form(users: dict[str, Any], settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    token, _ = services.issue_reset_link(_admin(), users["enterprise"].pk)
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    for n in range(2):
        assert attacker.get(f"/accounts/reset/guess-{n}/").status_code == 404
    third = attacker.get("/accounts/reset/guess-3/")
    assert third.status_code == 429 and "尝试次数过多" in third.content.decode()
    # Even the right link is refused from that address now, and nothing is changed…
    assert (
        attacker.post(f"/accounts/reset/{token}/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}).status_code
        == 429
    )
    users["enterprise"].refresh_from_db()
    assert not users["enterprise"].check_password(NEW_PASSWORD)
    # …but the owner at another address uses it.
    owner = Client(REMOTE_ADDR="203.0.113.20")
    assert (
        "密码已重置"
        in owner.post(
            f"/accounts/reset/{token}/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        ).content.decode()
    )


@pytest.mark.django_db
def test_the_admin_user_page_leads_to_the_reset(users: dict[str, Any]) -> None:
    client = Client()
    client.force_login(_admin())
    page = client.get(f"/admin/accounts/user/{users['county'].pk}/change/").content.decode()
    assert f"/accounts/users/{users['county'].pk}/reset/" in page
    issued = client.post(f"/accounts/users/{users['county'].pk}/reset/", {"op": "link"})
    assert issued.status_code == 200 and "/accounts/reset/" in issued.content.decode()
    assert "/accounts/users/" in client.get("/").content.decode()  # the administrator's navigation shows 账号管理


@pytest.mark.django_db
def test_the_password_pages_read_input_through_their_forms(users: dict[str, Any]) -> None:
    """accounts/forms.py keeps a password as typed (its spaces count) and refuses a NUL character with the field's
    name, on the page, never a 500 and nothing changed."""
    account = users["enterprise"]
    spaced = f" {NEW_PASSWORD} "
    account.set_password(spaced)
    account.save()
    client = Client()
    assert client.post(LOGIN, {"username": account.username, "password": NEW_PASSWORD}).status_code == 200
    assert client.post(LOGIN, {"username": account.username, "password": spaced}).status_code == 302
    refused = client.post("/accounts/password/", {"current": spaced, "password1": "ab\x00cd", "password2": "ab\x00cd"})
    assert refused.status_code == 200 and "新密码：" in refused.content.decode()
    account.refresh_from_db()
    assert account.check_password(spaced)
    nul_login = Client().post(LOGIN, {"username": "ent\x00", "password": "x"})
    assert nul_login.status_code == 200 and "用户名：" in nul_login.content.decode()
