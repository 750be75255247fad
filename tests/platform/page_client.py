"""Helpers of the page tests: a Django test client signed in as a user (or anonymous), and a page's text."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client


def client_for(user: Any | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def text(response: Any) -> str:
    return str(response.content.decode())


def visible(response: Any) -> str:
    """What a person reads: the page without tags (attribute values such as option codes are not read)."""
    return re.sub(r"<[^>]+>", " ", text(response))
