"""Every command-line file reader facing generated and hostile files (issue 8, defect 12).

`grade`, `rules check`, `rules impact` and `alert simulate --list` read YAML or JSON; whatever the bytes, they
answer with results or a clear error naming the file (exit 1 or 2), never a traceback, a RecursionError or a run that
eats the memory. Unreadable input (binary, UTF-16, too large, too deep, alias bomb) is exit 2 on one line.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from tests.fuzzing import fuzz_settings, hostile_scalar
from typer.testing import CliRunner

from airgrade.cli import app
from airgrade.core.rules.loader import DEFAULT_ROOT
from airgrade.core.rules.yamlio import MAX_FILE_BYTES, InputFileError, load_data_file, load_yaml

runner = CliRunner()
EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"
CEMENT_FACTS = ["pm_concentration", "road_transport", "kiln_capacity", "gate_system", "ammonia_slip"]


def nested(depth: int, style: str) -> str:
    if style == "flow":
        return "a: " + "[" * depth + "]" * depth + "\n"
    if style == "json":
        return '{"enterprises": ' + "[" * depth + "]" * depth + "}"
    return "".join("  " * level + f"k{level}:\n" for level in range(depth)) + "  " * depth + "v: 1\n"


def alias_bomb(width: int, levels: int) -> str:
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def _enterprises(values: list[Any]) -> dict[str, Any]:
    facts = {key: value for key, value in zip(CEMENT_FACTS, values, strict=False)}
    return {
        "as_of": "2025-01-01",
        "enterprises": [{"id": values[0], "name": values[-1], "industries": [{"industry": "cement", "facts": facts}]}],
    }


def _dump(data: Any, as_json: bool) -> bytes:
    if as_json:
        text = json.dumps(data, ensure_ascii=False)
    else:
        try:
            text = yaml.safe_dump(data, allow_unicode=True)
        except yaml.YAMLError:
            text = json.dumps(data, ensure_ascii=False)  # JSON is YAML too
    # Lone surrogates become invalid UTF-8, as a broken editor would write them.
    return text.encode("utf-8", "surrogatepass")


# Hostile files: (bytes, is YAML-or-JSON-valid-UTF-8 structure expected to be read).
hostile_files = st.one_of(
    st.binary(max_size=400),
    st.text(max_size=200).map(lambda text: text.encode("utf-16")),
    st.sampled_from(["utf-16-le", "utf-32", "gbk"]).map(lambda enc: "enterprises: [{id: 企业}]\n".encode(enc)),
    st.builds(nested, st.integers(40, 3000), st.sampled_from(["flow", "json", "block"])).map(str.encode),
    st.builds(alias_bomb, st.integers(5, 12), st.integers(5, 10)).map(str.encode),
    st.just(b"a: &a [*a]\n"),
    st.just(b"enterprises:\n  - id: x\n    industries: [{industry: cement, facts: {pm_concentration: .inf}}]\n"),
    st.just(
        b"enterprises:\n  - id: x\n    industries: [{industry: cement, facts: {pm_concentration: 1"
        + b"0" * 400
        + b"}}]\n"
    ),
    st.builds(_dump, st.lists(hostile_scalar, min_size=2, max_size=6).map(_enterprises), st.booleans()),
    st.builds(
        _dump,
        st.recursive(
            st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=20),
            lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
            max_leaves=20,
        ),
        st.booleans(),
    ),
)


def _assert_handled(result: Any, file: Path) -> None:
    """Answered: a result or a clear error; never a traceback (the runner keeps any uncaught exception)."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert file.name in result.output, result.output


@fuzz_settings(40)
@given(content=hostile_files, suffix=st.sampled_from([".yaml", ".json", ".yml"]))
def test_grade_reads_any_file_without_a_traceback(
    tmp_path_factory: pytest.TempPathFactory, content: bytes, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("grade") / f"facts{suffix}"
    path.write_bytes(content)
    _assert_handled(runner.invoke(app, ["grade", str(path), "--json"]), path)


@fuzz_settings(20)
@given(content=hostile_files, suffix=st.sampled_from([".yaml", ".json"]))
def test_alert_list_reads_any_file_without_a_traceback(
    tmp_path_factory: pytest.TempPathFactory, content: bytes, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("alert") / f"list{suffix}"
    path.write_bytes(content)
    result = runner.invoke(app, ["alert", "simulate", "--region", "410100", "--level", "orange", "--list", str(path)])
    _assert_handled(result, path)


@pytest.fixture(scope="module")
def book_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("book") / "book"
    shutil.copytree(DEFAULT_ROOT, root)
    return root


@fuzz_settings(4)
@given(content=hostile_files, target=st.sampled_from(["common/grades.yaml", "industries/cement/indicators.yaml"]))
def test_rules_check_reports_a_hostile_rule_file(book_copy: Path, content: bytes, target: str) -> None:
    path = book_copy / target
    original = (DEFAULT_ROOT / target).read_bytes()
    path.write_bytes(content)
    try:
        result = runner.invoke(app, ["rules", "check", str(book_copy)])
    finally:
        path.write_bytes(original)
    _assert_handled(result, path)
    assert result.exit_code in (1, 2)  # the packaged file was replaced: never a sound book
    assert target in result.output


@fuzz_settings(3)
@given(content=hostile_files, hostile_overlay=st.booleans())
def test_rules_impact_reads_hostile_draft_and_facts(
    tmp_path_factory: pytest.TempPathFactory, content: bytes, hostile_overlay: bool
) -> None:
    folder = tmp_path_factory.mktemp("impact")
    overlay, facts = folder / "draft.yaml", folder / "facts.yaml"
    overlay.write_bytes(content if hostile_overlay else (EXAMPLES / "draft-overlay.yaml").read_bytes())
    facts.write_bytes((EXAMPLES / "enterprises.yaml").read_bytes() if hostile_overlay else content)
    result = runner.invoke(app, ["rules", "impact", str(overlay), "--facts", str(facts), "--json"])
    _assert_handled(result, overlay if hostile_overlay else facts)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("enterprises: []\n".encode("utf-16"), "UTF-16"),
        (bytes(range(256)), "UTF-16 或二进制"),
        (b"\xff\xfe\xfd garbage", "UTF-8"),
        (nested(5000, "flow").encode(), "嵌套超过"),
        (nested(100_000, "json").encode(), "嵌套超过"),
        (alias_bomb(9, 9).encode(), "别名展开"),
        (b"a: &a [*a]\n", "嵌套超过"),
    ],
)
def test_unreadable_files_exit_2_on_one_line_naming_the_file(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / ("facts.json" if content.startswith(b'{"') else "facts.yaml")
    path.write_bytes(content)
    result = runner.invoke(app, ["grade", str(path)])
    assert result.exit_code == 2
    assert reason in result.output and str(path) in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "facts.yaml"
    with path.open("wb") as handle:
        handle.write(b"enterprises:\n")
        handle.write(b"  - {id: x}\n" * (MAX_FILE_BYTES // 12 + 1))
    result = runner.invoke(app, ["grade", str(path)])
    assert result.exit_code == 2 and "上限" in result.output


@pytest.mark.parametrize(
    "value", [".inf", "-.inf", ".nan", "1" + "0" * 400, "1e400"], ids=["inf", "-inf", "nan", "huge-int", "1e400"]
)
def test_grade_refuses_non_finite_numbers_like_nan(tmp_path: Path, value: str) -> None:
    path = tmp_path / "facts.yaml"
    path.write_text(
        f"enterprises:\n  - id: x\n    industries: [{{industry: cement, facts: {{pm_concentration: {value}}}}}]\n",
        "utf-8",
    )
    result = runner.invoke(app, ["grade", str(path), "--json"])
    assert result.exit_code == 1
    errors = json.loads(result.stdout)["errors"]
    assert errors and errors[0]["key"] == "pm_concentration"
    assert "有限数" in errors[0]["message"] or "wrong type" in errors[0]["message"]


@pytest.mark.parametrize("text", ['{"a": NaN}', '{"a": Infinity}', '{"a": 1e400}', '{"a": ' + "9" * 5000 + "}"])
def test_json_refuses_non_finite_and_overlong_numbers(tmp_path: Path, text: str) -> None:
    path = tmp_path / "facts.json"
    path.write_text(text, "utf-8")
    with pytest.raises(InputFileError, match="数值"):
        load_data_file(path)


def test_rule_book_anchors_still_read_within_the_alias_budget() -> None:
    text = (DEFAULT_ROOT / "industries" / "cement" / "indicators.yaml").read_text("utf-8")
    loaded, issues = load_yaml(text, "cement")
    assert loaded is not None and not issues
    assert "&cement_limits" in text  # the packaged book uses anchors: they must keep working
