"""Error messages on the command line carry file names, cell values and arguments as the user wrote them: printed as
plain text, never read as rich markup (a value such as "[/x]" made rich raise a MarkupError — a traceback instead
of the message)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from airgrade.cli import app
from airgrade.platform.verification.models import Reading

pytestmark = pytest.mark.django_db(transaction=True)

runner = CliRunner()
HOSTILE = "[/x][bold]"


def _refused(result: Any, shown: str = HOSTILE) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code != 0
    assert shown in result.output.replace("\n", "")


def test_a_row_error_of_a_file_named_like_markup_is_printed_as_written(users: dict[str, Any], tmp_path: Path) -> None:
    code = users["own_enterprise"].credit_code
    name = "[red]监测[bold].csv"  # a file name cannot hold "/": rich would take these as styles and drop them
    path = tmp_path / name
    path.write_text(
        "统一社会信用代码,厂区,排放口编号,监测时间,污染物,排放速率,浓度,流量,状态\n"
        f"{code},,DA001,2026-11-01 00:00,{HOSTILE},1.5,35,120000,正常\n",
        encoding="utf-8",
    )
    _refused(runner.invoke(app, ["alert", "readings", str(path), "--kind", "monitoring", "--as", "county"]), name)
    assert Reading.objects.count() == 0


def test_a_file_name_and_an_account_that_look_like_markup_are_printed_as_written(
    users: dict[str, Any], tmp_path: Path
) -> None:
    name = "[red]区划[bold]"  # a file name cannot hold "/": rich would take these as styles and drop them
    path = tmp_path / f"{name}.csv"
    path.write_bytes("code,name\n".encode("utf-16"))
    _refused(runner.invoke(app, ["regions", "load", str(path)]), name)
    _refused(runner.invoke(app, ["alert", "verify", "1", "--as", HOSTILE]))
