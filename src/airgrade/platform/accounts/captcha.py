"""Arithmetic captcha with one-use tokens: the token is a random key, the answer stays on the server.

A signed token that carried its answer could be read by anyone (signing is not encryption) and replayed until it
expired. Here the token is 32 random bytes; the server keeps only the token's SHA-256 and a digest of token + answer,
so neither the token nor the stored row reveals the answer. Checking deletes the row whatever the answer: a token is
good for one try, so an answer cannot be guessed by retrying the same question. Callers check the captcha before
opening their own transaction, so a later refusal cannot roll the used token back
(tests/platform/accounts/test_captcha.py tries that through the public API).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from airgrade.platform.accounts.models import Captcha
from airgrade.platform.errors import ServiceError

CAPTCHA_MAX_AGE = dt.timedelta(minutes=15)


def _key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _digest(token: str, answer: str) -> str:
    return hashlib.sha256(f"{token}\x00{answer}".encode("utf-8", "replace")).hexdigest()


def new_captcha() -> tuple[str, str]:
    """An arithmetic question and a one-use token for it."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        Captcha.objects.filter(expires_at__lte=now).delete()  # keep the table small
        Captcha.objects.create(key=_key(token), digest=_digest(token, str(a + b)), expires_at=now + CAPTCHA_MAX_AGE)
    return f"{a} + {b} = ?", token


def check_captcha(token: str, answer: str) -> None:
    """Use up the token; refuse if it was unknown, used, expired or answered wrongly."""
    with transaction.atomic():
        row = Captcha.objects.filter(key=_key(token or "")).first()
        # Only the request whose DELETE removed the row may go on: a parallel replay deletes nothing.
        used = row is not None and Captcha.objects.filter(pk=row.pk).delete()[0] == 1
    if row is None or not used or row.expires_at <= timezone.now():
        raise ServiceError("验证码已过期或无效，请刷新后重试", field="captcha")
    if not secrets.compare_digest(row.digest, _digest(token, str(answer).strip())):
        raise ServiceError("验证码答案不正确", field="captcha")
