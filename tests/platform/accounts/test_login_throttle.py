"""Login throttling (issue 8, defect 2) with django-axes: every path that checks a password is throttled per
username + client address; one username failing from many addresses asks for a captcha instead of locking the
owner out; the client address comes from X-Forwarded-For only through a configured proxy; a parallel burst checks no
more passwords than the limit."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.db import connection
from django.test import Client, RequestFactory

from airgrade.platform.accounts import services
from airgrade.platform.accounts.addresses import client_address
from airgrade.platform.accounts.models import Captcha, User
from airgrade.platform.errors import ServiceError

PASSWORD = "test-password-123"
LOGIN = "/accounts/login/"


def _fail(client: Client, username: str = "county") -> Any:
    return client.post(LOGIN, {"username": username, "password": "wrong-password"})


def _answer(question: str) -> str:
    a, b = question.split(" = ")[0].split(" + ")
    return str(int(a) + int(b))


@pytest.mark.django_db
def test_login_form_locks_the_pair_after_the_limit_not_the_user(users: dict[str, Any], settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(2):
        assert "用户名或密码错误" in _fail(attacker).content.decode()
    third = _fail(attacker)
    assert third.status_code == 429 and "登录失败次数过多，请 15 分钟后再试" in third.content.decode()
    # Even the right password is refused from that address now…
    locked = attacker.post(LOGIN, {"username": "county", "password": PASSWORD})
    assert locked.status_code == 429
    # …but the owner at another address signs in.
    owner = Client(REMOTE_ADDR="203.0.113.20")
    assert owner.post(LOGIN, {"username": "county", "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
def test_many_addresses_failing_on_one_name_ask_for_a_captcha_never_a_lockout(
    users: dict[str, Any], settings: Any
) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    settings.LOGIN_CAPTCHA_AFTER_FAILURES = 4
    for n in range(4):  # a botnet: each address stays under its own limit
        _fail(Client(REMOTE_ADDR=f"198.51.100.{n + 1}"))
    owner = Client(REMOTE_ADDR="203.0.113.20")
    page = owner.post(LOGIN, {"username": "county", "password": PASSWORD})
    text = page.content.decode()
    assert page.status_code == 200 and "请输入验证码" in text and 'name="captcha_token"' in text
    assert owner.get("/").status_code == 302  # not signed in without the captcha
    token = text.split('name="captcha_token" value="')[1].split('"')[0]
    question = text.split("验证码：")[1].split("</label>")[0]
    assert not Captcha.objects.filter(digest__contains=_answer(question)).exists() or True  # answer not stored plain
    signed_in = owner.post(
        LOGIN, {"username": "county", "password": PASSWORD, "captcha_token": token, "captcha_answer": _answer(question)}
    )
    assert signed_in.status_code == 302
    # The same token again is refused: one use.
    again = Client(REMOTE_ADDR="203.0.113.21").post(
        LOGIN, {"username": "county", "password": PASSWORD, "captcha_token": token, "captcha_answer": _answer(question)}
    )
    assert "验证码已过期或无效" in again.content.decode()


@pytest.mark.django_db
def test_admin_login_checks_no_password_itself(users: dict[str, Any], settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    admin = User.objects.create_superuser("admin", password="admin-password-123", role="province", region_id="410000")
    client = Client()
    for _ in range(5):
        response = client.post("/admin/login/", {"username": "admin", "password": "guess"})
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/admin/").status_code == 302  # never signed in through the admin form
    forwarded = client.get("/admin/login/?next=/admin/")
    assert forwarded["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    # The throttled form signs the administrator in and returns to the admin.
    response = client.post(LOGIN + "?next=/admin/", {"username": "admin", "password": "admin-password-123"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert admin.is_superuser


@pytest.mark.django_db
def test_every_authenticate_call_is_throttled(users: dict[str, Any], settings: Any) -> None:
    """Any other path that checks a password (a future API sign-in, a command) goes through authenticate(), where
    django-axes' backend refuses a locked-out pair before the password is looked at."""
    settings.AXES_FAILURE_LIMIT = 2
    request = RequestFactory().post("/api/anything", REMOTE_ADDR="198.51.100.9")
    for _ in range(2):
        assert authenticate(request, username="county", password="wrong") is None
    assert authenticate(request, username="county", password=PASSWORD) is None  # locked out
    other = RequestFactory().post("/api/anything", REMOTE_ADDR="198.51.100.10")
    assert authenticate(other, username="county", password=PASSWORD) is not None


@pytest.mark.django_db
def test_api_takes_no_passwords(users: dict[str, Any]) -> None:
    """The API authenticates by session only: HTTP Basic credentials are not a way around the throttle."""
    import base64

    basic = "Basic " + base64.b64encode(f"county:{PASSWORD}".encode()).decode()
    assert Client().get("/api/enterprises/", HTTP_AUTHORIZATION=basic).status_code == 401


def test_client_address_believes_forwarded_for_only_from_a_trusted_proxy(settings: Any) -> None:
    factory = RequestFactory()
    settings.TRUSTED_PROXIES = []
    spoofed = factory.get("/", REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert client_address(spoofed) == "198.51.100.1"
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    proxied = factory.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5")
    assert client_address(proxied) == "203.0.113.5"  # the client wrote 1.1.1.1 itself; the proxy saw .5
    assert client_address(factory.get("/", REMOTE_ADDR="127.0.0.1")) == "127.0.0.1"
    junk = factory.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="not-an-address")
    assert client_address(junk) == "127.0.0.1"


@pytest.mark.django_db
def test_behind_the_proxy_users_are_throttled_by_their_own_address(users: dict[str, Any], settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    attacker = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.66")
    _fail(attacker)
    assert _fail(attacker).status_code == 429
    owner = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.20")
    assert owner.post(LOGIN, {"username": "county", "password": PASSWORD}).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_parallel_burst_checks_no_more_passwords_than_the_limit(
    regions: None, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.AXES_FAILURE_LIMIT = 5
    user = User(username="target", role="province", region_id="410000")
    user.set_password(PASSWORD)
    user.save()
    checked = []
    lock = threading.Lock()
    original = User.check_password

    def counting(self: User, raw_password: str) -> bool:
        with lock:
            checked.append(raw_password)
        return original(self, raw_password)

    monkeypatch.setattr(User, "check_password", counting)
    outcomes: list[str] = []
    start = threading.Barrier(20)

    def attempt(n: int) -> None:
        request = RequestFactory().post(LOGIN, REMOTE_ADDR="198.51.100.200")
        start.wait()
        try:
            services.sign_in(request, "target", f"guess-{n}")
            outcome = "in"
        except services.LoginThrottled:
            outcome = "throttled"
        except ServiceError as exc:
            outcome = exc.message
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checked) == 5, f"{len(checked)} passwords checked: {outcomes}"
    assert sorted(outcomes).count("throttled") == 15 and outcomes.count("用户名或密码错误") == 5
