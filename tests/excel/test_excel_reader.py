"""Column specs and the calamine reader: headers found by name (aliases, full-width, spaces, units, two levels),
values as spreadsheets really hold them, clear errors for files that are not workbooks."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from airgrade.io.excel.layouts import EMERGENCY_LIST, GRADE_HISTORY
from airgrade.io.excel.reader import WorkbookError, open_workbook, read_sheet
from airgrade.io.excel.spec import fold, unit_factor
from airgrade.io.excel.writer import SheetSpec, write_template, write_workbook


def _xlsx(rows: list[list[object]], merges: tuple[str, ...] = ()) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "清单"
    for row in rows:
        sheet.append(row)
    for merge in merges:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_fold_treats_full_width_and_spaces_alike() -> None:
    assert fold("统一社会信用代码 ") == fold("统一 社会信用代码")
    assert fold("ＳＯ２") == fold("so2")
    assert fold("产能（万吨/年）") == "产能(万吨/年)"


def test_unit_factor_converts_only_ten_thousand() -> None:
    assert unit_factor("万元", "元") == 10000.0
    assert unit_factor("元", "万元") == 0.0001
    assert unit_factor("吨", "吨") == 1.0
    assert unit_factor("千克", "吨") is None


def test_variant_headers_two_levels_units_and_text_numbers() -> None:
    """A list in a common variant: title row, aliases, full-width header text, merged group headers, a unit in the
    header, numbers typed as text with thousands separators, a date serial, a formula's cached value."""
    rows = [
        ["2024年应急减排清单", None, None, None, None, None, None, None, None, None],
        [
            "年度",
            "信用代码",
            "单位名称",
            "行业类型",
            "工业总产值（元）",
            "生产线（工序、设备）",
            None,
            "产能",
            None,
            "日排放量",
        ],
        [None, None, None, None, None, "编号", "生产线名称", "环评产能（万吨/年）", "许可产能", "ＳＯ２"],
        ["2024", "91410181MA00000001", "某水泥厂", "水泥", "52,000,000", "L1", "1号线", "1.5", 4800, "0.3"],
    ]
    data = _xlsx(rows, merges=("F2:G2", "H2:I2"))
    sheet = read_sheet(open_workbook(data, "变体.xlsx"), EMERGENCY_LIST, "变体.xlsx")
    [row] = sheet.rows
    assert row.errors == []
    values = row.values
    assert values["year"] == 2024
    assert values["credit_code"] == "91410181MA00000001"
    assert values["enterprise_name"] == "某水泥厂"
    assert values["output_value_10k_yuan"] == pytest.approx(5200.0)  # 元 → 万元
    assert values["line_key"] == "L1" and values["line_name"] == "1号线"
    assert values["eia_capacity"] == 1.5 and values["capacity_unit"] == "万吨/年"  # unit from the header
    assert values["permit_capacity"] == 4800
    assert values["SO2"] == 0.3
    assert sheet.header_rows == 3


def test_bad_cells_are_named_by_row_column_and_reason() -> None:
    rows = [
        ["清单年度", "统一社会信用代码", "企业名称", "行业类别", "是否在工业园区", "年运输量（吨）"],
        [2024, "91410181MA00000001", "甲", "水泥", "也许", "很多"],
        [None, "91410181MA00000001", "乙", None, "是", "1,200"],
    ]
    sheet = read_sheet(open_workbook(_xlsx(rows)), EMERGENCY_LIST)
    first, second = sheet.rows
    reasons = {(e.column, e.reason) for e in first.errors}
    assert ("是否在工业园区", "应填写“是”或“否”") in reasons
    assert ("年运输量（吨）", "应为数字") in reasons
    assert {e.column for e in second.errors} == {"清单年度", "行业类别"}
    assert all(e.reason == "必填项为空" for e in second.errors)
    assert second.values["transport_volume_t"] == 1200


def test_dates_as_serials_text_and_cells() -> None:
    rows = [
        ["统一社会信用代码", "企业名称", "行业", "绩效等级", "生效日期", "发布文件", "发布日期", "失效日期"],
        ["91410181MA00000001", "甲", "水泥", "B", 45292, "豫环文〔2024〕1号", "2024年1月2日", dt.date(2024, 12, 31)],
        ["91410181MA00000001", "甲", "水泥", "Ｂ", "2024/13/01", "豫环文〔2024〕1号", "20240102", None],
    ]
    sheet = read_sheet(open_workbook(_xlsx(rows)), GRADE_HISTORY)
    first, second = sheet.rows
    assert first.values["valid_from"] == dt.date(2024, 1, 1)
    assert first.values["published_on"] == dt.date(2024, 1, 2)
    assert first.values["valid_until"] == dt.date(2024, 12, 31)
    assert second.values["grade"] == "B"  # full-width letter folded
    assert [e.reason for e in second.errors] == ["不是有效的日期"]


def test_missing_required_column_and_wrong_files_are_clear_errors() -> None:
    no_code = _xlsx([["清单年度", "企业名称", "行业类别"], [2024, "甲", "水泥"]])
    with pytest.raises(WorkbookError, match="统一社会信用代码"):
        read_sheet(open_workbook(no_code), EMERGENCY_LIST, "缺列.xlsx")
    with pytest.raises(WorkbookError, match="不是 Excel 工作簿"):
        open_workbook(b"name,code\n", "清单.csv")
    encrypted = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64
    with pytest.raises(WorkbookError, match="密码"):
        open_workbook(encrypted, "加密.xlsx")
    with pytest.raises(WorkbookError, match="无法读取"):
        open_workbook(b"PK\x03\x04broken", "坏.xlsx")


def test_written_workbook_reads_back_and_neutralises_formulas() -> None:
    rows = [
        {
            "year": 2024,
            "credit_code": "91410181MA00000001",
            "enterprise_name": '=HYPERLINK("http://x","点此")',
            "industry": "水泥",
            "in_industrial_park": True,
            "status": "backup",
            "line_key": "L1",
            "line_name": "@SUM(1)",
            "eia_capacity": 10.5,
        }
    ]
    data = write_workbook([SheetSpec(EMERGENCY_LIST, rows)])
    from python_calamine import CalamineWorkbook

    raw = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert raw[2][2] == '\'=HYPERLINK("http://x","点此")'  # written as text, never as a formula
    [row] = read_sheet(open_workbook(data), EMERGENCY_LIST).rows
    assert row.values["enterprise_name"] == '=HYPERLINK("http://x","点此")'  # our own apostrophe is read back off
    assert row.values["line_name"] == "@SUM(1)"
    assert row.values["status"] == "backup" and row.values["in_industrial_park"] is True


def test_template_has_every_column_and_the_instructions_sheet() -> None:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(write_template([EMERGENCY_LIST])))
    assert book.sheet_names == ["应急减排清单", "填写说明"]
    instructions = book.get_sheet_by_name("填写说明").to_python()
    text = "\n".join(str(cell) for row in instructions for cell in row)
    assert "未公开发布" in text  # the product says the national template is not public
    for column in EMERGENCY_LIST.columns:
        assert column.title in text
