"""Browser steps shared by the page tests: submitting a form and waiting for its answer, signing in."""

from __future__ import annotations

from typing import Any


def submit(page: Any, button: Any) -> None:
    """Click a form's button (a selector or a locator) and wait for the page the form leads to.

    Waiting for a selector or URL alone is not enough when the page before already matches it (a success message, an
    earlier signature, a job page, the login page's own URL): the next step would act on the old page, and what it
    typed or clicked is lost when the new page arrives; a `goto` made before the answer even cancels the answer.
    """
    with page.expect_navigation():
        (page.locator(button) if isinstance(button, str) else button).click()


def sign_in(page: Any, username: str, password: str = "", *, first_load_timeout: float | None = None) -> None:
    """Sign in through the real login form and wait until the server has answered (see `submit`)."""
    from tests.conftest import PASSWORD

    page.goto("/accounts/login/", timeout=first_load_timeout)
    page.fill("#id_username", username)
    page.fill("#id_password", password or PASSWORD)
    submit(page, "form:has(#id_username) button[type=submit]")
    assert "/accounts/login/" not in page.url, f"{username} could not sign in: {page.locator('main').inner_text()}"
