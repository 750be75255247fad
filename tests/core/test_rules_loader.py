"""The loader refuses a broken rule book, reporting every error with file, line, YAML path and reason.

One broken fixture per error type lives in tests/fixtures/rules/; its header names the file it replaces in a
minimal book (tests/fixtures/rules/base + the packaged common/ files) and the error expected.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from airgrade.core.rules.loader import DEFAULT_ROOT, RuleBookError, check_rulebook, load_rulebook
from airgrade.core.types import Grade

FIXTURES = Path(__file__).parents[1] / "fixtures" / "rules"
BROKEN = sorted(FIXTURES.glob("*.yaml"))


def build_book(root: Path, broken: Path | None = None) -> Path:
    shutil.copytree(FIXTURES / "base", root)
    for name in (
        "grades.yaml",
        "framework.yaml",
        "policy.yaml",
        "pollutants.yaml",
        "units.yaml",
        "alert_levels.yaml",
        "facts.yaml",
        "gates.yaml",
        "verification.yaml",
    ):
        shutil.copy(DEFAULT_ROOT / "common" / name, root / "common" / name)
    if broken is not None:
        target = root / _header(broken, "target")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(broken, target)
    return root


def _header(path: Path, key: str) -> str:
    for line in path.read_text("utf-8").splitlines():
        if line.startswith(f"# {key}:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"{path.name} has no '# {key}:' header")


def test_the_minimal_book_loads(tmp_path: Path) -> None:
    book = load_rulebook(build_book(tmp_path / "book"))
    assert [entry.code for entry in book.catalogue] == ["demo"]


def test_one_fixture_per_error_type() -> None:
    names = {path.stem for path in BROKEN}
    assert names >= {
        "duplicate_key",
        "unknown_key",
        "bad_date",
        "unknown_fact",
        "unknown_unit",
        "unknown_grade",
        "unknown_industry",
        "overlapping_dates",
    }


@pytest.mark.parametrize("broken", BROKEN, ids=[path.stem for path in BROKEN])
def test_broken_fixture_is_reported_with_file_path_and_reason(tmp_path: Path, broken: Path) -> None:
    root = build_book(tmp_path / "book", broken)
    with pytest.raises(RuleBookError) as caught:
        load_rulebook(root)
    expected_path, expected_text = (part.strip() for part in _header(broken, "expect").split("|"))
    target = _header(broken, "target")
    matching = [
        issue
        for issue in caught.value.issues
        if issue.file == target and issue.path == expected_path and expected_text in issue.message
    ]
    assert matching, "\n".join(str(issue) for issue in caught.value.issues)
    assert matching[0].line is not None and matching[0].line > 0
    assert f"{target}:{matching[0].line}" in str(matching[0])


def test_every_error_is_reported_at_once(tmp_path: Path) -> None:
    root = build_book(tmp_path / "book", FIXTURES / "unknown_fact.yaml")
    (root / "jurisdictions" / "410000").mkdir(parents=True)
    shutil.copy(FIXTURES / "unknown_industry.yaml", root / "jurisdictions" / "410000" / "overlay.yaml")
    (root / "industries" / "demo" / "measures.yaml").write_text("industry: demo\nmeasures: []\nextra: 1\n", "utf-8")
    issues = check_rulebook(root)
    files = {issue.file for issue in issues}
    assert files >= {"industries/demo/indicators.yaml", "industries/demo/measures.yaml"}
    assert any("未知的事实" in issue.message for issue in issues)
    assert any("extra" in issue.path for issue in issues)


def test_catalogue_and_folders_must_agree(tmp_path: Path) -> None:
    root = build_book(tmp_path / "book")
    shutil.copytree(root / "industries" / "demo", root / "industries" / "ghost")
    issues = check_rulebook(root)
    assert any("未知的行业 'ghost'" in issue.message for issue in issues)


def test_a_broken_book_never_half_loads(tmp_path: Path) -> None:
    root = build_book(tmp_path / "book", FIXTURES / "overlapping_dates.yaml")
    with pytest.raises(RuleBookError):
        load_rulebook(root)
    # The packaged book is unaffected and still loads.
    assert load_rulebook().rules


def test_as_of_picks_the_entry_in_force(tmp_path: Path) -> None:
    book = load_rulebook(build_book(tmp_path / "book"))
    before = book.rules_for("demo", dt.date(2021, 12, 31)).indicators[0]
    after = book.rules_for("demo", dt.date(2022, 1, 1)).indicators[0]
    assert before.requirements[Grade.A].value == 10
    assert after.requirements[Grade.A].value == 5
    assert after.requirements[Grade.A].source.document == "测试2"


def test_overlays_apply_province_then_city(tmp_path: Path) -> None:
    root = build_book(tmp_path / "book")
    (root / "jurisdictions" / "410000").mkdir(parents=True)
    (root / "jurisdictions" / "410100").mkdir(parents=True)
    overlay = """region: "{region}"
name_zh: 测试
thresholds:
  - industry: demo
    indicator: pm_limit
    effective: {effective}
    source: {{document: {document}, provenance: official}}
    values: {values}
"""
    (root / "jurisdictions" / "410000" / "overlay.yaml").write_text(
        overlay.format(region="410000", effective="2021-01-01", document="省", values="{A: 8, B: 15}"), "utf-8"
    )
    (root / "jurisdictions" / "410100" / "overlay.yaml").write_text(
        overlay.format(region="410100", effective="2021-06-01", document="市", values="{A: 6}"), "utf-8"
    )
    book = load_rulebook(root)
    day = dt.date(2021, 7, 1)
    national = book.rules_for("demo", day).indicators[0].requirements
    other_province = book.rules_for("demo", day, "130100").indicators[0].requirements
    county = book.rules_for("demo", day, "410181").indicators[0].requirements
    other_city = book.rules_for("demo", day, "410300").indicators[0].requirements
    assert national[Grade.A].value == 10 and other_province[Grade.A].value == 10
    assert (county[Grade.A].value, county[Grade.A].jurisdiction) == (6, "410100")
    assert (county[Grade.B].value, county[Grade.B].jurisdiction) == (15, "410000")
    assert county[Grade.C].value == 30
    assert other_city[Grade.A].value == 8
    # Before the city's date only the province applies.
    assert book.rules_for("demo", dt.date(2021, 3, 1), "410181").indicators[0].requirements[Grade.A].value == 8


def test_version_changes_with_content(tmp_path: Path) -> None:
    first = load_rulebook(build_book(tmp_path / "a")).version
    root = build_book(tmp_path / "b")
    path = root / "industries" / "demo" / "indicators.yaml"
    path.write_text(path.read_text("utf-8").replace("values: {A: 10,", "values: {A: 9,"), "utf-8")
    assert load_rulebook(root).version != first


def test_a_province_administered_city_takes_an_overlay_and_a_county_does_not(tmp_path: Path) -> None:
    """济源 (419001) is coded like a county but is a city: its overlay loads and applies there only."""
    root = build_book(tmp_path / "book")
    overlay = """region: "{region}"
name_zh: 测试
thresholds:
  - industry: demo
    indicator: pm_limit
    effective: 2021-01-01
    source: {{document: 市, provenance: official}}
    values: {{A: 7}}
"""
    (root / "jurisdictions" / "419001").mkdir(parents=True)
    (root / "jurisdictions" / "419001" / "overlay.yaml").write_text(overlay.format(region="419001"), "utf-8")
    book = load_rulebook(root)
    day = dt.date(2021, 7, 1)
    assert book.rules_for("demo", day, "419001").indicators[0].requirements[Grade.A].value == 7
    assert book.rules_for("demo", day, "410181").indicators[0].requirements[Grade.A].value == 10
    (root / "jurisdictions" / "410181").mkdir(parents=True)
    (root / "jurisdictions" / "410181" / "overlay.yaml").write_text(overlay.format(region="410181"), "utf-8")
    with pytest.raises(RuleBookError, match="省级或市级"):
        load_rulebook(root)
