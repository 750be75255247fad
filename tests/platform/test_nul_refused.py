"""A NUL character in a path or query string is refused with 400 (PostgreSQL text cannot hold one)."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/api/public/objections/%00", "/public/grades/?q=%00", "/api/public/grades.json?region=%00"]
)
def test_nul_in_request_is_a_400_not_a_500(client, url):
    assert client.get(url).status_code == 400
