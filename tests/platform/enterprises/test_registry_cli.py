"""Registry CLI: the same services and scope as the pages and API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from airgrade.cli import app

pytestmark = pytest.mark.django_db


def test_list_is_scoped_to_the_named_user(users: dict[str, Any]) -> None:
    result = CliRunner().invoke(app, ["enterprises", "list", "--as", "county", "--json"])
    assert result.exit_code == 0, result.output
    assert [row["name"] for row in json.loads(result.output)["results"]] == ["本县企业"]
    result = CliRunner().invoke(app, ["enterprises", "list", "--as", "city", "--industry", "cement", "--json"])
    assert {row["name"] for row in json.loads(result.output)["results"]} == {"本县企业", "邻县企业"}


def test_show_refuses_out_of_scope_and_unknown_users(users: dict[str, Any]) -> None:
    other = users["other_enterprise"].pk
    refused = CliRunner().invoke(app, ["enterprises", "show", str(other), "--as", "county"])
    assert refused.exit_code == 1 and "不在您的管辖范围内" in refused.output
    shown = CliRunner().invoke(app, ["enterprises", "show", str(other), "--as", "city"])
    assert shown.exit_code == 0 and "1#熟料线" in shown.output
    unknown = CliRunner().invoke(app, ["enterprises", "list", "--as", "nobody"])
    assert unknown.exit_code == 2 and "不存在" in unknown.output
