"""The committed docs/workflow.md shows exactly the chart and table generated from the transition table."""

from __future__ import annotations

from pathlib import Path

import pytest

from airgrade.core.workflow import TRANSITIONS, State, mermaid_chart
from airgrade.core.workflow.chart import update_generated_blocks

DOC = Path(__file__).resolve().parents[3] / "docs" / "workflow.md"


def test_committed_chart_equals_generated_chart() -> None:
    text = DOC.read_text("utf-8")
    assert f"```mermaid\n{mermaid_chart()}```" in text
    assert update_generated_blocks(text) == text, "运行 python -m airgrade.core.workflow docs/workflow.md 重新生成"


def test_chart_has_every_state_and_every_edge() -> None:
    chart = mermaid_chart()
    assert chart.startswith("stateDiagram-v2\n")
    for state in State:
        assert f"    {state.value}: {state.label_zh}\n" in chart
    for transition in TRANSITIONS:
        for source in transition.sources:
            assert f"    {source.value} --> {transition.target.value}: {transition.label_zh}" in chart


def test_update_refuses_a_file_without_markers() -> None:
    with pytest.raises(ValueError, match="生成区块"):
        update_generated_blocks("# no markers\n")
