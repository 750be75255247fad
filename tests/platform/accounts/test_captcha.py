"""The captcha (issue 8, defect 9): the token is random, the answer stays on the server (not recoverable from the
token), and each token is good for one try, also under parallel replay."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core import signing
from django.db import connection
from django.test import Client
from django.utils import timezone

from airgrade.platform.accounts.captcha import check_captcha, new_captcha
from airgrade.platform.accounts.models import Captcha
from airgrade.platform.errors import ServiceError

pytestmark = pytest.mark.django_db


def _answer(question: str) -> str:
    a, b = question.split(" = ")[0].split(" + ")
    return str(int(a) + int(b))


def test_the_answer_is_not_in_the_token_nor_stored_plain() -> None:
    question, token = new_captcha()
    answer = _answer(question)
    with pytest.raises(signing.BadSignature):  # the old token was signed JSON: anyone could read "answer"
        signing.loads(token, salt="airgrade.disclosure.captcha")
    row = Captcha.objects.get()
    assert answer not in (row.key, row.digest) and token not in (row.key, row.digest)
    # The row alone does not give the answer either: without the token no answer reproduces the digest.
    import hashlib

    assert all(hashlib.sha256(str(n).encode()).hexdigest() != row.digest for n in range(0, 100))


def test_a_token_is_good_for_one_try() -> None:
    question, token = new_captcha()
    check_captcha(token, _answer(question))
    with pytest.raises(ServiceError, match="验证码已过期或无效"):
        check_captcha(token, _answer(question))
    question, token = new_captcha()
    with pytest.raises(ServiceError, match="验证码答案不正确"):
        check_captcha(token, str(int(_answer(question)) + 1))
    with pytest.raises(ServiceError, match="验证码已过期或无效"):  # no second guess on the same question
        check_captcha(token, _answer(question))


def test_an_expired_or_unknown_token_is_refused() -> None:
    question, token = new_captcha()
    Captcha.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(ServiceError, match="验证码已过期或无效"):
        check_captcha(token, _answer(question))
    with pytest.raises(ServiceError, match="验证码已过期或无效"):
        check_captcha("made-up", "3")


def test_the_public_objection_api_refuses_a_replayed_token(users: dict[str, Any]) -> None:
    from tests.platform.disclosure.test_disclosure import _graded

    _graded(users)
    question = Client().get("/api/public/captcha").json()
    body = {
        "enterprise_id": users["own_enterprise"].pk,
        "content": "该企业料场未封闭，与B级不符",
        "captcha_token": question["token"],
        "captcha_answer": _answer(question["question"]),
    }
    first = Client().post("/api/public/objections", body, content_type="application/json")
    assert first.status_code == 201, first.content
    again = Client().post("/api/public/objections", body, content_type="application/json")
    assert again.status_code == 400 and "验证码已过期或无效" in again.json()["error"]
    # A refused objection (content too short) does not give its token back either.
    question = Client().get("/api/public/captcha").json()
    body.update(content="太短", captcha_token=question["token"], captcha_answer=_answer(question["question"]))
    assert Client().post("/api/public/objections", body, content_type="application/json").status_code == 400
    body["content"] = "该企业料场未封闭，与B级不符"
    retry = Client().post("/api/public/objections", body, content_type="application/json")
    assert retry.status_code == 400 and "验证码已过期或无效" in retry.json()["error"]


@pytest.mark.django_db(transaction=True)
def test_parallel_replays_of_one_token_pass_once() -> None:
    question, token = new_captcha()
    answer = _answer(question)
    passed: list[bool] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def attempt() -> None:
        start.wait()
        try:
            check_captcha(token, answer)
            ok = True
        except ServiceError:
            ok = False
        finally:
            connection.close()
        with lock:
            passed.append(ok)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(passed) == [False] * 7 + [True]
