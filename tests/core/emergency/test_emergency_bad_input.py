"""Bad list input gets every reason at once, in Chinese, naming where; nothing is simulated from half a list."""

from __future__ import annotations

import pytest

from airgrade.core.emergency.model import ListInputError, parse_list
from airgrade.core.emergency.table import build_table
from emergency_builders import entry, line


def test_negative_emissions_are_refused_with_path():
    with pytest.raises(ListInputError) as caught:
        parse_list(
            {
                "entries": [
                    {
                        "key": "e1",
                        "enterprise_name": "甲",
                        "region_code": "410102",
                        "industries": [{"industry_code": "cement", "grade": "B"}],
                        "lines": [line("1", emissions={"NOx": -1})],
                    }
                ]
            },
            where="list.yaml",
        )
    (message,) = caught.value.messages
    assert message.startswith("list.yaml: entries[0].lines[0].emissions")
    assert "NOx 排放量不能为负数" in message


def test_every_problem_is_reported_at_once():
    data = {
        "entries": [
            {"key": "e1", "enterprise_name": "甲", "region_code": "4101", "industries": []},
            {
                "key": "e1",
                "enterprise_name": "乙",
                "region_code": "410102",
                "industries": [{"industry_code": "cement", "grade": "Z"}],
                "bogus": 1,
            },
        ]
    }
    with pytest.raises(ListInputError) as caught:
        parse_list(data)
    text = "\n".join(caught.value.messages)
    assert "entries[0].region_code" in text and "六位行政区划代码" in text
    assert "entries[0].industries: 至少需要一项" in text
    assert "entries[1].industries[0].grade" in text and "'Z'" in text
    assert "entries[1].bogus: 未知字段" in text


def test_wrong_emission_unit_is_refused():
    with pytest.raises(ListInputError) as caught:
        build_table([entry("e1", lines=[line("1", emission_unit="t/a")])])
    assert "排放量单位“t/a”无效" in caught.value.messages[0]
    assert "1号熟料生产线" in caught.value.messages[0]


def test_unknown_capacity_unit_is_refused():
    with pytest.raises(ListInputError) as caught:
        build_table([entry("e1", lines=[line("1", capacity_unit="吨每天")])])
    assert "产能单位“吨每天”无法识别" in caught.value.messages[0]


def test_yearly_capacity_needs_operating_days():
    with pytest.raises(ListInputError) as caught:
        build_table([entry("e1", lines=[line("1", capacity_unit="t/a")])])
    assert "年运行天数" in caught.value.messages[0]


def test_emissions_far_beyond_capacity_are_refused():
    # 1,800 t/d of NOx from a 5,000 t/d clinker line: a yearly figure typed as daily.
    with pytest.raises(ListInputError) as caught:
        build_table([entry("e1", lines=[line("1", emissions={"NOx": 1800.0})])])
    assert "远超产能允许范围" in caught.value.messages[0]


def test_kg_per_day_is_converted_and_plausible_values_pass():
    table, _ = build_table([entry("e1", lines=[line("1", emission_unit="kg/d", emissions={"NOx": 1500.0})])])
    assert table.line_emissions[0, 1] == pytest.approx(1.5)


def test_a_running_line_needs_some_base():
    with pytest.raises(ListInputError) as caught:
        parse_list(
            {
                "entries": [
                    {
                        "key": "e1",
                        "enterprise_name": "甲",
                        "region_code": "410102",
                        "industries": [{"industry_code": "cement", "grade": "B"}],
                        "lines": [line("1", eia_capacity=None, permit_capacity=None, actual_output=None)],
                    }
                ]
            }
        )
    assert "限产基数" in caught.value.messages[0]


def test_line_of_an_undeclared_industry_is_refused():
    with pytest.raises(ListInputError) as caught:
        parse_list(
            {
                "entries": [
                    {
                        "key": "e1",
                        "enterprise_name": "甲",
                        "region_code": "410102",
                        "industries": [{"industry_code": "cement", "grade": "B"}],
                        "lines": [line("1", industry_code="glass")],
                    }
                ]
            }
        )
    assert "不在本企业填报的行业中" in caught.value.messages[0]


def test_unknown_measure_kind_is_refused():
    with pytest.raises(ListInputError) as caught:
        parse_list(
            {
                "entries": [
                    {
                        "key": "e1",
                        "enterprise_name": "甲",
                        "region_code": "410102",
                        "industries": [{"industry_code": "cement", "grade": "B"}],
                        "lines": [line("1")],
                        "proposals": {"orange": {"cement": [{"kind": "close_windows"}]}},
                    }
                ]
            }
        )
    assert "措施类型无效" in caught.value.messages[0]
