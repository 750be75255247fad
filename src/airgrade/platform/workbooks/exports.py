"""Workbook exports: each builds its rows through a scoped service and writes them with the layout's writer."""

from __future__ import annotations

from typing import Any

from airgrade.io.excel.layouts import EMERGENCY_LIST
from airgrade.io.excel.writer import SheetSpec, write_workbook
from airgrade.platform.workbooks import services


def emergency_list(user: Any, year: int | None = None) -> bytes:
    """The caller's emergency list in the import layout (REQ SJZ-9, H23-4)."""
    return write_workbook([SheetSpec(EMERGENCY_LIST, services.emergency_list_rows(user, year))], instructions=True)
