"""Page input of the sign-in and password pages. The forms only shape input — every field optional and kept as
typed (a password's spaces are part of it); the services check credentials, captcha and password rules and say what
is wrong in Chinese."""

from __future__ import annotations

from typing import Any

from django import forms


def _text(label: str) -> forms.CharField:
    return forms.CharField(label=label, required=False, strip=False)


class SignInForm(forms.Form):
    username = _text("用户名")
    password = _text("密码")
    captcha_token = _text("验证码")
    captcha_answer = _text("验证码")
    next = _text("登录后前往")  # checked against the host before use


def signed_in_field(data: Any, name: str) -> str:
    """One field of a posted sign-in form as typed, "" when absent or refused (a NUL character): for the pages
    around sign-in (where to go next, the lock-out page) that show or follow it without deciding anything."""
    form = SignInForm(data)
    form.is_valid()
    return str(form.cleaned_data.get(name, ""))


class NewPasswordForm(forms.Form):
    password1 = _text("新密码")
    password2 = _text("再次输入新密码")


class PasswordChangeForm(NewPasswordForm):
    current = _text("当前密码")


class AccountResetForm(NewPasswordForm):
    op = _text("重置方式")  # "link": a one-time link; anything else: a temporary password
