"""Browser steps shared by the page tests: signing in through the real form."""

from __future__ import annotations

from typing import Any


def sign_in(page: Any, username: str, password: str = "", *, first_load_timeout: float | None = None) -> None:
    """Sign in through the real login form and wait until the server has answered.

    Waiting for a URL alone is not enough: the login page's own URL matches "**/", and a `goto` made before the
    answer arrives cancels the login's response and its session cookie.
    """
    from tests.conftest import PASSWORD

    page.goto("/accounts/login/", timeout=first_load_timeout)
    page.fill("#id_username", username)
    page.fill("#id_password", password or PASSWORD)
    with page.expect_navigation():
        page.click("form:has(#id_username) button[type=submit]")
    assert "/accounts/login/" not in page.url, f"{username} could not sign in: {page.locator('main').inner_text()}"
