"""`airgrade regions load FILE` facing generated and hostile CSV files: loaded, or exit 2 naming the file and
nothing changed — never a traceback (issue 8, defect 12)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.fuzzing import fuzz_settings, hostile_scalar
from typer.testing import CliRunner

from airgrade.cli import app

runner = CliRunner()


def _csv(rows: list[list[Any]], header: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([[str(cell) for cell in row] for row in rows])
    return buffer.getvalue().encode("utf-8", "surrogatepass")


code = st.one_of(st.sampled_from(["410000", "410100", "410181", "419001", "410199", "4101", "abcdef"]), hostile_scalar)
hostile_csv = st.one_of(
    st.binary(max_size=300),
    st.just("code,name,level,parent\n410182,荥阳市,county,410100\n".encode("utf-16")),
    st.just("code,name\n410182,荥阳市\n".encode("gbk")),
    st.just(b'code,name\n410182,"' + b"x" * 200_000 + b'"\n'),  # a field over the csv module's limit
    st.builds(
        _csv,
        st.lists(st.lists(st.one_of(code, hostile_scalar), min_size=1, max_size=5), max_size=5),
        st.sampled_from([["code", "name", "level", "parent"], ["code", "name"], ["name"], ["x", "y"]]),
    ),
)


def _snapshot() -> list[tuple[str, str, str, str | None]]:
    from airgrade.platform.regions.models import Region

    return list(Region.objects.order_by("code").values_list("code", "name", "level", "parent_id"))


@pytest.mark.django_db
@fuzz_settings(25)
@given(content=hostile_csv)
def test_regions_load_any_file_loads_or_changes_nothing(
    tmp_path_factory: pytest.TempPathFactory, content: bytes
) -> None:
    path = tmp_path_factory.mktemp("regions") / "regions.csv"
    path.write_bytes(content)
    before = _snapshot()
    result = runner.invoke(app, ["regions", "load", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        assert path.name in result.output
        assert _snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("code,name\n410182,荥阳市\n".encode("utf-16"), "UTF-16"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "二进制"),
        ("code,name\n410182,荥阳市\n".encode("gbk"), "UTF-8"),
        (f"code,name\n410182,{'名' * 65}\n".encode(), "超过 64"),
    ],
)
def test_regions_load_refuses_with_exit_2_naming_the_file(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "regions.csv"
    path.write_bytes(content)
    before = _snapshot()
    result = runner.invoke(app, ["regions", "load", str(path)])
    assert result.exit_code == 2
    assert reason in result.output and "regions.csv" in result.output
    assert _snapshot() == before
