"""Free-text measures of existing lists read into proposed quantified measures (kept text, reviewer decides)."""

from __future__ import annotations

import pytest

from airgrade.core.emergency.measure_text import read_measures
from airgrade.core.types import EmissionStage


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("停产", [{"kind": "stop_production"}]),
        ("限产 30%", [{"kind": "curtail", "percent": 30.0}]),
        ("限产３０％", [{"kind": "curtail", "percent": 30.0}]),
        (
            "停止使用国四及以下车辆",
            [{"kind": "stop_vehicles", "at_or_below": EmissionStage.CHINA_4, "includes_gas": True}],
        ),
        ("日投料量由960吨降低到768吨", [{"kind": "curtail", "percent": 20.0}]),
        ("停止50%生产线", [{"kind": "stop_line_share", "share": 0.5}]),
        (
            "全厂停产，停止公路运输",
            [{"kind": "stop_production"}, {"kind": "stop_road_transport"}],
        ),
        (
            "限产30%，停止使用国Ⅳ及以下车辆运输",
            [
                {"kind": "curtail", "percent": 30.0},
                {"kind": "stop_vehicles", "at_or_below": EmissionStage.CHINA_4, "includes_gas": True},
            ],
        ),
    ],
)
def test_recognised_phrases(text: str, expected: list[dict[str, object]]) -> None:
    read = read_measures(text)
    assert [m.model_dump(exclude={"note_zh"}) for m in read.measures] == expected
    assert all(m.note_zh == text for m in read.measures)  # the original text travels with the proposal
    assert len(read.notes) == len(expected)


@pytest.mark.parametrize("text", ["自主减排", "加强管理，减少排放", "", "限产 130%"])
def test_unrecognised_text_proposes_nothing(text: str) -> None:
    assert read_measures(text).measures == ()
