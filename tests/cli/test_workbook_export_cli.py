"""`airgrade export official KIND --as USER -o FILE`: the same scoped tables as the pages; a bad or missing
parameter is a Chinese message and exit status 1, never a traceback (issue 10)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from airgrade.cli import app
from airgrade.io.excel.layouts import REGISTRY

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_export_official_registry_in_scope(users: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "档案.xlsx"
    result = runner.invoke(app, ["export", "official", "registry", "--as", "county", "-o", str(out)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out)[REGISTRY.sheet]
    assert [sheet.cell(3, i + 1).value for i in range(len(REGISTRY.columns))] == [c.title for c in REGISTRY.columns]
    codes = {row[0] for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert users["own_enterprise"].credit_code in codes and users["other_enterprise"].credit_code not in codes


def test_export_official_refuses_a_missing_parameter(users: dict[str, Any], tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", "official", "ab-list", "--as", "city", "-o", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 1 and "缺少参数：评级批次" in result.output
    assert not (tmp_path / "x.xlsx").exists()
